package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.ReferenceMode;
import io.llmblender.ranker.PairRanker;
import io.llmblender.router.label.RewardPipeline;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.RewardRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reward labelling on local[2] Spark equals RewardPipeline on one JVM, and train-router's reader reads it. */
class SparkRewardsTest {

    private static final int RECORDS = 20;
    private static final String MIXTRAL = "mistralai/Mixtral-8x7B-Instruct-v0.1";
    private static final String GPT4 = "gpt-4-1106-preview";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static Path input;
    private static List<String> goodLines;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.start("blender-spark-rewards-test");
        goodLines = LocalSpark.gsm8kLines(RECORDS);
        input = LocalSpark.writeInput(
                tmp,
                goodLines,
                "{\"id\": \"bad-missing\", \"instruction\": \"2+2?\", \"candidates\": [{\"model\": \"" + GPT4
                        + "\", \"text\": \"4\"}]}",
                "{\"id\": \"bad-unknown\", \"instruction\": \"2+2?\", \"candidates\": [{\"model\": \"" + GPT4
                        + "\", \"text\": \"4\"}, {\"model\": \"other\", \"text\": \"5\"}]}",
                "{\"id\": \"bad-twice\", \"instruction\": \"2+2?\", \"candidates\": [{\"model\": \"" + GPT4
                        + "\", \"text\": \"4\"}, {\"model\": \"" + GPT4 + "\", \"text\": \"5\"}]}",
                "{\"id\": \"bad-empty\", \"instruction\": \"2+2?\", \"candidates\": []}",
                "{this line is not JSON");
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    /** RewardPipeline over the good records on one JVM, keyed by query. */
    private static Map<String, RewardRecord> onOneJvm(List<String> llms, ReferenceMode mode) throws IOException {
        List<String> queries = new ArrayList<>();
        List<List<String>> answers = new ArrayList<>();
        for (String line : goodLines) {
            JsonNode record = JSON.readTree(line);
            queries.add(record.get("instruction").asText() + record.get("input").asText());
            Map<String, String> byModel = new HashMap<>();
            record.get("candidates")
                    .forEach(c ->
                            byModel.put(c.get("model").asText(), c.get("text").asText()));
            answers.add(llms.stream().map(byModel::get).toList());
        }
        try (PairRanker ranker = PairRanker.load(LocalSpark.tinyRanker())) {
            Map<String, RewardRecord> out = new HashMap<>();
            for (RewardRecord record : RewardPipeline.fromRanker(ranker, queries, answers, llms, mode)) {
                out.put(record.query(), record);
            }
            assertThat(out).hasSize(RECORDS);
            return out;
        }
    }

    /** What {@code blender train-router --records} reads: every part file, with RewardRecords.read. */
    private static List<RewardRecord> readParts(Path dir) throws IOException {
        List<RewardRecord> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path part : files.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) {
                out.addAll(RewardRecords.read(part));
            }
        }
        return out;
    }

    private static void assertSame(List<RewardRecord> actual, Map<String, RewardRecord> expected, List<String> llms) {
        assertThat(actual).hasSize(RECORDS);
        for (RewardRecord record : actual) {
            RewardRecord want = expected.get(record.query());
            assertThat(want).as("a record for query %s", record.query()).isNotNull();
            assertThat(List.copyOf(record.rewards().keySet())).containsExactlyElementsOf(llms);
            assertThat(record.tags()).isEmpty();
            for (String llm : llms) {
                assertThat(record.rewards().get(llm)).isCloseTo(want.rewards().get(llm), within(1e-5));
            }
        }
    }

    @Test
    void rewardsEqualRewardPipelineOnOneJvmAndBadRecordsGoToTheSideOutput() throws IOException {
        SparkRewards.Options options = SparkRewards.Options.defaults()
                .withRanker(LocalSpark.tinyRanker().toString())
                .withBatchSize(3);
        Dataset<Row> labelled = SparkRewards.label(
                        SparkDatasets.readJsonl(spark, input.toString()).repartition(2), options)
                .cache();
        Path records = tmp.resolve("rewards");
        Path errors = tmp.resolve("errors");
        SparkRewards.write(labelled, records.toString(), errors.toString(), SaveMode.ErrorIfExists);
        labelled.unpersist();

        List<String> llms = List.of(MIXTRAL, GPT4);
        Map<String, RewardRecord> expected = onOneJvm(llms, ReferenceMode.LONGEST);
        assertSame(readParts(records), expected, llms);
        // Rank-with-reference: the longer answer is the reference and gets 0; the values are the ranker's, not 0.
        assertThat(expected.values().stream()
                        .mapToDouble(r -> Math.abs(r.rewards().get(MIXTRAL))
                                + Math.abs(r.rewards().get(GPT4)))
                        .min()
                        .orElseThrow())
                .isGreaterThan(0.0);

        Map<String, String> reasons = new HashMap<>();
        for (Row row : spark.read().json(errors.toString()).collectAsList()) {
            String id = row.isNullAt(row.fieldIndex("id")) ? "corrupt" : row.getString(row.fieldIndex("id"));
            reasons.put(id, row.getString(row.fieldIndex("error")));
        }
        assertThat(reasons)
                .containsOnly(
                        Map.entry("bad-missing", "no candidate of model " + MIXTRAL),
                        Map.entry("bad-unknown", "candidate 1 has model other, not one of " + llms),
                        Map.entry("bad-twice", "model " + GPT4 + " has two candidates"),
                        Map.entry("bad-empty", "no candidates"),
                        Map.entry("corrupt", "not a MixInstruct JSON record"));
    }

    @Test
    void anExplicitLlmOrderAndAnotherReferenceModeAreHonoured() throws IOException {
        List<String> llms = List.of(GPT4, MIXTRAL);
        SparkRewards.Options options = SparkRewards.Options.defaults()
                .withRanker(LocalSpark.tinyRanker().toString())
                .withLlms(llms)
                .withMode(ReferenceMode.FIRST);
        Path records = tmp.resolve("rewards-first");
        SparkRewards.write(
                SparkRewards.label(SparkDatasets.readJsonl(spark, input.toString()), options),
                records.toString(),
                null,
                SaveMode.ErrorIfExists);
        List<RewardRecord> actual = readParts(records);
        assertSame(actual, onOneJvm(llms, ReferenceMode.FIRST), llms);
        assertThat(actual).allSatisfy(r -> assertThat(r.rewards().get(GPT4)).isEqualTo(0.0));
    }

    @Test
    void theJobWritesChunksAndMergesThemIntoOneFileTrainRouterReads() throws IOException {
        Path out = tmp.resolve("job-rewards");
        Path merged = tmp.resolve("rewards.jsonl");
        long n = RewardJob.run(
                spark,
                "--input",
                input.toString(),
                "--output",
                out.toString(),
                "--ranker",
                LocalSpark.tinyRanker().toString(),
                "--chunk",
                "7",
                "--partitions",
                "2",
                "--merge",
                merged.toString());
        assertThat(n).isEqualTo(RECORDS + 5);
        List<String> llms = List.of(MIXTRAL, GPT4);
        assertSame(RewardRecords.read(merged), onOneJvm(llms, ReferenceMode.LONGEST), llms);
        assertThat(spark.read().json(out.resolve("_errors").toString()).count()).isEqualTo(5);
        assertThatThrownBy(() -> RewardJob.run(spark, "--input", "x", "--output", "y", "--mode", "best"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--mode must be one of [longest, shortest, median, first, last], got best");
    }

    @Test
    void badOptionsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> SparkRewards.Options.defaults().withBatchSize(0))
                .hasMessage("batchSize must be at least 1, got 0");
        assertThatThrownBy(() -> SparkRewards.Options.defaults().withLlms(List.of("a", "a")))
                .hasMessage("llms must be distinct and not blank, got [a, a]");
        Dataset<Row> empty = SparkDatasets.readJsonl(spark, input.toString()).limit(0);
        assertThatThrownBy(() -> SparkRewards.label(empty, SparkRewards.Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no record has candidates");
    }
}
