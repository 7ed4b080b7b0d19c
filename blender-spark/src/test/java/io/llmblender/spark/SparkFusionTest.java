package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.llm.Prompt;
import io.llmblender.fuser.GenFuser;
import io.llmblender.ranker.PairRanker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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

/** Rank then fuse on local[2] Spark equals PairRanker + GenFuser (tiny random T5) on one JVM. */
class SparkFusionTest {

    private static final int RECORDS = 6;
    private static final int TOKENS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static Path input;
    private static List<String> goodLines;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.start("blender-spark-fusion-test");
        goodLines = LocalSpark.gsm8kLines(RECORDS);
        input = LocalSpark.writeInput(
                tmp,
                goodLines,
                "{\"id\": \"bad-empty\", \"instruction\": \"2+2?\", \"candidates\": []}",
                "{\"id\": \"bad-blank\", \"instruction\": \" \", \"input\": \"\", \"candidates\": [{\"text\": \"4\"},"
                        + " {\"text\": \"5\"}]}",
                LocalSpark.tooLongRecord());
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
        FuserHolder.closeAll();
    }

    private static Path fuserDir() {
        return Path.of("..", "models", "genfuser").toAbsolutePath().normalize();
    }

    @Test
    void fusedAnswersEqualRankingThenFusingOnOneJvm() throws IOException {
        Dataset<Row> ranked = SparkRanking.rank(
                SparkDatasets.readJsonl(spark, input.toString()).repartition(2),
                SparkRanking.Options.defaults()
                        .withRanker(LocalSpark.tinyRanker().toString()));
        SparkFusion.Options options = SparkFusion.Options.of(fuserDir().toString())
                .withTopK(1)
                .withBatchSize(2)
                .withMaxNewTokens(TOKENS);
        Map<String, Row> rows = new HashMap<>();
        for (Row row : SparkFusion.fuse(ranked, options).collectAsList()) {
            rows.put(row.getString(row.fieldIndex("id")), row);
        }
        assertThat(rows).hasSize(RECORDS + 3);
        int differ = 0;
        try (PairRanker ranker = PairRanker.load(LocalSpark.tinyRanker());
                GenFuser fuser =
                        GenFuser.builder(fuserDir()).maxNewTokens(TOKENS).build()) {
            for (String line : goodLines) {
                JsonNode record = JSON.readTree(line);
                List<String> texts = new ArrayList<>();
                record.get("candidates").forEach(c -> texts.add(c.get("text").asText()));
                String instruction = record.get("instruction").asText();
                String in = record.get("input").asText();
                List<String> best = ranker.rank(instruction + in, texts).topK(texts, 1);
                String expected = fuser.fuse(Prompt.of(instruction, in), best).text();
                Row row = rows.get(record.get("id").asText());
                assertThat(row.isNullAt(row.fieldIndex(SparkFusion.FUSE_ERROR))).isTrue();
                assertThat(row.getString(row.fieldIndex(SparkFusion.FUSED))).isEqualTo(expected);
                // The top 1 matters: fusing the other candidate gives another answer for some records.
                List<String> other = new ArrayList<>(texts);
                other.remove(best.get(0));
                if (!fuser.fuse(Prompt.of(instruction, in), other.subList(0, 1))
                        .text()
                        .equals(expected)) {
                    differ++;
                }
            }
        }
        assertThat(differ)
                .as("records whose fusion depends on which candidate is best")
                .isPositive();
        assertThat(rows.get("bad-empty").getString(rows.get("bad-empty").fieldIndex(SparkFusion.FUSE_ERROR)))
                .isEqualTo("no candidates");
        assertThat(rows.get("bad-blank").getString(rows.get("bad-blank").fieldIndex(SparkFusion.FUSE_ERROR)))
                .isEqualTo("fields instruction and input are both blank: there is nothing to answer");
        assertThat(rows.get("bad-too-long").getString(rows.get("bad-too-long").fieldIndex(SparkFusion.FUSE_ERROR)))
                .isEqualTo("not ranked: candidate 1 has " + (PairRanker.MAX_TEXT_CHARS + 1)
                        + " characters, more than the ranker's " + PairRanker.MAX_TEXT_CHARS);
        assertThat(rows.get("bad-blank").isNullAt(rows.get("bad-blank").fieldIndex(SparkFusion.FUSED)))
                .isTrue();
    }

    @Test
    void theRankJobFusesWithAFuser() {
        Path out = tmp.resolve("job-fused");
        RankJob.run(
                spark,
                "--input",
                input.toString(),
                "--output",
                out.toString(),
                "--ranker",
                LocalSpark.tinyRanker().toString(),
                "--fuser",
                fuserDir().toString(),
                "--top-k",
                "1",
                "--max-new-tokens",
                Integer.toString(TOKENS));
        Dataset<Row> ranked = SparkRanking.rank(
                SparkDatasets.readJsonl(spark, input.toString()),
                SparkRanking.Options.defaults()
                        .withRanker(LocalSpark.tinyRanker().toString()));
        Map<String, String> direct = new HashMap<>();
        for (Row row : SparkFusion.fuse(
                        ranked,
                        SparkFusion.Options.of(fuserDir().toString())
                                .withTopK(1)
                                .withMaxNewTokens(TOKENS))
                .collectAsList()) {
            direct.put(row.getString(row.fieldIndex("id")), row.getString(row.fieldIndex(SparkFusion.FUSED)));
        }
        Map<String, String> fromJob = new HashMap<>();
        for (Row row : spark.read().json(out.toString()).collectAsList()) {
            fromJob.put(
                    row.getString(row.fieldIndex("id")),
                    row.isNullAt(row.fieldIndex(SparkFusion.FUSED))
                            ? null
                            : row.getString(row.fieldIndex(SparkFusion.FUSED)));
        }
        assertThat(fromJob).isEqualTo(direct).hasSize(RECORDS + 3);
        assertThatThrownBy(() -> RankJob.run(spark, "--input", "x", "--output", "y", "--top-k", "2"))
                .hasMessage("--top-k needs --fuser");
    }

    @Test
    void badOptionsAndColumnsAreRefused() {
        assertThatThrownBy(() -> SparkFusion.Options.of(" ")).hasMessage("fuser must name a model directory, got  ");
        assertThatThrownBy(() -> SparkFusion.Options.of("x").withTopK(0)).hasMessage("topK must be at least 1, got 0");
        Dataset<Row> clash = SparkDatasets.readJsonl(spark, input.toString())
                .withColumn(SparkFusion.FUSED, org.apache.spark.sql.functions.lit("x"));
        assertThatThrownBy(() -> SparkFusion.fuse(clash, SparkFusion.Options.of("x")))
                .hasMessage("the dataset already has a column fused");
    }
}
