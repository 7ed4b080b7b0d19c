package io.llmblender.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.ranker.PairRanker;
import io.llmblender.spark.RankerHolder;
import io.llmblender.spark.SparkDatasets;
import io.llmblender.spark.SparkRanking;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Spark's overhead on one machine: the same records ranked by the same ranker with {@code SparkRanking} on
 * {@code local[1]} and {@code local[2]} and with {@link PairRanker#rank(List, List)} on one JVM, batches of
 * {@code --batch} records in both (what {@code blender rank} does, without its file I/O). Prints records/s and pairs/s
 * (ordered pairs N(N-1) per record) and writes {@code target/bench/spark.json}.
 *
 * <p><b>Method.</b> Each timed pass starts from a newly loaded ranker (so its text-vector cache is cold, as for unseen
 * data) that has ranked one warm-up record, so that model loading and the first-call JIT are not timed. A Spark pass
 * reads the JSONL, repartitions it into as many tasks as the master has cores, ranks and writes to Spark's
 * {@code noop} sink (everything computed, nothing stored); the Spark session is started once per master and not
 * timed. In local mode the executor is the driver JVM: the tasks share one ranker, each ranker call on one engine
 * thread (PairRanker's default). The median of {@code --reps} passes is reported.
 *
 * <p>From the repository root (built without installing, the class path from the reactor):
 * <pre>
 * mvn -B -ntp -q install -DskipTests
 * OPT_OUT_TRACKING=true mvn -B -ntp -q -pl blender-bench exec:java@spark-bench -Dexec.args="--reps 3"
 * </pre>
 */
public final class SparkBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WARM_UP = "{\"id\": \"warm-up\", \"instruction\": \"What is 2 + 3?\", \"input\": \"\","
            + " \"candidates\": [{\"model\": \"a\", \"text\": \"5\"}, {\"model\": \"b\", \"text\": \"It is 6.\"}]}";

    private SparkBenchmark() {}

    @Command(
            name = "spark-bench",
            mixinStandardHelpOptions = true,
            description = "SparkRanking on local[1] and local[2] against PairRanker on one JVM, same data and ranker.")
    static final class Options implements BenchArgs.Checked {
        @Option(names = "--data", description = "MixInstruct records (default: ${DEFAULT-VALUE})")
        Path data = BenchArgs.repositoryRoot().resolve("data/gsm8k-100.jsonl");

        @Option(
                names = "--ranker",
                description = "ranker directory, or default for the shipped one (default: ${DEFAULT-VALUE})")
        String ranker = RankerHolder.DEFAULT;

        @Option(names = "--batch", description = "records per ranker call (default: ${DEFAULT-VALUE})")
        int batch = 8;

        @Option(names = "--reps", description = "timed passes per configuration (default: ${DEFAULT-VALUE})")
        int reps = 3;

        @Option(names = "--masters", split = ",", description = "Spark local masters (default: ${DEFAULT-VALUE})")
        List<String> masters = new ArrayList<>(List.of("local[1]", "local[2]"));

        @Option(names = "--out", description = "JSON report (default: ${DEFAULT-VALUE})")
        Path out = Path.of("target", "bench", "spark.json");

        @Override
        public void check(CommandLine commandLine) {
            BenchArgs.positive(commandLine, "--batch", batch);
            BenchArgs.positive(commandLine, "--reps", reps);
            for (String master : masters) {
                if (!master.matches("local\\[\\d+]")) {
                    throw new CommandLine.ParameterException(
                            commandLine, "--masters must list local[N] masters, found " + master);
                }
            }
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param args see {@link Options}
     * @throws IOException if the data cannot be read or the report written
     */
    public static void main(String[] args) throws IOException {
        Options options = BenchArgs.parseOrExit(new Options(), args);
        if (options == null) {
            return;
        }
        Path dir = RankerHolder.resolve(options.ranker);
        List<String> sources = new ArrayList<>();
        List<List<String>> candidates = new ArrayList<>();
        long pairs = 0;
        for (String line : Files.readAllLines(options.data, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode record = JSON.readTree(line);
            sources.add(
                    record.path("instruction").asText("") + record.path("input").asText(""));
            List<String> texts = new ArrayList<>();
            record.get("candidates").forEach(c -> texts.add(c.get("text").asText()));
            candidates.add(texts);
            pairs += (long) texts.size() * (texts.size() - 1);
        }
        int records = sources.size();
        ObjectNode report = JSON.createObjectNode();
        report.put("data", options.data.toString());
        report.put("ranker", dir.toString());
        report.put("records", records);
        report.put("pairs", pairs);
        report.put("batch", options.batch);
        report.put("reps", options.reps);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode rows = report.putArray("configurations");

        long[] oneJvm = new long[options.reps];
        for (int r = 0; r < options.reps; r++) {
            try (PairRanker ranker = PairRanker.load(dir)) {
                ranker.rank(List.of("What is 2 + 3?"), List.of(List.of("5", "It is 6.")));
                long start = System.nanoTime();
                for (int from = 0; from < records; from += options.batch) {
                    int to = Math.min(records, from + options.batch);
                    ranker.rank(sources.subList(from, to), candidates.subList(from, to));
                }
                oneJvm[r] = System.nanoTime() - start;
            }
        }
        add(rows, "one JVM (PairRanker.rank, as blender rank)", oneJvm, records, pairs);

        Path warmUp = Files.createTempFile("spark-bench-warm-up", ".jsonl");
        Files.writeString(warmUp, WARM_UP + "\n", StandardCharsets.UTF_8);
        SparkRanking.Options ranking =
                SparkRanking.Options.defaults().withRanker(dir.toString()).withBatchSize(options.batch);
        for (String master : options.masters) {
            int cores = Integer.parseInt(master.replaceAll("\\D", ""));
            SparkSession spark = SparkSession.builder()
                    .master(master)
                    .appName("spark-bench")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            long[] times = new long[options.reps];
            try {
                for (int r = 0; r < options.reps; r++) {
                    RankerHolder.closeAll();
                    noop(SparkRanking.rank(SparkDatasets.readJsonl(spark, warmUp.toString()), ranking));
                    long start = System.nanoTime();
                    noop(SparkRanking.rank(
                            SparkDatasets.readJsonl(spark, options.data.toString())
                                    .repartition(cores),
                            ranking));
                    times[r] = System.nanoTime() - start;
                }
            } finally {
                spark.stop();
                RankerHolder.closeAll();
            }
            add(rows, "Spark " + master + " (SparkRanking, " + cores + " tasks)", times, records, pairs);
        }
        Files.deleteIfExists(warmUp);

        Files.createDirectories(options.out.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(options.out.toFile(), report);
        System.out.printf(
                Locale.ROOT,
                "%d records, %d ordered pairs, batch %d, ranker %s, median of %d%n",
                records,
                pairs,
                options.batch,
                dir,
                options.reps);
        System.out.printf(Locale.ROOT, "%-48s %10s %10s %10s%n", "configuration", "median s", "records/s", "pairs/s");
        for (JsonNode row : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "%-48s %10.2f %10.1f %10.1f%n",
                    row.get("configuration").asText(),
                    row.get("median_s").asDouble(),
                    row.get("records_per_s").asDouble(),
                    row.get("pairs_per_s").asDouble());
        }
        System.out.println("wrote " + options.out);
    }

    private static void noop(Dataset<Row> rows) {
        rows.write().format("noop").mode("overwrite").save();
    }

    private static void add(ArrayNode rows, String name, long[] nanos, int records, long pairs) {
        double seconds = BenchStats.median(nanos) / 1e9;
        ObjectNode row = rows.addObject();
        row.put("configuration", name);
        row.put("median_s", BenchStats.round(seconds, 3));
        row.put("records_per_s", BenchStats.round(records / seconds, 1));
        row.put("pairs_per_s", BenchStats.round(pairs / seconds, 1));
        ArrayNode all = row.putArray("passes_s");
        for (long n : nanos) {
            all.add(BenchStats.round(n / 1e9, 3));
        }
    }
}
