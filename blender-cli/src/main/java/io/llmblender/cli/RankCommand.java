package io.llmblender.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.rank.Aggregation;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankers;
import io.llmblender.core.rank.Ranking;
import io.llmblender.core.rank.RankingCost;
import io.llmblender.core.rank.Rankings;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import io.llmblender.eval.dataset.Progress;
import io.llmblender.eval.dataset.ResumableOutput;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code blender rank}: ranks the candidates of every record of a MixInstruct-format dataset with a ranker and
 * writes each record back with its ranking.
 *
 * <pre>
 * blender rank --input data/gsm8k-100.jsonl --output ranked.jsonl [--ranker NAME|DIR] [--aggregation max_logits]
 *              [--batch 8] [--limit N] [--on-bad-line stop|skip] [--overwrite]
 * </pre>
 *
 * <p><b>Options.</b> {@code --ranker}: {@code default} (label-free consensus, the longer answer below three answers;
 * the default), {@code minilm}, {@code consensus} and its variants, {@code length}, {@code judge:NAME} (one of the
 * {@code --llm name=N,url=URL,model=M[,key-env=VAR]} as an LLM judge; the judge calls and tokens are summed on
 * standard error at the end), {@code combined:FILE}, an exported PairRanker directory, or {@code test} for the bundled
 * tiny model with random weights, which ranks at random (a note on standard error says so); see
 * {@link io.llmblender.ranker.names.RankerNames}. {@code none} is refused: ranking needs a ranker. {@code --aggregation}:
 * how the pairwise logits become scores, {@code max_logits} (the default), {@code max_wins} or {@code bubble}
 * (best-of-n with a bubble pass over the permutation of seed 0: the winner gets rank 1, every other candidate rank 2);
 * case-insensitive. {@code --batch}: records per ranker call, their pairs packed together (default 8; {@code bubble}
 * ranks one record at a time). {@code --limit N}: only the first N valid records of the input. {@code --on-bad-line}:
 * {@code stop} (the default) fails at the first line that is not a valid record, naming the file, the line and the
 * field; {@code skip} reports each such line on standard error and goes on without it.
 *
 * <p><b>Output.</b> One JSON line per record: the input record, all its fields kept, with a field {@code ranking}
 * added (replaced, if the input had one):
 *
 * <pre>{@code
 * "ranking": {"ranker": "pair-rm", "aggregation": "max_logits", "ranks": [2, 1], "scores": [-0.41, 0.41]}
 * }</pre>
 *
 * {@code ranks} and {@code scores} have one entry per candidate, in the record's candidate order; ranks are 1-based
 * competition ranks (1 is the best; tied candidates share the better rank) and a higher score is better. The source a
 * record's candidates are ranked against is its {@code instruction} followed by its {@code input}, with no separator,
 * as LLM-Blender does. A record with one candidate gets rank 1 and score 0, one with none empty lists, without
 * asking the ranker.
 *
 * <p><b>Resuming.</b> Each record is appended and flushed as soon as it is ranked. Run again with the same output and
 * the records whose id the output already holds are skipped (a last line cut short by a crash is dropped first), so
 * an interrupted run picks up where it stopped; {@code --overwrite} starts over. Progress goes to standard error; at
 * the end one line on standard output says how many records were ranked, how many were already done and how many
 * bad lines were skipped.
 */
@Command(
        name = "rank",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Rank the candidates of each record of a MixInstruct JSONL dataset with a PairRanker.",
            "Writes each record with a \"ranking\" field: ranker, aggregation, ranks (1 = best) and scores, one per"
                    + " candidate in file order. Resumes: records whose id the output holds are skipped."
        })
final class RankCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatasetFiles files;

    @Option(
            names = "--ranker",
            paramLabel = "NAME|DIR",
            defaultValue = ModelOptions.DEFAULT,
            description = "default (consensus; the longer answer below three answers), minilm,"
                    + " consensus[:coverage|:token-f1|:rouge-l|:vote], length, judge:NAME (one of the --llm),"
                    + " combined:FILE, an exported PairRanker directory, or test (the bundled random test model).")
    String ranker;

    @Option(
            names = "--llm",
            paramLabel = "name=N,url=URL,model=M[,key-env=VAR]",
            description = "An OpenAI-compatible LLM that --ranker judge:NAME may name (repeatable); the key is read"
                    + " from the environment variable.")
    List<String> llms = new ArrayList<>();

    @Option(
            names = "--aggregation",
            paramLabel = "NAME",
            defaultValue = "MAX_LOGITS",
            description = "max_logits, max_wins or bubble, case-insensitive (default: max_logits).")
    Aggregation aggregation;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "8",
            description = "Records per ranker call (default: 8).")
    int batch;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DatasetCommands.requireAtLeast(spec, "--batch", batch, 1);
        files.check(spec);
        ModelOptions.checkRanker(ranker, "--ranker", false);

        Datasets.Contents contents = Datasets.read(files.input, files.onBadLine);
        DatasetCommands.reportSkipped(err, contents.skipped());
        List<String> unrankable = new ArrayList<>();
        int written = 0;
        int alreadyDone;
        try (ResumableOutput sink = ResumableOutput.open(files.output, files.overwrite)) {
            DatasetCommands.Todo pending = DatasetCommands.todo(contents.lines(), files.limit, sink.done());
            List<Datasets.Line> todo = pending.lines();
            alreadyDone = pending.alreadyDone();
            if (!todo.isEmpty()) {
                DatasetCommands.noteTestModel(err, ranker);
                List<AutoCloseable> made = new ArrayList<>();
                Map<String, LlmClient> byName = new java.util.LinkedHashMap<>();
                for (String value : llms) {
                    BlendCommand.LlmSpec llm = BlendCommand.parseLlm(spec.commandLine(), value);
                    io.llmblender.openai.OpenAiCompatibleClient client =
                            BlendCommand.client(llm, java.time.Duration.ofMinutes(2));
                    made.add(client);
                    byName.put(llm.name(), client);
                }
                List<RankingCost> costs = java.util.Collections.synchronizedList(new ArrayList<>());
                try (Progress progress = Progress.start("rank", todo.size(), err)) {
                    Ranker chosen = ModelOptions.rankerModel(ranker, "--ranker", byName, false, made);
                    // only a ranker that may call an LLM is metered: the view scores one record at a time
                    Ranker model = byName.isEmpty() ? chosen : Rankers.reportingCosts(chosen, costs::add);
                    String aggregationName = aggregation.name().toLowerCase(Locale.ROOT);
                    for (List<Datasets.Line> slice : DatasetCommands.batches(todo, batch)) {
                        List<Ranking> rankings = new ArrayList<>();
                        java.util.Set<Integer> bad = rankSlice(model, slice, rankings, unrankable);
                        for (int i = 0; i < slice.size(); i++) {
                            if (bad.contains(i)) {
                                continue;
                            }
                            ObjectNode json = slice.get(i).record().json();
                            ObjectNode field = json.putObject("ranking");
                            field.put("ranker", model.name());
                            field.put("aggregation", aggregationName);
                            ArrayNode ranks = field.putArray("ranks");
                            ArrayNode scores = field.putArray("scores");
                            Ranking ranking = rankings.get(i);
                            if (ranking != null) {
                                for (int r : ranking.ranks()) {
                                    ranks.add(r);
                                }
                                for (double s : ranking.scores()) {
                                    scores.add(s);
                                }
                            }
                            sink.write(json);
                            written++;
                        }
                        progress.step(slice.size());
                    }
                } finally {
                    DatasetCommands.closeAll(made, err);
                    reportCosts(err, costs);
                }
            }
        }
        DatasetCommands.reportSkipped(err, unrankable);
        out.println(DatasetCommands.summary(
                "ranked",
                written,
                alreadyDone,
                contents.skipped().size() + unrankable.size(),
                System.nanoTime() - start,
                files.output));
        out.flush();
        return 0;
    }

    /** Sums what an LLM-calling ranker reported, per LLM, on standard error (also for {@code blend}). */
    static void reportCosts(PrintWriter err, List<RankingCost> costs) {
        Map<String, long[]> sums = new java.util.TreeMap<>();
        synchronized (costs) {
            for (RankingCost c : costs) {
                long[] s = sums.computeIfAbsent(c.llm(), k -> new long[4]);
                s[0] += c.calls();
                s[1] += c.unreportedCalls();
                s[2] += c.promptTokens();
                s[3] += c.completionTokens();
            }
        }
        sums.forEach((llm, s) -> err.printf(
                Locale.ROOT,
                "ranking asked %s %d times (%d prompt + %d completion tokens reported%s)%n",
                llm,
                s[0],
                s[2],
                s[3],
                s[1] == 0 ? "" : "; " + s[1] + " calls reported none"));
    }

    /**
     * Ranks a slice into {@code rankings}; when the ranker refuses the slice (a record over its limits: too many
     * candidates, a text too long), ranks its records one by one and treats each it refuses as a bad line, as
     * {@code --on-bad-line} says: under stop the run fails naming {@code file:line}, under skip the record is left
     * out and its message added to {@code skipped}.
     *
     * @return the indices in the slice of the records left out
     */
    private java.util.Set<Integer> rankSlice(
            Ranker model, List<Datasets.Line> slice, List<Ranking> rankings, List<String> skipped) {
        try {
            rankings.addAll(rank(model, slice));
            return java.util.Set.of();
        } catch (IllegalArgumentException refused) {
            java.util.Set<Integer> bad = new java.util.HashSet<>();
            for (int i = 0; i < slice.size(); i++) {
                Datasets.Line line = slice.get(i);
                try {
                    rankings.add(rank(model, List.of(line)).get(0));
                } catch (IllegalArgumentException e) {
                    DatasetCommands.badLine(
                            files.input,
                            line.number(),
                            "the ranker cannot rank this record: " + e.getMessage(),
                            files.onBadLine,
                            skipped);
                    rankings.add(null);
                    bad.add(i);
                }
            }
            return bad;
        }
    }

    /**
     * Ranks a slice of records: those with two or more candidates in one ranker call (one call each under bubble),
     * one candidate trivially, none as {@code null}.
     */
    private List<Ranking> rank(Ranker model, List<Datasets.Line> slice) {
        List<Ranking> out = new ArrayList<>(slice.size());
        List<Integer> asked = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<List<String>> candidates = new ArrayList<>();
        for (int i = 0; i < slice.size(); i++) {
            DatasetRecord record = slice.get(i).record();
            int n = record.candidates().size();
            out.add(n == 1 ? Ranking.ofScores(0.0) : null);
            if (n >= 2) {
                asked.add(i);
                sources.add(source(record));
                candidates.add(record.texts());
            }
        }
        if (asked.isEmpty()) {
            return out;
        }
        if (aggregation == Aggregation.BUBBLE) {
            for (int k = 0; k < asked.size(); k++) {
                out.set(asked.get(k), Rankings.rank(model, sources.get(k), candidates.get(k), aggregation, 0L));
            }
        } else {
            List<Ranking> ranked = Rankings.rankAll(model, sources, candidates, aggregation);
            for (int k = 0; k < asked.size(); k++) {
                out.set(asked.get(k), ranked.get(k));
            }
        }
        return out;
    }

    /** What a record's candidates answer: instruction + input, as {@code Prompt.of(instruction, input).source()}. */
    static String source(DatasetRecord record) {
        return record.instruction() + record.input();
    }
}
