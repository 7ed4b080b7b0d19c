package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.Ranking;
import io.llmblender.ranker.PairRanker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local-mode Spark ({@code local[2]}, UI off, bound to 127.0.0.1) over the first records of gsm8k-100. */
class SparkRankingTest {

    private static final int RECORDS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static Path input;
    private static List<String> goodLines;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.start("blender-spark-test");
        goodLines = LocalSpark.gsm8kLines(RECORDS);
        input = LocalSpark.writeInput(
                tmp,
                goodLines,
                "{\"id\": \"bad-empty\", \"instruction\": \"2+2?\", \"input\": \"\", \"candidates\": []}",
                "{\"id\": \"bad-no-text\", \"instruction\": \"2+2?\", \"candidates\": [{\"model\": \"m\"},"
                        + " {\"model\": \"n\", \"text\": \"4\"}]}",
                "{\"id\": \"one\", \"instruction\": \"2+2?\", \"candidates\": [{\"model\": \"m\", \"text\": \"4\"}]}",
                "this line is not JSON",
                LocalSpark.tooLongRecord());
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    private static SparkRanking.Options options() {
        return SparkRanking.Options.defaults()
                .withRanker(LocalSpark.tinyRanker().toString())
                .withBatchSize(3);
    }

    private static Map<String, Row> byId(Dataset<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        for (Row row : rows.collectAsList()) {
            out.put(row.isNullAt(row.fieldIndex("id")) ? "corrupt" : row.getString(row.fieldIndex("id")), row);
        }
        return out;
    }

    private static String error(Row row) {
        return row.getString(row.fieldIndex(SparkRanking.ERROR));
    }

    @Test
    void scoresEqualPairRankerOnOneJvm() throws IOException {
        Dataset<Row> ranked = SparkRanking.rank(
                SparkDatasets.readJsonl(spark, input.toString()).repartition(2), options());
        Map<String, Row> rows = byId(ranked);
        assertThat(rows).hasSize(RECORDS + 5);
        try (PairRanker ranker = PairRanker.load(LocalSpark.tinyRanker())) {
            for (String line : goodLines) {
                JsonNode record = JSON.readTree(line);
                List<String> texts = new ArrayList<>();
                record.get("candidates").forEach(c -> texts.add(c.get("text").asText()));
                Ranking expected = ranker.rank(
                        record.get("instruction").asText() + record.get("input").asText(), texts);
                Row row = rows.get(record.get("id").asText());
                assertThat(row.isNullAt(row.fieldIndex(SparkRanking.ERROR))).isTrue();
                List<Double> scores = LocalSpark.scores(row);
                List<Integer> ranks = LocalSpark.ranks(row);
                assertThat(scores).hasSize(texts.size());
                for (int c = 0; c < texts.size(); c++) {
                    assertThat(scores.get(c)).isCloseTo(expected.score(c), within(1e-5));
                }
                assertThat(ranks.stream().mapToInt(Integer::intValue).toArray()).containsExactly(expected.ranks());
            }
        }
    }

    @Test
    void badRecordsLandInTheErrorColumnWithTheirReason() {
        Map<String, Row> rows = byId(SparkRanking.rank(SparkDatasets.readJsonl(spark, input.toString()), options()));
        assertThat(error(rows.get("bad-empty"))).isEqualTo("no candidates");
        assertThat(error(rows.get("bad-no-text"))).isEqualTo("candidate 0 has no text");
        assertThat(error(rows.get("corrupt"))).isEqualTo("no candidates");
        assertThat(rows.get("corrupt").getString(rows.get("corrupt").fieldIndex(SparkDatasets.CORRUPT_RECORD)))
                .isEqualTo("this line is not JSON");
        assertThat(error(rows.get("bad-too-long")))
                .isEqualTo("candidate 1 has " + (PairRanker.MAX_TEXT_CHARS + 1) + " characters, more than the ranker's "
                        + PairRanker.MAX_TEXT_CHARS);
        for (String id : List.of("bad-empty", "bad-no-text", "corrupt", "bad-too-long")) {
            assertThat(rows.get(id).isNullAt(rows.get(id).fieldIndex(SparkRanking.RANKING)))
                    .isTrue();
        }
        Row one = rows.get("one");
        assertThat(one.isNullAt(one.fieldIndex(SparkRanking.ERROR))).isTrue();
        assertThat(LocalSpark.scores(one)).containsExactly(0.0);
        assertThat(LocalSpark.ranks(one)).containsExactly(1);
    }

    @Test
    void theMatrixColumnAndJsonlAndParquetRoundTrips() {
        Dataset<Row> ranked = SparkRanking.rank(
                SparkDatasets.readJsonl(spark, input.toString()), options().withMatrix(true));
        String parquet = tmp.resolve("ranked.parquet").toString();
        String jsonl = tmp.resolve("ranked.jsonl").toString();
        SparkDatasets.writeParquet(ranked, parquet, SaveMode.Overwrite);
        Map<String, Row> fromParquet = byId(SparkDatasets.readParquet(spark, parquet));
        SparkDatasets.writeJsonl(
                SparkDatasets.readParquet(spark, parquet).drop(SparkDatasets.CORRUPT_RECORD),
                jsonl,
                SaveMode.Overwrite);
        Map<String, Row> fromJsonl = byId(spark.read().json(jsonl));
        assertThat(fromParquet).hasSize(RECORDS + 5);
        assertThat(fromJsonl).hasSize(RECORDS + 5);
        Row first = fromParquet.get("gsm8k-test-0");
        // Row.getList converts the outer array only; the rows of the matrix stay Scala sequences.
        List<scala.collection.Seq<Double>> matrix = first.getList(first.fieldIndex(SparkRanking.MATRIX));
        List<Double> scores = LocalSpark.scores(first);
        assertThat(matrix).hasSize(scores.size());
        // max-logits: score_i = (1/N) * sum_j (M[i][j] - M[j][i]); gsm8k records have two candidates.
        assertThat(scores.get(0))
                .isCloseTo((matrix.get(0).apply(1) - matrix.get(1).apply(0)) / 2, within(1e-5));
        Row again = fromJsonl.get("gsm8k-test-0");
        List<Double> jsonScores = LocalSpark.scores(again);
        assertThat(jsonScores.get(0)).isCloseTo(scores.get(0), within(1e-9));
        assertThat(fromJsonl
                        .get("bad-empty")
                        .getString(fromJsonl.get("bad-empty").fieldIndex(SparkRanking.ERROR)))
                .isEqualTo("no candidates");
    }

    @Test
    void theJobWritesEveryRecordAndRefusesAnExistingOutput() {
        String out = tmp.resolve("job-out").toString();
        String[] args = {
            "--input",
            input.toString(),
            "--output",
            out,
            "--ranker",
            LocalSpark.tinyRanker().toString(),
            "--partitions",
            "2",
            "--batch",
            "4"
        };
        assertThat(RankJob.run(spark, args)).isEqualTo(RECORDS + 5);
        Map<String, Row> rows = byId(spark.read().json(out));
        assertThat(rows).hasSize(RECORDS + 5);
        assertThat(error(rows.get("bad-empty"))).isEqualTo("no candidates");
        assertThat(rows.get("gsm8k-test-0").isNullAt(rows.get("gsm8k-test-0").fieldIndex(SparkRanking.RANKING)))
                .isFalse();
        assertThatThrownBy(() -> RankJob.run(spark, args)).hasMessageContaining("already exists");
        assertThatThrownBy(() -> RankJob.run(spark, "--input", "x", "--output", "y", "--format", "csv"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jsonl or parquet");
        // checked before Spark reads anything: one line, not a stack trace after the session's start-up
        assertThatThrownBy(() -> RankJob.run(
                        spark,
                        "--input",
                        tmp.resolve("missing.jsonl").toString(),
                        "--output",
                        tmp.resolve("never").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--input " + tmp.resolve("missing.jsonl") + ": no such file or directory");
    }

    @Test
    void moreEngineThreadsGiveAnotherRankerOfTheSameScores() throws IOException {
        Map<String, Row> one = byId(SparkRanking.rank(SparkDatasets.readJsonl(spark, input.toString()), options()));
        Map<String, Row> two = byId(SparkRanking.rank(
                SparkDatasets.readJsonl(spark, input.toString()), options().withThreads(2)));
        assertThat(RankerHolder.get(LocalSpark.tinyRanker().toString(), 2))
                .isNotSameAs(RankerHolder.get(LocalSpark.tinyRanker().toString()));
        for (String line : goodLines) {
            String id = JSON.readTree(line).get("id").asText();
            List<Double> a = LocalSpark.scores(one.get(id));
            List<Double> b = LocalSpark.scores(two.get(id));
            assertThat(b).hasSameSizeAs(a);
            for (int c = 0; c < a.size(); c++) {
                assertThat(b.get(c)).isCloseTo(a.get(c), within(1e-5));
            }
        }
        assertThatThrownBy(() -> options().withThreads(0)).hasMessage("threads must be at least 1, got 0");
    }

    @Test
    void aDatasetWithoutCandidatesOrWithAnOutputColumnIsRefused() {
        Dataset<Row> noCandidates = spark.sql("SELECT 'a' AS instruction");
        assertThatThrownBy(() -> SparkRanking.rank(noCandidates, options()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no candidates column");
        Dataset<Row> clash = SparkDatasets.readJsonl(spark, input.toString())
                .withColumn("error", org.apache.spark.sql.functions.lit("x"));
        assertThatThrownBy(() -> SparkRanking.rank(clash, options()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has a column error");
        assertThatThrownBy(() -> RankerHolder.resolve(tmp.resolve("nowhere").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no ranker directory");
    }
}
