package io.llmblender.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.error.ModelLoadException;
import io.llmblender.router.encode.QueryEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.head.HeadFiles;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.SoftLabels;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM order of a router is the caller's explicit list, never a map's iteration order, and
 * router directories written before the head stored it still load. Uses a tiny deterministic
 * stand-in encoder, so no model is downloaded.
 */
class ZooterRouterOrderTest {

    /** The encoder the fixture router was trained with: 4 bytes of the query's hash code. */
    static final QueryEncoder ENCODER = new QueryEncoder() {
        @Override
        public String id() {
            return "fixture-encoder";
        }

        @Override
        public int dimension() {
            return 4;
        }

        @Override
        public float[][] encode(List<String> queries) {
            float[][] out = new float[queries.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = vector(queries.get(i));
            }
            return out;
        }

        @Override
        public void close() {}
    };

    static float[] vector(String query) {
        float[] v = new float[4];
        for (int i = 0; i < 4; i++) {
            v[i] = ((query.hashCode() >>> (i * 8)) & 0xff) / 255f;
        }
        return v;
    }

    private static final HeadConfig CONFIG =
            HeadConfig.builder().hidden(3).epochs(5).seed(11).build();

    /** Records whose reward maps list the LLMs in the given order. */
    private static List<RewardRecord> records(boolean betaFirst) {
        List<RewardRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String query = "query " + i;
            double beta = vector(query)[0] > 0.5 ? 1.0 : 0.0;
            Map<String, Double> rewards = new LinkedHashMap<>();
            if (betaFirst) {
                rewards.put("beta-llm", beta);
                rewards.put("alpha-llm", 1 - beta);
            } else {
                rewards.put("alpha-llm", 1 - beta);
                rewards.put("beta-llm", beta);
            }
            records.add(RewardRecord.of(query, rewards));
        }
        return records;
    }

    static Path format1() throws URISyntaxException {
        return Path.of(ZooterRouterOrderTest.class.getResource("format1-router").toURI());
    }

    @Test
    void routerOfThePreviousVersion_loadsAndRoutesAsBefore() throws Exception {
        try (ZooterRouter router = ZooterRouter.load(format1(), ENCODER, null)) {
            assertThat(router.llmNames()).containsExactly("beta-llm", "alpha-llm");
            assertThat(router.route("query 3").probabilities())
                    .containsExactly(new double[] {0.42743634560789234, 0.5725636543921077}, within(1e-6));
            assertThat(router.route("hello").probabilities())
                    .containsExactly(new double[] {0.3658924599921406, 0.6341075400078595}, within(1e-6));
            // saved before the confidence calibration: temperature 1, and no share thresholds
            assertThat(router.confidenceTemperature()).isEqualTo(1.0);
            assertThat(router.hasTrainingConfidences()).isFalse();
            assertThat(router.calibrationFolds()).isZero();
            assertThatThrownBy(() -> router.thresholdForShare(0.5))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("blender-router/1")
                    .hasMessageContaining("retrain");
            assertThatThrownBy(() -> router.shareRoutedAt(0.5)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void load_badCalibrationFields_nameTheFieldAndValue(@TempDir Path dir) throws Exception {
        try (ZooterRouter router = ZooterRouter.train(
                ENCODER, records(true), List.of("alpha-llm", "beta-llm"), SoftLabels.defaults(), CONFIG)) {
            router.save(dir);
        }
        Path json = dir.resolve(ZooterRouter.FILE_NAME);
        String good = Files.readString(json);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(
                good.replaceFirst("\"confidence_temperature\" : [^,]+", "\"confidence_temperature\" : -2.5"),
                "field 'confidence_temperature' must be a positive finite number, found -2.5");
        cases.put(
                good.replaceFirst("\"confidence_temperature\" : [^,]+", "\"confidence_temperature\" : \"hot\""),
                "field 'confidence_temperature' must be a positive finite number, found \"hot\"");
        cases.put(
                good.replaceFirst("\"confidence_temperature\" : [^,]+,", ""),
                "lacks the required field 'confidence_temperature'");
        cases.put(
                good.replaceFirst("\"training_confidences\" : \\[ [^,\\]]+", "\"training_confidences\" : [ 1.5"),
                "field 'training_confidences[0]' must be a number in [0, 1], found 1.5");
        cases.put(
                good.replaceFirst(
                        "\"training_confidences\" : \\[[^\\]]*\\]", "\"training_confidences\" : [ 0.9, 0.6 ]"),
                "field 'training_confidences' must be sorted ascending, found 0.9 before 0.6 at index 1");
        cases.put(
                good.replaceFirst("\"calibration_folds\" : \\d+", "\"calibration_folds\" : -1"),
                "field 'calibration_folds' must be an integer in [0, 2147483647], found -1");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertThat(c.getKey()).isNotEqualTo(good);
            Files.writeString(json, c.getKey());
            assertThatThrownBy(() -> ZooterRouter.load(dir, ENCODER, null))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(ZooterRouter.FILE_NAME)
                    .hasMessageContaining(c.getValue());
        }
    }

    @Test
    void theExplicitOrderDecides_notTheOrderOfTheRewardMaps() {
        List<String> order = List.of("beta-llm", "alpha-llm");
        try (ZooterRouter a = ZooterRouter.train(
                        ENCODER,
                        records(true),
                        order,
                        SoftLabels.builder().beta(0.5).build(),
                        CONFIG);
                ZooterRouter b = ZooterRouter.train(
                        ENCODER,
                        records(false),
                        order,
                        SoftLabels.builder().beta(0.5).build(),
                        CONFIG)) {
            assertThat(a.llmNames()).isEqualTo(order);
            assertThat(b.llmNames()).isEqualTo(order);
            for (String query : List.of("query 3", "hello", "another one")) {
                assertThat(b.route(query).probabilities())
                        .containsExactly(a.route(query).probabilities());
            }
            // The same training as the one that wrote the fixture (before the confidence calibration): the head's
            // distribution, which route gives at the fitted confidence temperature.
            assertThat(a.route("query 3").probabilities())
                    .containsExactly(
                            ConfidenceScaling.scale(
                                    new double[] {0.42743634560789234, 0.5725636543921077}, a.confidenceTemperature()),
                            within(1e-6));
        }
        try (ZooterRouter reversed = ZooterRouter.train(
                ENCODER, records(true), List.of("alpha-llm", "beta-llm"), SoftLabels.defaults(), CONFIG)) {
            assertThat(reversed.llmNames()).containsExactly("alpha-llm", "beta-llm");
        }
    }

    @Test
    void llmOrderRoundTripsThroughSaveAndLoad(@TempDir Path dir) throws Exception {
        List<String> order = List.of("alpha-llm", "beta-llm");
        try (ZooterRouter router = ZooterRouter.train(ENCODER, records(true), order, SoftLabels.defaults(), CONFIG)) {
            router.save(dir);
            try (ZooterRouter loaded = ZooterRouter.load(dir, ENCODER, List.of("beta-llm", "alpha-llm"))) {
                assertThat(loaded.llmNames()).isEqualTo(order);
                assertThat(loaded.route("hello").probabilities())
                        .containsExactly(router.route("hello").probabilities());
            }
        }
        assertThat(Files.readString(dir.resolve(HeadFiles.CONFIG_FILE)))
                .contains("\"llms\" : [ \"alpha-llm\", \"beta-llm\" ]");
        // router.json and head.json disagreeing on the order is a load error, not a silent swap.
        Path json = dir.resolve(ZooterRouter.FILE_NAME);
        Files.writeString(
                json,
                Files.readString(json).replace("[ \"alpha-llm\", \"beta-llm\" ]", "[ \"beta-llm\", \"alpha-llm\" ]"));
        assertThatThrownBy(() -> ZooterRouter.load(dir, ENCODER, null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(HeadFiles.CONFIG_FILE)
                .hasMessageContaining("[alpha-llm, beta-llm]")
                .hasMessageContaining("[beta-llm, alpha-llm]");
    }

    @Test
    void train_rejectsNamesThatDoNotFitTheRecords() {
        assertThatThrownBy(() -> ZooterRouter.train(
                        ENCODER, records(true), List.of("beta-llm", "gamma-llm"), SoftLabels.defaults(), CONFIG))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gamma-llm");
        assertThatThrownBy(() ->
                        ZooterRouter.train(ENCODER, records(true), List.of("beta-llm"), SoftLabels.defaults(), CONFIG))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two");
        assertThatThrownBy(() -> ZooterRouter.train(ENCODER, records(true), null, SoftLabels.defaults(), CONFIG))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("llmNames");
    }
}
