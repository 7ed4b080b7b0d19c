package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.cli.BlenderCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs take the ranker names {@code blender rank} takes (through RankerNames) and rank as it does with each;
 * directories shipped with the job are found by name; the names a job cannot serve are refused with the option and
 * value named.
 */
class SparkRankerNamesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static Path input;
    private static Path combined;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.start("blender-spark-ranker-names");
        List<String> lines = new ArrayList<>(LocalSpark.gsm8kLines(6));
        // Three answers, so that consensus ranks by agreement rather than deferring to its fallback.
        lines.add(
                "{\"id\": \"three-1\", \"instruction\": \"Capital of France?\", \"input\": \"\", \"candidates\": ["
                        + "{\"model\": \"a\", \"text\": \"Paris is the capital.\", \"scores\": {\"s\": 8}},"
                        + " {\"model\": \"b\", \"text\": \"The capital is Paris.\", \"scores\": {\"s\": 9}},"
                        + " {\"model\": \"c\", \"text\": \"Bananas are yellow, and long ones too.\", \"scores\": {\"s\": 1}}]}");
        lines.add(
                "{\"id\": \"three-2\", \"instruction\": \"Colour of the sky?\", \"input\": \"\", \"candidates\": ["
                        + "{\"model\": \"a\", \"text\": \"Green, like grass, of course.\", \"scores\": {\"s\": 1}},"
                        + " {\"model\": \"b\", \"text\": \"The sky is blue on a clear day.\", \"scores\": {\"s\": 8}},"
                        + " {\"model\": \"c\", \"text\": \"Blue: the sky looks blue on a clear day.\", \"scores\": {\"s\": 9}}]}");
        input = LocalSpark.writeInput(tmp, lines);
        combined = tmp.resolve("combined.json");
        Files.writeString(
                combined,
                "{\"rankers\": [\"" + LocalSpark.tinyRanker() + "\", \"length\"], \"weights\": [0.5, 0.5]}",
                StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    /** What {@code blender rank --ranker NAME} writes for each record: its ranking object by id. */
    private static Map<String, JsonNode> blenderRank(String name) throws IOException {
        Path out = tmp.resolve("cli-" + Integer.toHexString(name.hashCode()) + ".jsonl");
        StringWriter err = new StringWriter();
        int exit = BlenderCli.run(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err),
                "rank",
                "--input",
                input.toString(),
                "--output",
                out.toString(),
                "--overwrite",
                "--ranker",
                name);
        assertThat(exit).as("blender rank --ranker %s: %s", name, err).isZero();
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            JsonNode record = JSON.readTree(line);
            byId.put(record.get("id").asText(), record.get("ranking"));
        }
        return byId;
    }

    private static Map<String, Row> sparkRank(String name) {
        Dataset<Row> ranked = SparkRanking.rank(
                SparkDatasets.readJsonl(spark, input.toString()).repartition(2),
                SparkRanking.Options.defaults().withRanker(name).withBatchSize(3));
        Map<String, Row> byId = new HashMap<>();
        for (Row row : ranked.collectAsList()) {
            byId.put(row.getString(row.fieldIndex("id")), row);
        }
        return byId;
    }

    private static void assertSameRankings(Map<String, Row> spark, Map<String, JsonNode> cli) {
        assertThat(spark.keySet()).isEqualTo(cli.keySet()).hasSize(8);
        for (Map.Entry<String, JsonNode> e : cli.entrySet()) {
            Row row = spark.get(e.getKey());
            assertThat(row.isNullAt(row.fieldIndex(SparkRanking.ERROR)))
                    .as(e.getKey())
                    .isTrue();
            Row ranking = row.getStruct(row.fieldIndex(SparkRanking.RANKING));
            JsonNode expected = e.getValue();
            assertThat(ranking.getString(ranking.fieldIndex(SparkRanking.RANKER)))
                    .isEqualTo(expected.get("ranker").asText());
            List<Double> scores = LocalSpark.scores(row);
            List<Integer> ranks = LocalSpark.ranks(row);
            assertThat(scores).hasSize(expected.get("scores").size());
            for (int c = 0; c < scores.size(); c++) {
                assertThat(scores.get(c))
                        .as("%s candidate %d", e.getKey(), c)
                        .isCloseTo(expected.get("scores").get(c).asDouble(), within(1e-5));
                assertThat(ranks.get(c))
                        .as("%s candidate %d", e.getKey(), c)
                        .isEqualTo(expected.get("ranks").get(c).asInt());
            }
        }
    }

    @Test
    void lengthCombinedAndConsensusRankAsBlenderRankWithTheSameName() throws IOException {
        for (String name : List.of("length", "combined:" + combined, "consensus")) {
            Map<String, JsonNode> cli = blenderRank(name);
            assertSameRankings(sparkRank(name), cli);
        }
        // consensus ranked the three-answer records by agreement: the odd answer last
        assertThat(LocalSpark.<Integer>ranks(sparkRank("consensus").get("three-1")))
                .element(2)
                .isEqualTo(3);
    }

    @Test
    void oneRankerPerJvmAndName() {
        assertThat(RankerHolder.get("length")).isSameAs(RankerHolder.get(" length "));
        String tiny = LocalSpark.tinyRanker().toString();
        assertThat(RankerHolder.get(tiny)).isSameAs(RankerHolder.get(tiny)).isNotSameAs(RankerHolder.get(tiny, 2));
        assertThat(RankerHolder.get("combined:" + combined)).isSameAs(RankerHolder.get("combined:" + combined));
    }

    @Test
    void aDirectoryAndACombinationShippedWithTheJobAreFoundByName() throws IOException {
        Path shipped = Files.createDirectories(tmp.resolve("ship").resolve("shipped-ranker"));
        try (Stream<Path> files = Files.list(LocalSpark.tinyRanker())) {
            for (Path f : files.toList()) {
                Files.copy(f, shipped.resolve(f.getFileName()));
            }
        }
        spark.sparkContext().addFile(shipped.toString(), true);
        Path weights = Files.writeString(
                tmp.resolve("ship").resolve("shipped-weights.json"),
                "{\"rankers\": [\"length\"], \"weights\": [1.0]}",
                StandardCharsets.UTF_8);
        spark.sparkContext().addFile(weights.toString());
        assertThat(Path.of("shipped-ranker")).doesNotExist();
        assertThat(Path.of("shipped-weights.json")).doesNotExist();

        Map<String, Row> byName = sparkRank("shipped-ranker");
        Map<String, Row> byPath = sparkRank(LocalSpark.tinyRanker().toString());
        for (String id : byPath.keySet()) {
            assertThat(LocalSpark.scores(byName.get(id))).isEqualTo(LocalSpark.scores(byPath.get(id)));
        }
        Map<String, Row> combinedByName = sparkRank("combined:shipped-weights.json");
        Map<String, Row> length = sparkRank("length");
        for (String id : length.keySet()) {
            assertThat(LocalSpark.<Integer>ranks(combinedByName.get(id)))
                    .isEqualTo(LocalSpark.<Integer>ranks(length.get(id)));
        }
    }

    @Test
    void namesAJobCannotServeAreRefusedBeforeSparkWorks() throws IOException {
        String[] base = {
            "--input", input.toString(), "--output", tmp.resolve("never").toString(), "--ranker"
        };
        assertThatThrownBy(() -> RankJob.run(spark, with(base, "judge:gpt")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--ranker 'judge:gpt': judge rankers are not available in Spark jobs");
        assertThatThrownBy(() -> RewardJob.run(spark, with(base, "judge:gpt")))
                .hasMessageStartingWith("--ranker 'judge:gpt': judge rankers are not available in Spark jobs");
        assertThatThrownBy(() -> RankJob.run(spark, with(base, "none")))
                .hasMessageStartingWith(
                        "--ranker none: a Spark job needs a ranker; accepted: default, reward, minilm, consensus");
        Path judged = Files.writeString(
                tmp.resolve("judged.json"),
                "{\"rankers\": [\"length\", \"judge:gpt\"], \"weights\": [0.5, 0.5]}",
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RankJob.run(spark, with(base, "combined:" + judged)))
                .hasMessageContaining("--ranker 'combined:" + judged + "': " + judged + " rankers[1] 'judge:gpt'")
                .hasMessageContaining("not available in Spark jobs");
        assertThatThrownBy(() -> SparkRanking.rank(
                        SparkDatasets.readJsonl(spark, input.toString()),
                        SparkRanking.Options.defaults().withThreads(2)))
                .hasMessageStartingWith("--threads 2: engine threads are a setting of a PairRanker, and"
                        + " --ranker 'default' is not one");
        assertThat(Path.of("never")).doesNotExist();
    }

    @Test
    void anUnknownNameFailsTheJobWithRankerNamesMessageLessWhatAJobRefuses() {
        Throwable thrown = catchThrowable(() -> sparkRank("no-such-ranker"));
        String message = JobMain.message(JobMain.unwrap(thrown));
        assertThat(message)
                .startsWith("--ranker 'no-such-ranker' is no ranker name and no directory (")
                .contains("accepted: default, reward, minilm, consensus")
                .doesNotContain("judge:NAME")
                .doesNotContain("none,");
        // threads for a name that is no directory: refused where the ranker is made
        Throwable threads = catchThrowable(() -> SparkRanking.rank(
                        SparkDatasets.readJsonl(spark, input.toString()),
                        SparkRanking.Options.defaults().withRanker("length").withThreads(2))
                .collectAsList());
        assertThat(JobMain.message(JobMain.unwrap(threads)))
                .isEqualTo("--threads 2: engine threads are a setting of a PairRanker, and --ranker 'length'"
                        + " is not one (give --threads 1, reward, minilm, or the directory of an exported PairRanker)");
    }

    private static String[] with(String[] base, String last) {
        String[] out = java.util.Arrays.copyOf(base, base.length + 1);
        out[base.length] = last;
        return out;
    }
}
