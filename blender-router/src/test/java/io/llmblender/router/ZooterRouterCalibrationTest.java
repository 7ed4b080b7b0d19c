package io.llmblender.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.route.ConfidenceCalibration;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.router.encode.MiniLmEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.SoftLabels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's confidence on real data: the 40 Arena-Hard prompts of {@code data/arena-holdout.jsonl}, three of the
 * LLMs that answered all of them, GPT-4's 1-10 ratings divided by 10 as rewards in [0, 1], the default soft labels
 * (temperature 1) and the default head, over the real MiniLM encoder. With those labels the head's own top
 * probability stays below e/(e+2) = 0.576, so before the confidence was calibrated an adaptive threshold of 0.62
 * never routed. {@code router} calibrates as by default (cross-fitted on 5 folds), {@code inSample} on the training
 * queries themselves.
 */
class ZooterRouterCalibrationTest {

    static final List<String> LLMS = List.of("claude-1", "gpt-3.5-turbo-1106", "mistralai/Mixtral-8x7B-Instruct-v0.1");

    private static MiniLmEncoder encoder;
    private static List<RewardRecord> records;
    private static ZooterRouter router;
    private static ZooterRouter inSample;

    @BeforeAll
    static void train() throws Exception {
        encoder = MiniLmEncoder.load(Path.of("target", "minilm-cache"));
        records = arenaRecords(LLMS);
        router = ZooterRouter.train(encoder, records, LLMS, SoftLabels.defaults(), HeadConfig.defaults());
        inSample = ZooterRouter.train(encoder, records, LLMS, SoftLabels.defaults(), HeadConfig.defaults(), 0);
    }

    @AfterAll
    static void close() {
        inSample.close();
        router.close();
        encoder.close();
    }

    /** One record per prompt rated for all of {@code llms}: reward = gpt4_score / 10. */
    static List<RewardRecord> arenaRecords(List<String> llms) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<RewardRecord> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("..", "data", "arena-holdout.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode r = json.readTree(line);
            Map<String, Double> rewards = new LinkedHashMap<>();
            for (JsonNode c : r.get("candidates")) {
                if (llms.contains(c.get("model").asText())) {
                    rewards.put(
                            c.get("model").asText(),
                            c.get("scores").get("gpt4_score").asDouble() / 10);
                }
            }
            if (rewards.size() == llms.size()) {
                out.add(RewardRecord.of(r.get("instruction").asText(), rewards));
            }
        }
        return out;
    }

    private static boolean pickIsBest(RouteDecision d, RewardRecord r) {
        double best = r.rewards().values().stream().mapToDouble(v -> v).max().orElseThrow();
        return r.rewards().get(d.chosen()) >= best;
    }

    @Test
    void route_threshold062_routesSomeOfTheTrainingQueriesBetweenThreeLlms() {
        assertThat(records).hasSize(40);
        int routed = 0;
        int right = 0;
        for (RewardRecord r : records) {
            RouteDecision d = router.route(r.query());
            routed += d.confidence() >= 0.62 ? 1 : 0;
            right += pickIsBest(d, r) ? 1 : 0;
        }
        // Uncalibrated, the head's confidence stays below e/(e+2) = 0.576 here and 0.62 routes nothing.
        assertThat(routed).isPositive();
        assertThat(routed).isLessThan(records.size());
        // The pick was a best LLM (ties count) on most of these queries, and 0.62 routes those the router is surest of.
        assertThat(right).isGreaterThan(records.size() / 2);
    }

    @Test
    void route_inSampleCalibration_isCloserToHowOftenThePickWasBestThanTheHeads() {
        assertThat(inSample.calibrationFolds()).isZero();
        double calibrated = 0;
        double head = 0;
        double right = 0;
        for (RewardRecord r : records) {
            RouteDecision d = inSample.route(r.query());
            calibrated += d.confidence() / records.size();
            head += max(ConfidenceScaling.scale(d.probabilities(), 1 / inSample.confidenceTemperature()))
                    / records.size();
            right += pickIsBest(d, r) ? 1.0 / records.size() : 0;
        }
        assertThat(Math.abs(calibrated - right)).isLessThan(Math.abs(head - right) / 2);
    }

    /**
     * Judged on the queries it was trained on, a head looks surer than on new ones: the cross-fitted temperature is
     * the larger (flatter), and the confidences kept for share thresholds the lower.
     */
    @Test
    void train_crossFittedCalibration_isLessSureThanInSample() {
        assertThat(router.calibrationFolds()).isEqualTo(ZooterRouter.DEFAULT_CALIBRATION_FOLDS);
        assertThat(router.confidenceTemperature()).isGreaterThan(inSample.confidenceTemperature());
        assertThat(router.thresholdForShare(0.5).threshold())
                .isLessThan(inSample.thresholdForShare(0.5).threshold());
    }

    @Test
    void train_calibrationFolds_badValueIsRefused_tooFewRecordsFallBackToInSample() {
        assertThatThrownBy(() ->
                        ZooterRouter.train(encoder, records, LLMS, SoftLabels.defaults(), HeadConfig.defaults(), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "calibrationFolds must be 0 (the training records themselves) or at least 2, found 1");
        try (ZooterRouter few = ZooterRouter.train(
                encoder, records.subList(0, 9), LLMS, SoftLabels.defaults(), HeadConfig.defaults(), 5)) {
            assertThat(few.calibrationFolds()).isZero();
            assertThat(few.hasTrainingConfidences()).isTrue();
        }
    }

    @Test
    void route_keepsTheHeadsChoiceAndOrder_andScalesItsLogitsByTheTemperature() {
        double t = router.confidenceTemperature();
        assertThat(t).isBetween(ConfidenceScaling.MIN_TEMPERATURE, 1.0); // the head was under-confident
        RouteDecision d = router.route(records.get(0).query());
        double[] p = d.probabilities();
        // the head's distribution, recovered from the scaled one: p_head ~ p^t
        double[] head = ConfidenceScaling.scale(p, 1 / t);
        assertThat(d.confidence()).isGreaterThan(max(head));
        assertThat(argsort(head)).isEqualTo(argsort(p));
    }

    @Test
    void confidenceTemperatureAndTrainingConfidences_roundTripThroughSaveAndLoad(@TempDir Path dir) throws Exception {
        router.save(dir);
        JsonNode saved =
                new ObjectMapper().readTree(dir.resolve(ZooterRouter.FILE_NAME).toFile());
        assertThat(saved.get("format").asText()).isEqualTo("blender-router/2");
        assertThat(saved.get("confidence_temperature").asDouble()).isEqualTo(router.confidenceTemperature());
        assertThat(saved.get("calibration_folds").asInt()).isEqualTo(5);
        assertThat(saved.get("training_confidences")).hasSize(records.size());
        try (ZooterRouter loaded = ZooterRouter.load(dir, encoder, LLMS)) {
            assertThat(loaded.confidenceTemperature()).isEqualTo(router.confidenceTemperature());
            assertThat(loaded.calibrationFolds()).isEqualTo(5);
            assertThat(loaded.hasTrainingConfidences()).isTrue();
            for (double share : new double[] {0.1, 0.5, 0.9}) {
                assertThat(loaded.thresholdForShare(share)).isEqualTo(router.thresholdForShare(share));
            }
            for (RewardRecord r : records.subList(0, 5)) {
                assertThat(loaded.route(r.query()).probabilities())
                        .containsExactly(router.route(r.query()).probabilities());
            }
        }
    }

    /** In-sample, the kept confidences are the router's own on its training queries: the share is exact. */
    @Test
    void thresholdForShare_inSample_routesThatShareOfTheTrainingQueries() {
        double[] confidences = new double[records.size()];
        for (int q = 0; q < confidences.length; q++) {
            confidences[q] = inSample.route(records.get(q).query()).confidence();
        }
        for (double share : new double[] {0.25, 0.5, 0.75}) {
            ConfidenceCalibration c = inSample.thresholdForShare(share);
            assertThat(c.size()).isEqualTo(records.size());
            long routed = java.util.Arrays.stream(confidences)
                    .filter(x -> x >= c.threshold())
                    .count();
            // one query either way: the stored confidences come from a batch, routing from one query at a time
            assertThat(routed / (double) records.size()).isCloseTo(share, within(1.0 / records.size() + 1e-9));
        }
        assertThat(inSample.thresholdForShare(0).achievedShare()).isZero();
        assertThat(inSample.thresholdForShare(1).achievedShare()).isEqualTo(1.0);
        for (double share : new double[] {0.25, 0.5, 0.75}) {
            assertThat(inSample.shareRoutedAt(inSample.thresholdForShare(share).threshold()))
                    .isEqualTo(inSample.thresholdForShare(share).achievedShare());
        }
    }

    @Test
    void thresholdForShareAndShareRoutedAt_outOfRange_nameTheValue() {
        for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> router.thresholdForShare(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("share must be in [0, 1], found " + bad);
            assertThatThrownBy(() -> router.shareRoutedAt(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("threshold must be in [0, 1], found " + bad);
        }
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }

    private static double max(double[] p) {
        double m = 0;
        for (double v : p) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static List<Integer> argsort(double[] p) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            idx.add(i);
        }
        idx.sort((a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        return idx;
    }
}
