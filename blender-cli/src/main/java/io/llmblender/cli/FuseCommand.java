package io.llmblender.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Prompt;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import io.llmblender.eval.dataset.Progress;
import io.llmblender.eval.dataset.ResumableOutput;
import io.llmblender.fuser.Decoding;
import io.llmblender.fuser.GenFuser;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blender fuse}: fuses the top K candidates of every record of a MixInstruct-format dataset into one answer
 * with a GenFuser, and writes each record back with its fused answer.
 *
 * <pre>
 * blender fuse --input ranked.jsonl --output fused.jsonl --fuser DIR|llm:NAME|test [--llm name=N,url=URL,model=M]
 *              [--top-k 3] [--beams 4]
 *              [--max-new-tokens 128] [--batch 4] [--limit N] [--on-bad-line stop|skip] [--overwrite]
 * </pre>
 *
 * <p><b>Which candidates.</b> A record's top K candidates are picked by the {@code ranking.ranks} field that
 * {@code blender rank} writes (ascending rank, ties in file order), and given to the fuser best first. A record
 * without a {@code ranking} field gets its first K candidates in file order; standard error says once how many
 * records that was. A {@code ranking} field that is not an object with a {@code ranks} array of one number per
 * candidate is a bad line, as is a record with no candidates or with both {@code instruction} and {@code input}
 * blank.
 *
 * <p><b>Options.</b> {@code --fuser} (required): an exported GenFuser directory, {@code llm:NAME} to have the LLM
 * given with {@code --llm name=NAME,url=URL,model=M[,key-env=VAR]} write each fused answer (as {@code blend}'s
 * {@code --fuser llm:NAME}; {@code --beams} and {@code --max-new-tokens} do not apply), or {@code test} for the
 * bundled tiny model with random weights, which writes gibberish (a note on standard error says so); there is no
 * default, so that random output is only ever asked for by name. {@code --top-k}: how many
 * candidates to fuse, at least 1 (default 3; fewer when a record has fewer). {@code --beams}: beam search with this
 * many beams, 1 for greedy decoding (default 4, as LLM-Blender). {@code --max-new-tokens}: the most tokens to
 * generate, the end-of-sequence token included (default 128). {@code --batch}: records per fuser call (default 4).
 * {@code --limit N}: only the first N valid records of the input. {@code --on-bad-line}: {@code stop} (the default)
 * fails at the first bad line, naming the file, the line and the field; {@code skip} reports each bad line on
 * standard error and goes on without it.
 *
 * <p><b>Output.</b> One JSON line per record: the input record, all its fields kept, with a field {@code fused}
 * added (replaced, if the input had one):
 *
 * <pre>{@code
 * "fused": {"fuser": "gen-fuser", "text": "...", "finish_reason": "stop", "tokens": 42,
 *           "candidates": ["gpt-4-1106-preview", "mistralai/Mixtral-8x7B-Instruct-v0.1"], "picked_by": "ranking"}
 * }</pre>
 *
 * {@code candidates} lists the models whose answers were fused, best first; {@code finish_reason} is {@code stop}
 * (the model ended the answer) or {@code length} (cut at {@code --max-new-tokens}); {@code tokens} is how many tokens
 * were generated, when the fuser says; {@code picked_by} is {@code ranking} or {@code file_order}.
 *
 * <p><b>Resuming.</b> Each record is appended and flushed as soon as it is fused. Run again with the same output and
 * the records whose id the output already holds are skipped (a last line cut short by a crash is dropped first);
 * {@code --overwrite} starts over. Progress goes to standard error; at the end one line on standard output says how
 * many records were fused, how many were already done and how many bad lines were skipped.
 */
@Command(
        name = "fuse",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Fuse the top K candidates of each record of a MixInstruct JSONL dataset with a GenFuser.",
            "Picks them by the record's \"ranking\" field (from `blender rank`), else in file order. Writes each record"
                    + " with a \"fused\" field. Resumes: records whose id the output holds are skipped."
        })
final class FuseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatasetFiles files;

    @Option(
            names = "--fuser",
            paramLabel = "DIR|llm:NAME|test",
            description = "Required: an exported GenFuser directory, 'llm:NAME' for the LLM given with --llm"
                    + " name=NAME,..., or 'test' for the bundled random test model.")
    String fuser;

    @Option(
            names = "--llm",
            paramLabel = "name=N,url=URL,model=M[,key-env=VAR]",
            description = "An OpenAI-compatible LLM that --fuser llm:NAME may name (repeatable).")
    List<String> llms = new ArrayList<>();

    @Option(
            names = "--top-k",
            paramLabel = "K",
            defaultValue = "3",
            description = "How many of each record's best candidates to fuse (default: 3).")
    int topK;

    @Option(
            names = "--beams",
            paramLabel = "N",
            defaultValue = "4",
            description = "Beam search with N beams; 1 is greedy decoding (default: 4).")
    int beams;

    @Option(
            names = "--max-new-tokens",
            paramLabel = "N",
            defaultValue = "128",
            description = "The most tokens to generate per record (default: 128).")
    int maxNewTokens;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "4",
            description = "Records per fuser call (default: 4).")
    int batch;

    /** A record ready to fuse: its prompt, and the indices of its top K candidates, best first. */
    private record Job(Datasets.Line line, Prompt prompt, List<Integer> picked, boolean byRanking) {}

    @Override
    public Integer call() {
        long start = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DatasetCommands.requireAtLeast(spec, "--top-k", topK, 1);
        DatasetCommands.requireAtLeast(spec, "--beams", beams, 1);
        DatasetCommands.requireAtLeast(spec, "--max-new-tokens", maxNewTokens, 1);
        DatasetCommands.requireAtLeast(spec, "--batch", batch, 1);
        files.check(spec);
        if (fuser == null) {
            throw new ParameterException(spec.commandLine(), "--fuser is required: give " + FuserOption.ACCEPTED);
        }
        if (!fuser.startsWith("llm:") && !fuser.equals(ModelOptions.TEST) && !Files.isDirectory(Path.of(fuser))) {
            throw new IllegalArgumentException("--fuser: no directory "
                    + Path.of(fuser).toAbsolutePath() + "; --fuser takes " + FuserOption.ACCEPTED);
        }

        Datasets.Contents contents = Datasets.read(files.input, files.onBadLine);
        List<String> skipped = new ArrayList<>(contents.skipped());
        List<Datasets.Line> valid = new ArrayList<>(contents.lines().size());
        Map<Integer, Job> jobs = new HashMap<>();
        for (Datasets.Line line : contents.lines()) {
            try {
                jobs.put(line.number(), job(line));
                valid.add(line);
            } catch (IllegalArgumentException e) {
                DatasetCommands.badLine(files.input, line.number(), e.getMessage(), files.onBadLine, skipped);
            }
        }
        DatasetCommands.reportSkipped(err, skipped);

        int written = 0;
        int alreadyDone;
        try (ResumableOutput sink = ResumableOutput.open(files.output, files.overwrite)) {
            DatasetCommands.Todo pending = DatasetCommands.todo(valid, files.limit, sink.done());
            List<Datasets.Line> todoLines = pending.lines();
            alreadyDone = pending.alreadyDone();
            List<Job> todo = new ArrayList<>(todoLines.size());
            int unranked = 0;
            for (Datasets.Line line : todoLines) {
                Job job = jobs.get(line.number());
                todo.add(job);
                unranked += job.byRanking() ? 0 : 1;
            }
            if (unranked > 0) {
                err.println("note: " + unranked + " of " + todo.size() + " records have no 'ranking' field (run"
                        + " `blender rank` first); fusing their first " + topK + " candidates in file order");
                err.flush();
            }
            if (!todo.isEmpty()) {
                DatasetCommands.noteTestModel(err, fuser);
                List<AutoCloseable> resources = new ArrayList<>();
                try (Progress progress = Progress.start("fuse", todo.size(), err)) {
                    Fuser model = FuserOption.open(spec.commandLine(), fuser, llms, this::load, resources);
                    for (List<Job> slice : DatasetCommands.batches(todo, batch)) {
                        List<Prompt> prompts = new ArrayList<>(slice.size());
                        List<List<String>> ranked = new ArrayList<>(slice.size());
                        for (Job job : slice) {
                            prompts.add(job.prompt());
                            List<String> texts = new ArrayList<>(job.picked().size());
                            for (int c : job.picked()) {
                                texts.add(
                                        job.line().record().candidates().get(c).text());
                            }
                            ranked.add(texts);
                        }
                        List<Fusion> fusions = model.fuseAll(prompts, ranked);
                        for (int i = 0; i < slice.size(); i++) {
                            sink.write(output(slice.get(i), fusions.get(i)));
                            written++;
                        }
                        progress.step(slice.size());
                    }
                } finally {
                    FuserOption.closeAll(resources);
                }
            }
        }
        out.println(DatasetCommands.summary(
                "fused", written, alreadyDone, skipped.size(), System.nanoTime() - start, files.output));
        out.flush();
        return 0;
    }

    private GenFuser load(Path dir) {
        GenFuser.Builder builder = GenFuser.builder(dir)
                .decoding(beams == 1 ? Decoding.greedy() : Decoding.beamSearch(beams))
                .maxNewTokens(maxNewTokens);
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            // the builder's only argument check at build time: the model's longest output
            throw new IllegalArgumentException(
                    "--max-new-tokens " + maxNewTokens + " does not fit the fuser in " + dir + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Checks what fusing needs of a record and picks its candidates.
     *
     * @throws IllegalArgumentException naming the field, when the record cannot be fused
     */
    private Job job(Datasets.Line line) {
        DatasetRecord record = line.record();
        int n = record.candidates().size();
        if (n == 0) {
            throw new IllegalArgumentException("field 'candidates' is empty: there is nothing to fuse");
        }
        Prompt prompt;
        try {
            prompt = Prompt.of(record.instruction(), record.input());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "fields 'instruction' and 'input' are both blank: there is nothing to answer", e);
        }
        double[] ranks = ranks(record.json().get("ranking"), n);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (ranks != null) {
            Arrays.sort(
                    order, Comparator.<Integer>comparingDouble(i -> ranks[i]).thenComparingInt(i -> i));
        }
        return new Job(line, prompt, List.of(order).subList(0, Math.min(topK, n)), ranks != null);
    }

    /**
     * A record's {@code ranking.ranks}: {@code null} when it has no {@code ranking} field.
     *
     * @throws IllegalArgumentException naming the field, when the ranking is malformed
     */
    static double[] ranks(JsonNode ranking, int candidates) {
        if (ranking == null || ranking.isNull()) {
            return null;
        }
        if (!ranking.isObject()) {
            throw new IllegalArgumentException("field 'ranking' must be an object, found " + describe(ranking));
        }
        JsonNode ranks = ranking.get("ranks");
        if (ranks == null || !ranks.isArray()) {
            throw new IllegalArgumentException("field 'ranking.ranks' must be an array of numbers, found "
                    + (ranks == null ? "nothing" : describe(ranks)));
        }
        if (ranks.size() != candidates) {
            throw new IllegalArgumentException("field 'ranking.ranks' must have one rank per candidate (" + candidates
                    + "), found " + ranks.size());
        }
        double[] out = new double[candidates];
        for (int i = 0; i < candidates; i++) {
            JsonNode r = ranks.get(i);
            if (!r.isNumber() || !Double.isFinite(r.asDouble())) {
                throw new IllegalArgumentException(
                        "field 'ranking.ranks[" + i + "]' must be a number, found " + describe(r));
            }
            out[i] = r.asDouble();
        }
        return out;
    }

    private static String describe(JsonNode v) {
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static ObjectNode output(Job job, Fusion fusion) {
        DatasetRecord record = job.line().record();
        ObjectNode json = record.json();
        ObjectNode field = json.putObject("fused");
        field.put("fuser", fusion.fuserName());
        field.put("text", fusion.text());
        field.put("finish_reason", fusion.finishReason().name().toLowerCase(Locale.ROOT));
        fusion.generatedTokens().ifPresent(t -> field.put("tokens", t));
        ArrayNode models = field.putArray("candidates");
        for (int c : job.picked()) {
            models.add(record.candidates().get(c).model());
        }
        field.put("picked_by", job.byRanking() ? "ranking" : "file_order");
        return json;
    }
}
