package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.cli.BlenderCli;
import io.llmblender.eval.RecordRanking;
import io.llmblender.eval.dataset.Datasets;
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
 * The cross-check: over all of gsm8k-100, {@link SparkRanking} in {@code local[2]} gives the ranking object
 * that the {@code blender rank} command writes for the same ranker, record by record; and {@code blender eval} reads
 * what {@link RankJob} writes as it reads {@code blender rank}'s output.
 */
class SparkVsCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static SparkSession spark;

    /** blender rank's output over gsm8k-100 with the tiny ranker. */
    private static Path cliOut;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("blender-spark-vs-cli");
        cliOut = tmp.resolve("cli-ranked.jsonl");
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
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    @Test
    void sparkRankingEqualsTheRankCommandsOutput() throws IOException {
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
            Row ranking = row.getStruct(row.fieldIndex(SparkRanking.RANKING));
            assertThat(ranking.getString(ranking.fieldIndex(SparkRanking.RANKER)))
                    .isEqualTo(expected.get("ranker").asText());
            assertThat(ranking.getString(ranking.fieldIndex(SparkRanking.AGGREGATION)))
                    .isEqualTo(expected.get("aggregation").asText())
                    .isEqualTo("max_logits");
            List<Double> scores = LocalSpark.scores(row);
            List<Integer> ranks = LocalSpark.ranks(row);
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

    @Test
    void blenderEvalReadsTheRankJobsMergedOutputAsItReadsBlenderRanks() throws IOException {
        Path merged = tmp.resolve("spark-ranked.jsonl");
        long written = RankJob.run(
                spark,
                "--input",
                LocalSpark.gsm8k().toString(),
                "--output",
                tmp.resolve("job").toString(),
                "--ranker",
                LocalSpark.tinyRanker().toString(),
                "--batch",
                "5",
                "--merge",
                merged.toString());
        assertThat(written).isEqualTo(100);

        // The reader blender eval uses, on every line: the same ranking as blender rank's line for that record.
        Map<String, RecordRanking> cli = new HashMap<>();
        for (Datasets.Line line : Datasets.read(cliOut, Datasets.OnBadLine.STOP).lines()) {
            cli.put(line.record().id(), RecordRanking.of(line.record()).orElseThrow());
        }
        List<Datasets.Line> lines =
                Datasets.read(merged, Datasets.OnBadLine.STOP).lines();
        assertThat(lines).hasSize(100);
        for (Datasets.Line line : lines) {
            RecordRanking spark = RecordRanking.of(line.record()).orElseThrow();
            RecordRanking expected = cli.get(line.record().id());
            assertThat(spark.ranker()).isEqualTo(expected.ranker());
            assertThat(spark.aggregation()).isEqualTo(expected.aggregation());
            assertThat(spark.ranks()).isEqualTo(expected.ranks());
            for (int c = 0; c < expected.scores().size(); c++) {
                assertThat(spark.scores().get(c)).isCloseTo(expected.scores().get(c), within(1e-5));
            }
        }

        // blender eval itself: the same report from either file.
        assertThat(eval(merged)).isEqualTo(eval(cliOut)).contains("selection (");
    }

    /** What {@code blender eval --input FILE} prints on standard output, after checking it succeeded. */
    private static String eval(Path file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = BlenderCli.run(new PrintWriter(out), new PrintWriter(err), "eval", "--input", file.toString());
        assertThat(exit).as("blender eval %s: %s", file, err).isZero();
        return out.toString();
    }
}
