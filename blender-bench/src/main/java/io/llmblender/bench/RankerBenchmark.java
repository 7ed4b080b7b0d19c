package io.llmblender.bench;

import static io.llmblender.bench.BenchStats.median;
import static io.llmblender.bench.BenchStats.putMillis;
import static io.llmblender.bench.BenchStats.round;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.cli.Version;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranking;
import io.llmblender.eval.dataset.Gsm8kData;
import io.llmblender.eval.dataset.Gsm8kData.Question;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.internal.MicroBatches;
import io.llmblender.ranker.internal.PairModel;
import io.llmblender.ranker.internal.PairModel.Batch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Measures how close {@link PairRanker#rank(String, List)} comes to the engine's limit, and how
 * much faster it is than the reference implementation's schedule, on a tiny and a base-sized
 * PairRM-shaped model. Writes {@code target/bench/ranker.json} and prints a table.
 *
 * <p>For each model and each N (default 4, 8, 12) it ranks N candidate answers of realistic
 * length: the source is one GSM8K question of the bundled data
 * ({@code io/llmblender/eval/data/gsm8k_responses.csv}), the candidates that question's two
 * answers followed by the answers to the next questions. Three throughputs, in ordered pairs per
 * second, each the median of several timed repetitions after a warm-up:
 * <ul>
 *   <li>{@code pairs_per_s}: {@code PairRanker.rank}, everything included (tokenizing, packing,
 *       the forward passes, the ranking);</li>
 *   <li>{@code raw_forward_pairs_per_s}: the same N(N-1) rows ({@link PairRanker#encodePair}),
 *       packed into the same micro-batches, built before the clock starts and pushed straight
 *       through one DJL predictor of the same TorchScript file: the engine's limit for this
 *       work;</li>
 *   <li>{@code reference_schedule_pairs_per_s}: LLM-Blender's schedule, one forward pass per
 *       ordered pair, each row alone padded to {@link PairRanker#maxRowLength()}. Slow on the base
 *       model, so only a sample of the pairs is timed ({@code reference_sample_pairs}).</li>
 * </ul>
 * Target: {@code pairs_per_s / raw_forward_pairs_per_s >= 0.9}, and at least twice the reference
 * schedule at N = 12 on the base-sized model. A second section ({@code varying}) ranks a run of
 * different questions once each, so that every call brings new batch shapes (as in real use), and
 * times the ranker and the raw predictor on them.
 *
 * <p>The base-sized model (hidden 768, 12 layers, about 350 MB) is not committed; make it first,
 * from the repository root (a minute or so; {@code models/build/} is ignored by git):
 * <pre>
 * /usr/bin/python3 models/make_tiny_pairranker.py --preset base --out models/build/pairranker-base
 * </pre>
 * Without it the base model is skipped with a message. Then, from the repository root:
 * <pre>
 * mvn -B -ntp -q install -DskipTests
 * OPT_OUT_TRACKING=true mvn -B -ntp -q -pl blender-bench exec:java@ranker-bench \
 *     -Dexec.args="--n 4,8,12 --reps 5 --base-reps 2"
 * </pre>
 * {@code exec:java} runs in Maven's own JVM, in the directory Maven was started from. Relative
 * paths given as options resolve against that directory; the defaults ({@code models/pairranker},
 * {@code models/build/pairranker-base}, {@code target/bench/ranker.json}) resolve against the
 * repository root, found by walking up from it. Add {@code -Dai.djl.pytorch.graph_optimizer=false}
 * to the Maven command to run TorchScript without its profiling graph optimizer.
 *
 * <p>Options (all optional): {@code --tiny DIR|none}, {@code --base DIR|none}, {@code --n 4,8,12},
 * {@code --question I} (index of the source question in the data, default 0),
 * {@code --reps K} and {@code --base-reps K} (timed repetitions, default 5 and 2),
 * {@code --warmup K} and {@code --base-warmup K} (untimed calls first, default 2 and 1),
 * {@code --reference-sample K} and {@code --base-reference-sample K} (pairs timed for the reference
 * schedule, 0 for all; default 0 and 6), {@code --reference-reps K} and
 * {@code --base-reference-reps K} (default 3 and 1), {@code --varying-questions K} and
 * {@code --base-varying-questions K} (questions of the varying-shapes section, 0 to skip; default
 * 10 and 0), {@code --varying-n N} (default 8), {@code --optimizer-ab K} (default 0, off: K
 * questions, at N cycling through 2 to {@code --varying-n}, pushed through two more instances of
 * the model, one with TorchScript's graph optimizer on and one with it off, interleaved),
 * {@code --token-budget T} (16384), {@code --max-batch-rows R} (64), {@code --device cpu|gpu}
 * (cpu), {@code --data FILE} (a CSV with the bundled data's columns) and {@code --out FILE}.
 * {@code --help} lists them with their defaults.
 */
public final class RankerBenchmark {

    private static final double MILLIS = 1e-6;
    /** The [PAD] id the exported rankers use (BERT and DeBERTa vocabularies). */
    private static final long PAD = 0L;

    private RankerBenchmark() {}

    /**
     * Runs the benchmark, writes the JSON report and prints the table. {@code --help} prints the
     * usage instead; an unknown option, or a malformed or out-of-range value, prints a message that
     * names the option and the value, and the usage, on standard error and exits with status 2.
     *
     * @param args the options described in the class documentation
     * @throws IOException if the data cannot be read or the report cannot be written
     * @throws IllegalArgumentException if the data has too few questions for the largest N from
     *     {@code --question}
     */
    public static void main(String[] args) throws IOException {
        Options options = BenchArgs.parseOrExit(new Options(), args);
        if (options == null) {
            return;
        }
        List<Question> questions = Gsm8kData.load(options.data);
        int maxN = options.ns.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (options.question + (maxN + 1) / 2 > questions.size()) {
            throw new IllegalArgumentException("N = " + maxN + " from question " + options.question + " needs "
                    + (maxN + 1) / 2 + " questions; the data has " + questions.size());
        }

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode report = json.createObjectNode();
        report.set("machine", machine(json, options));
        ObjectNode settings = report.putObject("settings");
        settings.put("data", options.data == null ? "classpath:" + Gsm8kData.RESOURCE : options.data.toString());
        settings.put("question", options.question);
        settings.put("token_budget", options.tokenBudget);
        settings.put("max_batch_rows", options.maxBatchRows);
        settings.put("timing", "median of the timed repetitions, after untimed warm-up calls on the same inputs");
        settings.put(
                "reference_schedule",
                "one predictor call per ordered pair, the row alone padded to"
                        + " maxRowLength() with mask 0 on padding; only the predictor calls are timed, on a sample of"
                        + " reference_sample_pairs pairs spread over the N(N-1)");
        ArrayNode results = report.putArray("results");
        ArrayNode varying = report.putArray("varying");
        ArrayNode optimizerAb = options.optimizerAb > 0 ? report.putArray("graph_optimizer_ab") : null;
        ArrayNode skipped = report.putArray("skipped");

        List<ModelRun> runs = new ArrayList<>();
        if (options.tiny != null) {
            runs.add(new ModelRun(
                    "tiny",
                    options.tiny,
                    options.reps,
                    options.warmup,
                    options.referenceSample,
                    options.referenceReps,
                    options.varyingQuestions));
        }
        if (options.base != null) {
            runs.add(new ModelRun(
                    "base",
                    options.base,
                    options.baseReps,
                    options.baseWarmup,
                    options.baseReferenceSample,
                    options.baseReferenceReps,
                    options.baseVaryingQuestions));
        }
        for (ModelRun run : runs) {
            if (!Files.isRegularFile(run.dir().resolve("ranker_config.json"))) {
                String why = "skipping the " + run.label() + " model: no model directory at "
                        + run.dir().toAbsolutePath()
                        + ("base".equals(run.label())
                                ? " (make it with: /usr/bin/python3 models/make_tiny_pairranker.py --preset base"
                                        + " --out models/build/pairranker-base)"
                                : "");
                System.out.println(why);
                skipped.add(why);
                continue;
            }
            System.out.println("== " + run.label() + " model: " + run.dir());
            benchmarkModel(run, questions, options, json, results, varying, optimizerAb);
        }

        Path out = options.out;
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        ((ObjectNode) report.get("machine"))
                .put(
                        "load_average_at_end",
                        round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        json.writeValue(out.toFile(), report);
        System.out.println();
        printTable(results);
        printVarying(varying);
        printTarget(results);
        System.out.println("wrote " + out.toAbsolutePath().normalize());
    }

    // ---------------------------------------------------------------- one model

    private static void benchmarkModel(
            ModelRun run,
            List<Question> questions,
            Options options,
            ObjectMapper json,
            ArrayNode results,
            ArrayNode varyingOut,
            ArrayNode optimizerAb)
            throws IOException {
        JsonNode config = json.readTree(run.dir().resolve("ranker_config.json").toFile());
        Device device = Device.fromName(options.device);
        // The file PairRanker picks with Precision.AUTO: the fp16 twin on a GPU when there is one.
        String file = device.isGpu() && config.hasNonNull("fp16_model_file")
                ? config.get("fp16_model_file").asText()
                : config.path("model_file").asText("pairranker.pt");
        long loadStart = System.nanoTime();
        try (PairRanker ranker = PairRanker.builder(run.dir())
                        .device(options.device)
                        .tokenBudget(options.tokenBudget)
                        .maxBatchRows(options.maxBatchRows)
                        .build();
                PairModel predictor = PairModel.load(run.dir(), file, device)) {
            System.out.printf(Locale.ROOT, "loaded in %.1f s%n", (System.nanoTime() - loadStart) * 1e-9);
            int[] shape = predictor.hiddenAndLayers();
            boolean referenceWarm = false;
            for (int n : options.ns) {
                Question q = questions.get(options.question);
                List<String> candidates = candidates(questions, options.question, n);
                ObjectNode entry = results.addObject();
                entry.put("model", run.label());
                entry.put("model_dir", run.dir().toString());
                entry.put("model_file", file);
                entry.put("hidden", shape[0]);
                entry.put("layers", shape[1]);
                entry.put("n", n);
                measure(run, ranker, predictor, q.prompt(), candidates, options, !referenceWarm, entry);
                referenceWarm = true;
                System.out.printf(
                        Locale.ROOT,
                        "%s n=%d: rank %.1f, raw %.1f, reference %.2f pairs/s%n",
                        run.label(),
                        n,
                        entry.get("pairs_per_s").asDouble(),
                        entry.get("raw_forward_pairs_per_s").asDouble(),
                        entry.get("reference_schedule_pairs_per_s").asDouble());
            }
            if (run.varyingQuestions() > 0) {
                ObjectNode entry = varyingOut.addObject();
                entry.put("model", run.label());
                varying(run, ranker, predictor, questions, options, entry);
            }
            if (optimizerAb != null) {
                ObjectNode entry = optimizerAb.addObject();
                entry.put("model", run.label());
                optimizerAb(run, ranker, file, device, questions, options, entry);
            }
        }
    }

    private static void measure(
            ModelRun run,
            PairRanker ranker,
            PairModel predictor,
            String source,
            List<String> candidates,
            Options options,
            boolean warmReference,
            ObjectNode entry) {
        int n = candidates.size();
        List<long[]> rows = new ArrayList<>();
        List<int[]> pairOf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    rows.add(ranker.encodePair(source, candidates.get(i), candidates.get(j)));
                    pairOf.add(new int[] {i, j});
                }
            }
        }
        int pairs = rows.size();
        int[] lengths = rows.stream().mapToInt(r -> r.length).toArray();
        List<int[]> batches = MicroBatches.pack(lengths, options.tokenBudget, options.maxBatchRows);
        List<Batch> packed = new ArrayList<>(batches.size());
        long paddedTokens = 0;
        for (int[] batch : batches) {
            packed.add(Batch.of(rows, batch, lengths[batch[batch.length - 1]], PAD));
            paddedTokens += (long) batch.length * lengths[batch[batch.length - 1]];
        }
        int maxRow = ranker.maxRowLength();
        int sample = run.referenceSample() <= 0 ? pairs : Math.min(run.referenceSample(), pairs);
        List<Batch> reference = new ArrayList<>(sample);
        for (int k = 0; k < sample; k++) {
            int row = (int) ((long) k * pairs / sample);
            reference.add(Batch.of(rows, new int[] {row}, maxRow, PAD));
        }

        // Warm-up: every configuration sees its own shapes a few times before the clock starts. The
        // reference's shape, [1, maxRowLength], is the same for every N: it is warmed once per model.
        Ranking ranking = null;
        float[][] rawLogits = new float[packed.size()][];
        for (int w = 0; w < run.warmup(); w++) {
            ranking = ranker.rank(source, candidates);
            forwardAll(predictor, packed, rawLogits);
            if (warmReference) {
                predictor.forward(reference.get(w % reference.size()));
            }
        }
        long[] rankTimes = new long[run.reps()];
        long[] rawTimes = new long[run.reps()];
        // Interleaved, and in alternating order, so that drift on a noisy machine hits both alike.
        for (int r = 0; r < run.reps(); r++) {
            for (int which = 0; which < 2; which++) {
                boolean rankNow = (which == 0) == (r % 2 == 0);
                long t0 = System.nanoTime();
                if (rankNow) {
                    ranking = ranker.rank(source, candidates);
                } else {
                    forwardAll(predictor, packed, rawLogits);
                }
                long elapsed = System.nanoTime() - t0;
                if (rankNow) {
                    rankTimes[r] = elapsed;
                } else {
                    rawTimes[r] = elapsed;
                }
            }
        }
        long[] referenceTimes = new long[run.referenceReps()];
        for (int r = 0; r < run.referenceReps(); r++) {
            long t0 = System.nanoTime();
            for (Batch single : reference) {
                predictor.forward(single);
            }
            referenceTimes[r] = System.nanoTime() - t0;
        }

        // The raw rows are the ranker's rows: their logits must match the matrix rank returned.
        double maxDiff = 0;
        PairwiseMatrix matrix = ranking == null ? null : ranking.matrix().orElse(null);
        if (matrix != null) {
            for (int b = 0; b < batches.size(); b++) {
                for (int k = 0; k < batches.get(b).length; k++) {
                    int[] pair = pairOf.get(batches.get(b)[k]);
                    maxDiff = Math.max(maxDiff, Math.abs(matrix.logit(pair[0], pair[1]) - rawLogits[b][k]));
                }
            }
        }

        double rankS = median(rankTimes) * 1e-9;
        double rawS = median(rawTimes) * 1e-9;
        double referenceS = median(referenceTimes) * 1e-9;
        double pairsPerS = pairs / rankS;
        double rawPerS = pairs / rawS;
        double referencePerS = sample / referenceS;
        entry.put("pairs", pairs);
        entry.put("mean_row_tokens", round(Arrays.stream(lengths).average().orElse(0), 1));
        entry.put("max_row_tokens", Arrays.stream(lengths).max().orElse(0));
        entry.put("max_row_length", maxRow);
        entry.put("batches", batches.size());
        entry.put("padded_tokens", paddedTokens);
        entry.put("pairs_per_s", round(pairsPerS, 3));
        entry.put("raw_forward_pairs_per_s", round(rawPerS, 3));
        entry.put("reference_schedule_pairs_per_s", round(referencePerS, 3));
        entry.put("ratio_vs_raw", round(pairsPerS / rawPerS, 3));
        entry.put("speedup_vs_reference", round(pairsPerS / referencePerS, 3));
        entry.put("reference_sample_pairs", sample);
        entry.put("reps", run.reps());
        entry.put("reference_reps", run.referenceReps());
        entry.put("warmup", run.warmup());
        putMillis(entry.putArray("rank_ms"), rankTimes);
        putMillis(entry.putArray("raw_forward_ms"), rawTimes);
        putMillis(entry.putArray("reference_sample_ms"), referenceTimes);
        entry.put("max_abs_logit_diff_rank_vs_raw", maxDiff);
    }

    /**
     * Ranks a run of different questions once each (new batch shapes on every call, as in real
     * use), then pushes the same packed rows through the raw predictor; both modules have only
     * seen the shapes of the main section before.
     */
    private static void varying(
            ModelRun run,
            PairRanker ranker,
            PairModel predictor,
            List<Question> questions,
            Options options,
            ObjectNode entry) {
        int n = options.varyingN;
        int need = (n + 1) / 2;
        int first = options.question + 1;
        int count = Math.min(run.varyingQuestions(), questions.size() - need - first + 1);
        long rankTotal = 0;
        long rawTotal = 0;
        int pairs = 0;
        ArrayNode rankMs = entry.putArray("rank_ms");
        ArrayNode rawMs = entry.putArray("raw_forward_ms");
        for (int k = 0; k < count; k++) {
            int q = first + k;
            String source = questions.get(q).prompt();
            List<String> candidates = candidates(questions, q, n);
            List<long[]> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i != j) {
                        rows.add(ranker.encodePair(source, candidates.get(i), candidates.get(j)));
                    }
                }
            }
            int[] lengths = rows.stream().mapToInt(r -> r.length).toArray();
            List<Batch> packed = packed(rows, lengths, options);
            long t0 = System.nanoTime();
            ranker.rank(source, candidates);
            long t1 = System.nanoTime();
            forwardAll(predictor, packed, new float[packed.size()][]);
            long t2 = System.nanoTime();
            rankTotal += t1 - t0;
            rawTotal += t2 - t1;
            pairs += rows.size();
            rankMs.add(round((t1 - t0) * MILLIS, 1));
            rawMs.add(round((t2 - t1) * MILLIS, 1));
        }
        entry.put("n", n);
        entry.put("questions", count);
        entry.put("first_question", first);
        entry.put("pairs", pairs);
        entry.put("pairs_per_s", round(pairs / (rankTotal * 1e-9), 3));
        entry.put("raw_forward_pairs_per_s", round(pairs / (rawTotal * 1e-9), 3));
        entry.put("ratio_vs_raw", round((double) rawTotal / rankTotal, 3));
    }

    /**
     * TorchScript's graph optimizer (profiling executor) on and off, in one process under the same
     * machine noise: two more instances of the model, one always called with the optimizer on, the
     * other with it off (DJL applies {@code ai.djl.pytorch.graph_optimizer} on every forward call, to
     * the calling thread), alternating which goes first. Each of the questions is run twice: the first
     * pass brings new batch shapes to both instances, the second repeats them.
     */
    private static void optimizerAb(
            ModelRun run,
            PairRanker ranker,
            String file,
            Device device,
            List<Question> questions,
            Options options,
            ObjectNode entry)
            throws IOException {
        String key = "ai.djl.pytorch.graph_optimizer";
        String before = System.getProperty(key);
        int maxN = options.varyingN;
        int first = options.question + 1;
        int count = Math.min(options.optimizerAb, questions.size() - (maxN + 1) / 2 - first + 1);
        List<List<Batch>> work = new ArrayList<>();
        ArrayNode ns = entry.putArray("n_per_question");
        int pairs = 0;
        for (int k = 0; k < count; k++) {
            int q = first + k;
            int n = 2 + k % (maxN - 1); // N cycles through 2..maxN, so batch shapes change even on the tiny model
            ns.add(n);
            List<String> candidates = candidates(questions, q, n);
            List<long[]> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i != j) {
                        rows.add(ranker.encodePair(questions.get(q).prompt(), candidates.get(i), candidates.get(j)));
                    }
                }
            }
            int[] lengths = rows.stream().mapToInt(r -> r.length).toArray();
            List<Batch> packed = packed(rows, lengths, options);
            work.add(packed);
            pairs += rows.size();
        }
        try (PairModel onPredictor = PairModel.load(run.dir(), file, device);
                PairModel offPredictor = PairModel.load(run.dir(), file, device)) {
            String[] passes = {"new_shapes", "repeated_shapes"};
            for (int pass = 0; pass < passes.length; pass++) {
                ObjectNode result = entry.putObject(passes[pass]);
                ArrayNode onMs = result.putArray("optimizer_on_ms");
                ArrayNode offMs = result.putArray("optimizer_off_ms");
                long onTotal = 0;
                long offTotal = 0;
                for (int k = 0; k < work.size(); k++) {
                    List<Batch> packed = work.get(k);
                    float[][] out = new float[packed.size()][];
                    for (int which = 0; which < 2; which++) {
                        boolean optimize = (which == 0) == (k % 2 == 0);
                        System.setProperty(key, Boolean.toString(optimize));
                        long t0 = System.nanoTime();
                        forwardAll(optimize ? onPredictor : offPredictor, packed, out);
                        long elapsed = System.nanoTime() - t0;
                        if (optimize) {
                            onTotal += elapsed;
                            onMs.add(round(elapsed * MILLIS, 1));
                        } else {
                            offTotal += elapsed;
                            offMs.add(round(elapsed * MILLIS, 1));
                        }
                    }
                }
                result.put("optimizer_on_pairs_per_s", round(pairs / (onTotal * 1e-9), 3));
                result.put("optimizer_off_pairs_per_s", round(pairs / (offTotal * 1e-9), 3));
                result.put("off_vs_on", round((double) onTotal / offTotal, 3));
                System.out.printf(
                        Locale.ROOT,
                        "graph optimizer A/B, %s model, %s: on %.2f, off %.2f pairs/s (off/on %.3f)%n",
                        run.label(),
                        passes[pass],
                        pairs / (onTotal * 1e-9),
                        pairs / (offTotal * 1e-9),
                        (double) onTotal / offTotal);
            }
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
        entry.put("questions", count);
        entry.put("pairs_per_pass", pairs);
    }

    // ---------------------------------------------------------------- batches and the raw predictor

    private static List<Batch> packed(List<long[]> rows, int[] lengths, Options options) {
        List<Batch> packed = new ArrayList<>();
        for (int[] batch : MicroBatches.pack(lengths, options.tokenBudget, options.maxBatchRows)) {
            packed.add(Batch.of(rows, batch, lengths[batch[batch.length - 1]], PAD));
        }
        return packed;
    }

    private static void forwardAll(PairModel model, List<Batch> packed, float[][] out) {
        for (int b = 0; b < packed.size(); b++) {
            out[b] = model.forward(packed.get(b));
        }
    }

    // ---------------------------------------------------------------- data

    /** N candidates for question {@code q}: its two answers, then the answers to the next questions. */
    private static List<String> candidates(List<Question> questions, int q, int n) {
        List<String> out = new ArrayList<>(n);
        for (int k = q; out.size() < n; k++) {
            out.add(questions.get(k).answerA());
            if (out.size() < n) {
                out.add(questions.get(k).answerB());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- report

    private static ObjectNode machine(ObjectMapper json, Options options) {
        ObjectNode m = json.createObjectNode();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java_version", System.getProperty("java.version"));
        m.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        m.put("djl_version", Engine.getDjlVersion());
        Engine engine = Engine.getEngine("PyTorch");
        m.put("pytorch_version", engine.getVersion());
        m.put("gpus", engine.getGpuCount());
        m.put("device", options.device);
        m.put("graph_optimizer", System.getProperty("ai.djl.pytorch.graph_optimizer", "true (default)"));
        m.put("pytorch_num_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        m.put(
                "load_average_at_start",
                round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        m.put("timestamp", Instant.now().toString());
        return m;
    }

    private static final String[] COLUMNS = {
        "model",
        "hidden",
        "layers",
        "n",
        "pairs",
        "mean_row_tokens",
        "pairs_per_s",
        "raw_forward_pairs_per_s",
        "reference_schedule_pairs_per_s",
        "ratio_vs_raw",
        "speedup_vs_reference"
    };

    private static void printTable(ArrayNode results) {
        int[] widths = new int[COLUMNS.length];
        List<String[]> cells = new ArrayList<>();
        cells.add(COLUMNS);
        for (JsonNode r : results) {
            String[] row = new String[COLUMNS.length];
            for (int c = 0; c < COLUMNS.length; c++) {
                JsonNode v = r.get(COLUMNS[c]);
                row[c] = v == null ? "" : v.isDouble() ? String.format(Locale.ROOT, "%.2f", v.asDouble()) : v.asText();
            }
            cells.add(row);
        }
        for (String[] row : cells) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String pad = " ".repeat(widths[c] - row[c].length());
                line.append(c == 0 ? row[c] + pad : "  " + pad + row[c]);
            }
            System.out.println(line);
        }
    }

    private static void printVarying(ArrayNode varying) {
        for (JsonNode v : varying) {
            System.out.printf(
                    Locale.ROOT,
                    "varying shapes, %s model, %d questions at N = %d: rank %.2f pairs/s,"
                            + " raw forward %.2f pairs/s, ratio %.3f%n",
                    v.get("model").asText(),
                    v.get("questions").asInt(),
                    v.get("n").asInt(),
                    v.get("pairs_per_s").asDouble(),
                    v.get("raw_forward_pairs_per_s").asDouble(),
                    v.get("ratio_vs_raw").asDouble());
        }
    }

    private static void printTarget(ArrayNode results) {
        for (JsonNode r : results) {
            if ("base".equals(r.get("model").asText()) && r.get("n").asInt() == 12) {
                double ratio = r.get("ratio_vs_raw").asDouble();
                double speedup = r.get("speedup_vs_reference").asDouble();
                System.out.printf(
                        Locale.ROOT,
                        "target at N = 12 on the base model: ratio_vs_raw %.3f (>= 0.9: %s),"
                                + " speedup_vs_reference %.2f (>= 2: %s)%n",
                        ratio,
                        ratio >= 0.9 ? "met" : "MISSED",
                        speedup,
                        speedup >= 2 ? "met" : "MISSED");
            }
        }
    }

    // ---------------------------------------------------------------- options

    /** One model's run settings. */
    private record ModelRun(
            String label,
            Path dir,
            int reps,
            int warmup,
            int referenceSample,
            int referenceReps,
            int varyingQuestions) {}

    /** The command line: the options described in the class documentation. */
    @Command(
            name = "RankerBenchmark",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            sortOptions = false,
            usageHelpAutoWidth = true,
            description = {
                "Times PairRanker.rank against the raw forward passes of the same TorchScript file and"
                        + " against the reference implementation's one-pass-per-pair schedule, on a tiny and a base-sized"
                        + " model; writes a JSON report and prints a table.",
                "Default paths resolve against the repository root (found by walking up from the working"
                        + " directory); paths given as options resolve against the working directory."
            })
    static final class Options implements BenchArgs.Checked {
        private static final Path ROOT = BenchArgs.repositoryRoot();

        @Option(
                names = "--tiny",
                paramLabel = "DIR|none",
                description = "The tiny model's directory, or none to skip it (default: ${DEFAULT-VALUE}).")
        Path tiny = ROOT.resolve("models/pairranker");

        @Option(
                names = "--base",
                paramLabel = "DIR|none",
                description = "The base-sized model's directory, or none to skip it; skipped with a message when"
                        + " missing (default: ${DEFAULT-VALUE}).")
        Path base = ROOT.resolve("models/build/pairranker-base");

        @Option(
                names = "--n",
                paramLabel = "N",
                split = "\\s*,\\s*",
                splitSynopsisLabel = ",",
                description = "Numbers of candidates ranked, at least 2 each (default: ${DEFAULT-VALUE}).")
        List<Integer> ns = new ArrayList<>(List.of(4, 8, 12));

        @Option(
                names = "--question",
                paramLabel = "I",
                description = "Index of the source question in the data (default: ${DEFAULT-VALUE}).")
        int question;

        @Option(
                names = "--reps",
                paramLabel = "K",
                description = "Timed repetitions on the tiny model (default: ${DEFAULT-VALUE}).")
        int reps = 5;

        @Option(
                names = "--base-reps",
                paramLabel = "K",
                description = "Timed repetitions on the base model (default: ${DEFAULT-VALUE}).")
        int baseReps = 2;

        @Option(
                names = "--warmup",
                paramLabel = "K",
                description = "Untimed calls first on the tiny model (default: ${DEFAULT-VALUE}).")
        int warmup = 2;

        @Option(
                names = "--base-warmup",
                paramLabel = "K",
                description = "Untimed calls first on the base model (default: ${DEFAULT-VALUE}).")
        int baseWarmup = 1;

        @Option(
                names = "--reference-sample",
                paramLabel = "K",
                description = "Pairs timed for the reference schedule on the tiny model, 0 for all"
                        + " (default: ${DEFAULT-VALUE}).")
        int referenceSample;

        @Option(
                names = "--base-reference-sample",
                paramLabel = "K",
                description = "Pairs timed for the reference schedule on the base model, 0 for all"
                        + " (default: ${DEFAULT-VALUE}).")
        int baseReferenceSample = 6;

        @Option(
                names = "--reference-reps",
                paramLabel = "K",
                description = "Timed repetitions of the reference schedule on the tiny model"
                        + " (default: ${DEFAULT-VALUE}).")
        int referenceReps = 3;

        @Option(
                names = "--base-reference-reps",
                paramLabel = "K",
                description = "Timed repetitions of the reference schedule on the base model"
                        + " (default: ${DEFAULT-VALUE}).")
        int baseReferenceReps = 1;

        @Option(
                names = "--varying-questions",
                paramLabel = "K",
                description = "Questions of the varying-shapes section on the tiny model, 0 to skip"
                        + " (default: ${DEFAULT-VALUE}).")
        int varyingQuestions = 10;

        @Option(
                names = "--base-varying-questions",
                paramLabel = "K",
                description = "Questions of the varying-shapes section on the base model, 0 to skip"
                        + " (default: ${DEFAULT-VALUE}).")
        int baseVaryingQuestions;

        @Option(
                names = "--varying-n",
                paramLabel = "N",
                description = "Candidates per question in the varying-shapes section (default: ${DEFAULT-VALUE}).")
        int varyingN = 8;

        @Option(
                names = "--optimizer-ab",
                paramLabel = "K",
                description = "Questions pushed through the model with TorchScript's graph optimizer on and off,"
                        + " interleaved, at N cycling through 2 to --varying-n; 0 for off (default: ${DEFAULT-VALUE}).")
        int optimizerAb;

        @Option(
                names = "--token-budget",
                paramLabel = "T",
                description = "The ranker's token budget per micro-batch (default: ${DEFAULT-VALUE}).")
        int tokenBudget = 16_384;

        @Option(
                names = "--max-batch-rows",
                paramLabel = "R",
                description = "The ranker's most rows per micro-batch (default: ${DEFAULT-VALUE}).")
        int maxBatchRows = 64;

        @Option(names = "--device", paramLabel = "cpu|gpu", description = "DJL device (default: ${DEFAULT-VALUE}).")
        String device = "cpu";

        @Option(
                names = "--data",
                paramLabel = "FILE",
                description = "A CSV with the bundled data's columns (default: the bundled GSM8K answers).")
        Path data;

        @Option(names = "--out", paramLabel = "FILE", description = "The JSON report (default: ${DEFAULT-VALUE}).")
        Path out = ROOT.resolve("target/bench/ranker.json");

        /**
         * Parses and checks a command line.
         *
         * @throws ParameterException on an unknown option, a malformed value or a value out of range
         */
        static Options parse(String... args) {
            return BenchArgs.parse(new Options(), args);
        }

        @Override
        public void check(CommandLine cl) {
            tiny = BenchArgs.noneToNull(tiny);
            base = BenchArgs.noneToNull(base);
            if (tiny != null && BenchArgs.given(cl, "--tiny")) {
                BenchArgs.existingDir(cl, "--tiny", tiny);
            }
            for (int n : ns) {
                if (n <= 0) {
                    throw new ParameterException(cl, "--n must be positive, got " + n);
                }
                if (n < 2) {
                    throw new ParameterException(cl, "--n needs at least 2 candidates, got " + n);
                }
            }
            BenchArgs.nonNegative(cl, "--question", question);
            BenchArgs.positive(cl, "--reps", reps);
            BenchArgs.positive(cl, "--base-reps", baseReps);
            BenchArgs.nonNegative(cl, "--warmup", warmup);
            BenchArgs.nonNegative(cl, "--base-warmup", baseWarmup);
            BenchArgs.nonNegative(cl, "--reference-sample", referenceSample);
            BenchArgs.nonNegative(cl, "--base-reference-sample", baseReferenceSample);
            BenchArgs.positive(cl, "--reference-reps", referenceReps);
            BenchArgs.positive(cl, "--base-reference-reps", baseReferenceReps);
            BenchArgs.nonNegative(cl, "--varying-questions", varyingQuestions);
            BenchArgs.nonNegative(cl, "--base-varying-questions", baseVaryingQuestions);
            BenchArgs.positive(cl, "--varying-n", varyingN);
            BenchArgs.nonNegative(cl, "--optimizer-ab", optimizerAb);
            BenchArgs.positive(cl, "--token-budget", tokenBudget);
            BenchArgs.positive(cl, "--max-batch-rows", maxBatchRows);
        }
    }
}
