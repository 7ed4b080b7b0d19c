package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark ML stage in a local[2] Pipeline, saved and loaded, gives SparkRanking's scores. */
class PairRankerTransformerTest {

    @TempDir
    static Path tmp;

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("blender-spark-ml-test");
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    private static Map<String, List<Double>> scores(Dataset<Row> rows) {
        Map<String, List<Double>> out = new HashMap<>();
        for (Row row : rows.collectAsList()) {
            out.put(row.getString(row.fieldIndex("id")), LocalSpark.scores(row));
        }
        return out;
    }

    @Test
    void aPipelineWithTheStageRanksAsSparkRankingAndSurvivesSaveAndLoad() throws Exception {
        Dataset<Row> records =
                SparkDatasets.readJsonl(spark, LocalSpark.gsm8k().toString()).limit(12);
        PairRankerTransformer stage = new PairRankerTransformer()
                .setRanker(LocalSpark.tinyRanker().toString())
                .setBatchSize(5)
                .setWithMatrix(true);
        SQLTransformer best = new SQLTransformer()
                .setStatement("SELECT id, ranking, matrix, array_position(ranking.ranks, 1) AS best FROM __THIS__");
        PipelineModel model =
                new Pipeline().setStages(new PipelineStage[] {stage, best}).fit(records);
        Dataset<Row> out = model.transform(records);
        assertThat(out.columns()).containsExactly("id", "ranking", "matrix", "best");

        Map<String, List<Double>> expected = scores(SparkRanking.rank(
                records,
                SparkRanking.Options.defaults()
                        .withRanker(LocalSpark.tinyRanker().toString())));
        Map<String, List<Double>> actual = scores(out);
        assertThat(actual.keySet()).isEqualTo(expected.keySet()).hasSize(12);
        for (String id : expected.keySet()) {
            for (int c = 0; c < expected.get(id).size(); c++) {
                assertThat(actual.get(id).get(c)).isCloseTo(expected.get(id).get(c), within(1e-5));
            }
        }

        String saved = tmp.resolve("pipeline").toString();
        model.write().overwrite().save(saved);
        PipelineModel loaded = PipelineModel.load(saved);
        PairRankerTransformer again = (PairRankerTransformer) loaded.stages()[0];
        assertThat(again.uid()).isEqualTo(stage.uid());
        assertThat(again.options()).isEqualTo(stage.options());
        Map<String, List<Double>> reloaded = scores(loaded.transform(records));
        for (String id : expected.keySet()) {
            for (int c = 0; c < expected.get(id).size(); c++) {
                assertThat(reloaded.get(id).get(c)).isCloseTo(expected.get(id).get(c), within(1e-5));
            }
        }
    }

    @Test
    void theDefaultsAndABadBatchSize() {
        PairRankerTransformer stage = new PairRankerTransformer();
        assertThat(stage.options()).isEqualTo(SparkRanking.Options.defaults().withRanker(RankerHolder.DEFAULT));
        assertThatThrownBy(() -> stage.setBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize");
        assertThat(stage.transformSchema(SparkDatasets.MIXINSTRUCT).fieldNames())
                .endsWith(SparkRanking.RANKING, SparkRanking.ERROR);
    }
}
