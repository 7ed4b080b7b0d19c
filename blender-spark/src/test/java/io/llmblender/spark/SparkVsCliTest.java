package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-check: over all of gsm8k-100, {@link SparkRanking} in {@code local[2]} gives the scores and ranks
 * that the {@code blender rank} command writes for the same ranker, record by record.
 */
class SparkVsCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("blender-spark-vs-cli");
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    @Test
    void sparkRankingEqualsTheRankCommandsOutput() throws IOException {
        Path cliOut = tmp.resolve("cli-ranked.jsonl");
        StringWriter err = new StringWriter();
        int exit = BlenderCli.run(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err),
                "rank",
                "--input",
                LocalSpark.gsm8k().toString(),
                "--output",
                cliOut.toString(),
                "--ranker",
                LocalSpark.tinyRanker().toString());
        assertThat(exit).as("blender rank: %s", err).isZero();
        Map<String, JsonNode> cli = new HashMap<>();
        for (String line : Files.readAllLines(cliOut, StandardCharsets.UTF_8)) {
            JsonNode record = JSON.readTree(line);
            cli.put(record.get("id").asText(), record.get("ranking"));
        }
        assertThat(cli).hasSize(100);

        Dataset<Row> ranked = SparkRanking.rank(
                SparkDatasets.readJsonl(spark, LocalSpark.gsm8k().toString()).repartition(2),
                SparkRanking.Options.defaults()
                        .withRanker(LocalSpark.tinyRanker().toString())
                        .withBatchSize(5));
        List<Row> rows = ranked.collectAsList();
        assertThat(rows).hasSize(100);
        for (Row row : rows) {
            String id = row.getString(row.fieldIndex("id"));
            assertThat(row.isNullAt(row.fieldIndex(SparkRanking.ERROR))).as(id).isTrue();
            JsonNode expected = cli.get(id);
            assertThat(expected).as(id).isNotNull();
            List<Double> scores = row.getList(row.fieldIndex(SparkRanking.SCORES));
            List<Integer> ranks = row.getList(row.fieldIndex(SparkRanking.RANKS));
            assertThat(scores).hasSize(expected.get("scores").size());
            for (int c = 0; c < scores.size(); c++) {
                assertThat(scores.get(c))
                        .as("%s candidate %d", id, c)
                        .isCloseTo(expected.get("scores").get(c).asDouble(), within(1e-5));
                assertThat(ranks.get(c))
                        .as("%s candidate %d", id, c)
                        .isEqualTo(expected.get("ranks").get(c).asInt());
            }
        }
    }
}
