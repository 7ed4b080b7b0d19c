package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RankJob --chunk: a job killed (SIGKILL, in a child JVM) and run again writes every record exactly once. */
class SparkResumeTest {

    private static final int RECORDS = 100;
    private static final int CHUNK = 5;
    private static final int CHUNKS = RECORDS / CHUNK;

    @TempDir
    static Path tmp;

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("blender-spark-resume-test");
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    private static String[] args(Path out, int chunk) {
        return new String[] {
            "--input",
            LocalSpark.gsm8k().toAbsolutePath().toString(),
            "--output",
            out.toString(),
            "--ranker",
            LocalSpark.tinyRanker().toString(),
            "--chunk",
            Integer.toString(chunk),
            "--partitions",
            "2",
            "--batch",
            "4"
        };
    }

    /** Runs RankJob.main in a new JVM with the test classpath, as spark-submit would in local mode. */
    private static Process startChild(String[] args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dspark.master=local[2]");
        command.add("-Dspark.ui.enabled=false");
        command.add("-Dspark.driver.host=127.0.0.1");
        command.add("-Dspark.driver.bindAddress=127.0.0.1");
        for (String property : List.of("ai.djl.offline", "ai.djl.pytorch.num_threads", "blender.cache.dir")) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.add(RankJob.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return builder.start();
    }

    private static List<Path> committed(Path out) throws IOException {
        Path markers = out.resolve(ChunkedOutput.MARKERS);
        if (!Files.isDirectory(markers)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(markers)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d+"))
                    .sorted()
                    .toList();
        }
    }

    private static Map<Path, FileTime> partFiles(Path chunkDir) throws IOException {
        Map<Path, FileTime> out = new HashMap<>();
        try (Stream<Path> files = Files.list(chunkDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .toList()) {
                out.put(f, Files.getLastModifiedTime(f));
            }
        }
        return out;
    }

    private static Map<String, Row> byId(List<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        for (Row row : rows) {
            assertThat(out.put(row.getString(row.fieldIndex("id")), row))
                    .as("a second row for one id")
                    .isNull();
        }
        return out;
    }

    @Test
    void aKilledJobRunAgainWritesEveryRecordOnceAndSkipsTheCommittedChunks() throws Exception {
        Path out = tmp.resolve("killed");
        Path log = tmp.resolve("child.log");
        Process child = startChild(args(out, CHUNK), log);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (committed(out).isEmpty()) {
                if (!child.isAlive() || System.nanoTime() > deadline) {
                    fail("the child job committed no chunk; exit " + (child.isAlive() ? "none" : child.exitValue())
                            + ", log:\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                Thread.sleep(10);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
        List<Path> before = committed(out);
        assertThat(before)
                .as("killed after the first chunk, before the last")
                .isNotEmpty()
                .hasSizeLessThan(CHUNKS);
        Map<Path, FileTime> kept = new HashMap<>();
        for (Path marker : before) {
            kept.putAll(partFiles(Path.of(ChunkedOutput.chunkDir(
                    out.toString(), Integer.parseInt(marker.getFileName().toString())))));
        }
        assertThat(kept).isNotEmpty();
        // What a kill in the middle of writing a chunk leaves: a part file of a chunk that has no marker.
        Path torn = Path.of(ChunkedOutput.chunkDir(out.toString(), CHUNKS - 1));
        Files.createDirectories(torn);
        Files.writeString(torn.resolve("part-99999-torn.json"), "{\"id\": \"gsm8k-test-0\"}\n");

        assertThat(RankJob.run(spark, args(out, CHUNK))).isEqualTo(RECORDS);

        assertThat(committed(out)).hasSize(CHUNKS);
        for (Map.Entry<Path, FileTime> file : kept.entrySet()) {
            assertThat(Files.getLastModifiedTime(file.getKey()))
                    .as("committed chunk file %s untouched", file.getKey())
                    .isEqualTo(file.getValue());
        }
        Map<String, Row> resumed = byId(spark.read().json(out.toString()).collectAsList());
        assertThat(resumed).hasSize(RECORDS);

        Path whole = tmp.resolve("uninterrupted");
        RankJob.run(
                spark,
                "--input",
                LocalSpark.gsm8k().toAbsolutePath().toString(),
                "--output",
                whole.toString(),
                "--ranker",
                LocalSpark.tinyRanker().toString(),
                "--partitions",
                "2");
        Map<String, Row> expected = byId(spark.read().json(whole.toString()).collectAsList());
        assertThat(resumed.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<String, Row> entry : expected.entrySet()) {
            Row want = entry.getValue();
            Row got = resumed.get(entry.getKey());
            List<Double> wantScores = LocalSpark.scores(want);
            List<Double> gotScores = LocalSpark.scores(got);
            assertThat(gotScores).hasSameSizeAs(wantScores);
            for (int c = 0; c < wantScores.size(); c++) {
                assertThat(gotScores.get(c)).isCloseTo(wantScores.get(c), within(1e-5));
            }
            assertThat(LocalSpark.ranks(got)).isEqualTo(LocalSpark.ranks(want));
        }
    }

    @Test
    void aFinishedJobRunAgainComputesNothingAndAnotherJobOnItsOutputIsRefused() throws IOException {
        Path out = tmp.resolve("twice");
        assertThat(RankJob.run(spark, args(out, 40))).isEqualTo(RECORDS);
        Map<Path, FileTime> first = partFiles(Path.of(ChunkedOutput.chunkDir(out.toString(), 0)));
        assertThat(RankJob.run(spark, args(out, 40))).isEqualTo(RECORDS);
        assertThat(partFiles(Path.of(ChunkedOutput.chunkDir(out.toString(), 0))))
                .isEqualTo(first);
        assertThat(committed(out)).hasSize(3);
        assertThatThrownBy(() -> RankJob.run(spark, args(out, 30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds chunks of another job")
                .hasMessageContaining("chunk records 40")
                .hasMessageContaining("chunk records 30");
    }
}
