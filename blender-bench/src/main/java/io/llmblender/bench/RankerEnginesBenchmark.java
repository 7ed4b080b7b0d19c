package io.llmblender.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Ranking;
import io.llmblender.core.rank.Rankings;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.ranker.minilm.MiniLmRewardRanker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * PairRanker's engines and precisions side by side, on the same rankings: N answers (default 4, 8 and 12) of
 * Arena-Hard prompts from {@code data/arena-holdout.jsonl} (real answers of 15 LLMs), ranked over all N(N-1) ordered
 * pairs by each variant in turn. Writes {@code target/bench/ranker-engines.json} and prints a table.
 *
 * <p>Each variant runs in a child JVM of its own (the same class path), one after another, so that its load time and
 * peak resident memory ({@code VmHWM}) are its own. Variants (each skipped with a message when its file is absent):
 * <ul>
 *   <li>{@code default-ranker}: {@link MiniLmRewardRanker#defaultRanker()}, the tool's default since it measured
 *       best on the dev sets (consensus coverage at three or more answers, no model; the trained reward ranker for
 *       two); timed beside the MiniLM variants without a Kendall tau (it ranks differently by design);</li>
 *   <li>{@code rows-fp32-pytorch}: the pair-row model of the shipped weights (TorchScript,
 *       {@code models/build/segment-export/pairranker-rows.pt}): N(N-1) rows of source + two answers, the layout
 *       the previous default ran;</li>
 *   <li>{@code segment-fp32-pytorch}: {@code encoder-fp32.pt}, texts encoded alone, N + 1 passes (the
 *       reference);</li>
 *   <li>{@code segment-int8-pytorch}: {@code encoder-int8.pt}, torch dynamic quantization of every Linear;</li>
 *   <li>{@code segment-fp32-onnx}: the shipped {@code encoder.onnx} (fp16-stored weights, fp32 arithmetic) on
 *       OnnxRuntime;</li>
 *   <li>{@code segment-int8-onnx}: {@code encoder-int8.onnx}, attention MatMuls int8, feed-forward fp32;</li>
 *   <li>{@code segment-int8-onnx-all}: {@code encoder-int8-all.onnx}, every MatMul int8;</li>
 *   <li>{@code base-random-rows}: the base-sized random PairRM-shaped model ({@code models/build/pairranker-base},
 *       made by {@code models/make_tiny_pairranker.py --preset base}) at the smallest N only: what a user would
 *       otherwise run;</li>
 *   <li>each {@code --ranker-dir NAME=DIR}: another ranker directory as it is (other weights, e.g. the reward
 *       ranker of {@code models/export_reward_ranker.py}), timed beside the others without a Kendall tau.</li>
 * </ul>
 * Every variant except the base model ranks with the same weights, so the report also gives each one's mean
 * Kendall tau against {@code segment-fp32-pytorch}'s rankings and the largest logit difference. The vector cache is
 * off ({@code cacheSize(0)}) so that repeated rankings are measured, not remembered. The variant directories are
 * kept under {@code target/bench/ranker-variants/} (links to the model files plus a config) for
 * {@code pair-accuracy --ranker}.
 *
 * <p>Files other than the shipped one are in {@code models/build/segment-export/}, written by
 * {@code models/export_segment_ranker.py}. From the repository root:
 * <pre>
 * mvn -B -ntp -q install -DskipTests
 * OPT_OUT_TRACKING=true mvn -B -ntp -q -pl blender-bench exec:java@ranker-engines -Dexec.args="--prompts 10 --reps 3"
 * </pre>
 */
public final class RankerEnginesBenchmark {

    private static final String REFERENCE = "segment-fp32-pytorch";
    /** The variant that runs {@link MiniLmRewardRanker#defaultRanker()} instead of a PairRanker directory. */
    private static final String DEFAULT_RANKER = "default-ranker";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RankerEnginesBenchmark() {}

    @Command(
            name = "ranker-engines",
            mixinStandardHelpOptions = true,
            description = "PairRanker's engines and precisions side by side on the same Arena-Hard rankings.")
    static final class Options implements BenchArgs.Checked {
        @Option(names = "--n", split = ",", description = "answers per ranking (default: ${DEFAULT-VALUE})")
        List<Integer> sizes = new ArrayList<>(List.of(4, 8, 12));

        @Option(names = "--prompts", description = "prompts ranked per N and repetition (default: ${DEFAULT-VALUE})")
        int prompts = 10;

        @Option(names = "--reps", description = "timed passes over the prompts (default: ${DEFAULT-VALUE})")
        int reps = 3;

        @Option(names = "--base-prompts", description = "prompts for the base-sized model (default: ${DEFAULT-VALUE})")
        int basePrompts = 3;

        @Option(names = "--threads", description = "engine threads per variant (default: ${DEFAULT-VALUE})")
        int threads = 1;

        @Option(
                names = "--also-threads",
                description = "also run the --also-threads-variants with this many"
                        + " threads, named VARIANT@Nt (default: ${DEFAULT-VALUE}, none)")
        int alsoThreads = 0;

        @Option(
                names = "--also-threads-variants",
                split = ",",
                description = "the variants --also-threads reruns (default: ${DEFAULT-VALUE})")
        List<String> alsoThreadsVariants = new ArrayList<>(List.of("segment-fp32-onnx", "segment-int8-onnx"));

        @Option(names = "--variants", split = ",", description = "variants to run (default: all)")
        List<String> variants = new ArrayList<>();

        @Option(
                names = "--segment-file",
                description = "another encoder file of the shipped weights to run as a"
                        + " variant named after it (repeatable)")
        List<Path> segmentFiles = new ArrayList<>();

        @Option(
                names = "--ranker-dir",
                description = "another ranker directory, run as it is and named NAME (repeatable, NAME=DIR): other"
                        + " weights, so no Kendall tau against the reference; e.g. the reward ranker beside today's")
        Map<String, Path> rankerDirs = new LinkedHashMap<>();

        @Option(names = "--data", description = "MixInstruct records (default: ${DEFAULT-VALUE})")
        Path data = BenchArgs.repositoryRoot().resolve("data/arena-holdout.jsonl");

        @Option(names = "--build", description = "the export's scratch files (default: ${DEFAULT-VALUE})")
        Path build = BenchArgs.repositoryRoot().resolve("models/build/segment-export");

        @Option(names = "--base", description = "the base-sized random model (default: ${DEFAULT-VALUE})")
        Path base = BenchArgs.repositoryRoot().resolve("models/build/pairranker-base");

        @Option(names = "--out", description = "JSON report (default: ${DEFAULT-VALUE})")
        Path out = Path.of("target", "bench", "ranker-engines.json");

        @Option(names = "--child", hidden = true)
        String child;

        @Option(names = "--child-dir", hidden = true)
        Path childDir;

        @Override
        public void check(CommandLine commandLine) {
            BenchArgs.positive(commandLine, "--prompts", prompts);
            BenchArgs.positive(commandLine, "--reps", reps);
            BenchArgs.positive(commandLine, "--threads", threads);
            for (int n : sizes) {
                if (n < 2 || n > 15) {
                    throw new CommandLine.ParameterException(
                            commandLine, "--n must list sizes from 2 to 15 (the records have 15 answers), found " + n);
                }
            }
        }
    }

    /**
     * A variant: its name, its model file (absolute) and the config fields that differ from the shipped one; or, with
     * {@code dir}, a whole ranker directory run as it is.
     */
    private record Variant(String name, Path file, boolean segment, boolean smallestOnly, Path dir) {
        Variant(String name, Path file, boolean segment, boolean smallestOnly) {
            this(name, file, segment, smallestOnly, null);
        }
    }

    /**
     * Runs every variant in a child JVM, or (with the hidden {@code --child}) one variant in this one.
     *
     * @param args see {@link Options}
     * @throws Exception if a child fails or the report cannot be written
     */
    public static void main(String[] args) throws Exception {
        Options options = BenchArgs.parseOrExit(new Options(), args);
        if (options == null) {
            return;
        }
        if (options.child != null) {
            runChild(options);
            return;
        }
        Path shipped = MiniLmRanker.directory();
        List<Variant> all = new ArrayList<>(List.of(
                new Variant(DEFAULT_RANKER, null, false, false),
                new Variant("rows-fp32-pytorch", options.build.resolve("pairranker-rows.pt"), false, false),
                new Variant(REFERENCE, options.build.resolve("encoder-fp32.pt"), true, false),
                new Variant("segment-int8-pytorch", options.build.resolve("encoder-int8.pt"), true, false),
                new Variant("segment-fp32-onnx", shipped.resolve("encoder.onnx"), true, false),
                new Variant("segment-int8-onnx", options.build.resolve("encoder-int8.onnx"), true, false),
                new Variant("segment-int8-onnx-all", options.build.resolve("encoder-int8-all.onnx"), true, false),
                new Variant("base-random-rows", options.base.resolve("pairranker.pt"), false, true)));
        for (Path file : options.segmentFiles) {
            all.add(all.size() - 1, new Variant("file-" + file.getFileName(), file.toAbsolutePath(), true, false));
        }
        for (Map.Entry<String, Path> other : options.rankerDirs.entrySet()) {
            Path dir = other.getValue().toAbsolutePath();
            all.add(all.size() - 1, new Variant(other.getKey(), dir.resolve("ranker_config.json"), false, false, dir));
        }
        Path variants = BenchArgs.repositoryRoot().resolve("target/bench/ranker-variants");
        ObjectNode report = JSON.createObjectNode();
        report.put("data", options.data.toString());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("threads", options.threads);
        report.put("prompts", options.prompts);
        report.put("reps", options.reps);
        ObjectNode results = report.putObject("variants");
        List<Object[]> runs = new ArrayList<>();
        for (Variant v : all) {
            runs.add(new Object[] {v, options.threads, v.name()});
        }
        if (options.alsoThreads > 0) {
            for (Variant v : all) {
                if (options.alsoThreadsVariants.contains(v.name())) {
                    runs.add(new Object[] {v, options.alsoThreads, v.name() + "@" + options.alsoThreads + "t"});
                }
            }
        }
        for (Object[] run : runs) {
            Variant v = (Variant) run[0];
            int threads = (Integer) run[1];
            String name = (String) run[2];
            if (!options.variants.isEmpty() && !options.variants.contains(v.name())) {
                continue;
            }
            boolean builtIn = v.file() == null;
            if (!builtIn && !Files.isRegularFile(v.file())) {
                System.out.println("skipping " + v.name() + ": no " + v.file());
                continue;
            }
            Path dir = builtIn
                    ? shipped
                    : v.dir() != null
                            ? v.dir()
                            : variantDirectory(variants.resolve(v.name()), v, shipped, options.base);
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dai.djl.offline=true",
                    "-cp",
                    classPath(),
                    RankerEnginesBenchmark.class.getName(),
                    "--child",
                    v.name(),
                    "--child-dir",
                    dir.toString(),
                    "--prompts",
                    Integer.toString(v.smallestOnly() ? options.basePrompts : options.prompts),
                    "--reps",
                    Integer.toString(v.smallestOnly() ? 1 : options.reps),
                    "--threads",
                    Integer.toString(threads),
                    "--data",
                    options.data.toString(),
                    "--n",
                    v.smallestOnly()
                            ? Integer.toString(
                                    options.sizes.stream().min(Integer::compare).orElseThrow())
                            : join(options.sizes)));
            System.out.println("running " + name + " ...");
            ObjectNode result = (ObjectNode) runProcess(command);
            result.put("threads", threads);
            if (v.dir() != null || builtIn) {
                result.put("other_weights", true);
                result.put("dir", builtIn ? "(built in)" : v.dir().toString());
            }
            results.set(name, result);
        }
        compare(results);
        print(results, options.sizes);
        Files.createDirectories(options.out.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(options.out.toFile(), report);
        System.out.println("wrote " + options.out);
    }

    /** A directory of links to the shared files plus a config naming only this variant's model file. */
    private static Path variantDirectory(Path dir, Variant v, Path shipped, Path base) throws IOException {
        Files.createDirectories(dir);
        Path from = v.smallestOnly() ? base : shipped;
        ObjectNode config =
                (ObjectNode) JSON.readTree(from.resolve("ranker_config.json").toFile());
        List<String> links = new ArrayList<>(List.of("tokenizer.json"));
        if (v.segment()) {
            links.add("head.bin");
        } else if (!v.smallestOnly()) {
            for (String field : List.of("architecture", "head_file", "hidden_size")) {
                config.remove(field);
            }
        }
        config.remove("int8_model_file");
        config.remove("fp16_model_file");
        config.put("model_file", v.file().getFileName().toString());
        // An int8 file runs as PairRanker runs int8: one text per call (its activation scale is per call).
        boolean int8 = v.name().contains("int8");
        if (int8) {
            config.put("int8_model_file", v.file().getFileName().toString());
        }
        config.put("precision", int8 ? "int8" : "fp32");
        links.add(v.file().getFileName().toString());
        for (String name : links) {
            Path link = dir.resolve(name);
            Files.deleteIfExists(link);
            Path target = name.equals(v.file().getFileName().toString()) ? v.file() : from.resolve(name);
            Files.createSymbolicLink(link, target.toAbsolutePath());
        }
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("ranker_config.json").toFile(), config);
        return dir;
    }

    private static JsonNode runProcess(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        JsonNode result = null;
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    result = JSON.readTree(line.substring("RESULT ".length()));
                } else if (!line.isBlank()) {
                    System.out.println("  | " + line);
                }
            }
        }
        int status = process.waitFor();
        if (status != 0 || result == null) {
            throw new IllegalStateException("the child " + command.get(command.size() - 12) + " exited with status "
                    + status + " and no result");
        }
        return result;
    }

    /** One variant: load, warm up, rank every prompt at every N {@code reps} times, report. */
    private static void runChild(Options options) throws IOException {
        List<DatasetRecord> records = new ArrayList<>();
        for (Datasets.Line line :
                Datasets.read(options.data, Datasets.OnBadLine.STOP).lines()) {
            records.add(line.record());
        }
        long t0 = System.nanoTime();
        ObjectNode out = JSON.createObjectNode();
        try (Ranker ranker = DEFAULT_RANKER.equals(options.child)
                ? MiniLmRewardRanker.defaultRanker()
                : PairRanker.builder(options.childDir)
                        .threads(options.threads)
                        .cacheSize(0)
                        .build()) {
            out.put("load_ms", BenchStats.round((System.nanoTime() - t0) / 1e6, 1));
            out.put("model", ranker.toString());
            Rankings.rank(ranker, source(records.get(0)), records.get(0).texts().subList(0, 2)); // warm-up
            ObjectNode sizes = out.putObject("sizes");
            for (int n : options.sizes) {
                List<DatasetRecord> usable =
                        records.stream().filter(r -> r.texts().size() >= n).toList();
                int prompts = Math.min(options.prompts, usable.size());
                long[] nanos = new long[prompts * options.reps];
                ArrayNode orders = JSON.createArrayNode();
                ArrayNode logits = JSON.createArrayNode();
                Rankings.rank(
                        ranker, source(usable.get(0)), usable.get(0).texts().subList(0, n)); // warm this shape
                int k = 0;
                for (int rep = 0; rep < options.reps; rep++) {
                    for (int p = 0; p < prompts; p++) {
                        DatasetRecord record = usable.get(p);
                        long start = System.nanoTime();
                        Ranking ranking = Rankings.rank(
                                ranker, source(record), record.texts().subList(0, n));
                        nanos[k++] = System.nanoTime() - start;
                        if (rep == 0) {
                            orders.add(JSON.valueToTree(ranking.order()));
                            ArrayNode row = logits.addArray();
                            for (int i = 0; i < n; i++) {
                                for (int j = 0; j < n; j++) {
                                    if (i != j) {
                                        row.add(ranking.matrix().orElseThrow().logit(i, j));
                                    }
                                }
                            }
                        }
                    }
                }
                long[] sorted = nanos.clone();
                Arrays.sort(sorted);
                long total = Arrays.stream(nanos).sum();
                ObjectNode size = sizes.putObject(Integer.toString(n));
                size.put("rankings", nanos.length);
                size.put("prompts", prompts);
                size.put("pairs_per_s", BenchStats.round((double) nanos.length * n * (n - 1) / (total / 1e9), 1));
                size.put("p50_ms", BenchStats.round(BenchStats.median(nanos) / 1e6, 1));
                size.put(
                        "p99_ms",
                        BenchStats.round(
                                sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.99 * sorted.length) - 1)] / 1e6,
                                1));
                size.set("orders", orders);
                size.set("logits", logits);
            }
        }
        out.put("peak_rss_mb", BenchStats.procStatusMb("VmHWM"));
        System.out.println("RESULT " + JSON.writeValueAsString(out));
    }

    /** Adds to each variant its mean Kendall tau and largest logit difference against the reference. */
    private static void compare(ObjectNode results) {
        JsonNode reference = results.get(REFERENCE);
        if (reference == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> entry : iterable(results)) {
            if (entry.getKey().startsWith("base-random-rows")
                    || entry.getValue().path("other_weights").asBoolean()) {
                continue;
            }
            for (Map.Entry<String, JsonNode> size :
                    iterable((ObjectNode) entry.getValue().get("sizes"))) {
                JsonNode ref = reference.get("sizes").get(size.getKey());
                if (ref == null) {
                    continue;
                }
                double tau = 0;
                double diff = 0;
                int count = Math.min(
                        ref.get("orders").size(), size.getValue().get("orders").size());
                for (int p = 0; p < count; p++) {
                    tau += kendall(
                            ref.get("orders").get(p),
                            size.getValue().get("orders").get(p));
                    JsonNode a = ref.get("logits").get(p);
                    JsonNode b = size.getValue().get("logits").get(p);
                    for (int k = 0; k < a.size(); k++) {
                        diff = Math.max(
                                diff, Math.abs(a.get(k).asDouble() - b.get(k).asDouble()));
                    }
                }
                ((ObjectNode) size.getValue()).put("kendall_tau_vs_" + REFERENCE, BenchStats.round(tau / count, 4));
                ((ObjectNode) size.getValue()).put("max_logit_diff_vs_" + REFERENCE, diff);
            }
        }
        for (Map.Entry<String, JsonNode> entry : iterable(results)) {
            for (Map.Entry<String, JsonNode> size :
                    iterable((ObjectNode) entry.getValue().get("sizes"))) {
                ((ObjectNode) size.getValue()).remove(List.of("orders", "logits"));
            }
        }
    }

    /** Kendall's tau between two orders (best first) of the same candidates. */
    static double kendall(JsonNode a, JsonNode b) {
        int n = a.size();
        int[] rankA = new int[n];
        int[] rankB = new int[n];
        for (int r = 0; r < n; r++) {
            rankA[a.get(r).asInt()] = r;
            rankB[b.get(r).asInt()] = r;
        }
        int concordant = 0;
        int discordant = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                long s = (long) Integer.signum(rankA[i] - rankA[j]) * Integer.signum(rankB[i] - rankB[j]);
                if (s > 0) {
                    concordant++;
                } else if (s < 0) {
                    discordant++;
                }
            }
        }
        return (concordant - discordant) / (n * (n - 1) / 2.0);
    }

    private static void print(ObjectNode results, List<Integer> sizes) {
        System.out.printf(
                Locale.ROOT,
                "%-26s %4s %10s %9s %9s %8s %8s %9s %10s%n",
                "variant",
                "N",
                "pairs/s",
                "p50 ms",
                "p99 ms",
                "load ms",
                "RSS MB",
                "tau",
                "max diff");
        for (Map.Entry<String, JsonNode> entry : iterable(results)) {
            JsonNode v = entry.getValue();
            for (int n : sizes) {
                JsonNode s = v.get("sizes").get(Integer.toString(n));
                if (s == null) {
                    continue;
                }
                JsonNode tau = s.get("kendall_tau_vs_" + REFERENCE);
                JsonNode diff = s.get("max_logit_diff_vs_" + REFERENCE);
                System.out.printf(
                        Locale.ROOT,
                        "%-26s %4d %10.1f %9.1f %9.1f %8.0f %8.0f %9s %10s%n",
                        entry.getKey(),
                        n,
                        s.get("pairs_per_s").asDouble(),
                        s.get("p50_ms").asDouble(),
                        s.get("p99_ms").asDouble(),
                        v.get("load_ms").asDouble(),
                        v.get("peak_rss_mb").asDouble(),
                        tau == null ? "-" : String.format(Locale.ROOT, "%.4f", tau.asDouble()),
                        diff == null ? "-" : String.format(Locale.ROOT, "%.1e", diff.asDouble()));
            }
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(ObjectNode node) {
        Map<String, JsonNode> copy = new LinkedHashMap<>();
        node.properties().forEach(e -> copy.put(e.getKey(), e.getValue()));
        return copy.entrySet();
    }

    /** This JVM's class path, or under {@code exec:java} the project's (its class loader's URLs). */
    private static String classPath() throws java.net.URISyntaxException {
        if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader loader
                && loader.getURLs().length > 0) {
            StringBuilder out = new StringBuilder();
            for (java.net.URL url : loader.getURLs()) {
                out.append(out.length() == 0 ? "" : java.io.File.pathSeparator).append(Path.of(url.toURI()));
            }
            return out.toString();
        }
        return System.getProperty("java.class.path");
    }

    private static String source(DatasetRecord record) {
        return record.instruction() + record.input();
    }

    private static String join(List<Integer> values) {
        StringBuilder out = new StringBuilder();
        for (int v : values) {
            out.append(out.length() == 0 ? "" : ",").append(v);
        }
        return out.toString();
    }
}
