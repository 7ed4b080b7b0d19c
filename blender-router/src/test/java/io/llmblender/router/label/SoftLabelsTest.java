package io.llmblender.router.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Soft labels, tag labels and the beta mixture of the Zooter spec, on hand-computed cases. */
class SoftLabelsTest {

    private static final double EPS = 1e-12;
    private static final double LN3 = Math.log(3.0);
    private static final double LN4 = Math.log(4.0);

    private static Map<String, Double> rewards(double a, double b) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("a", a);
        m.put("b", b);
        return m;
    }

    /**
     * Soft labels (LLMs a, b): q1 [0.2, 0.8] {math}; q2 [0.75, 0.25] {math, code};
     * q3 [0.5, 0.5] {code}; q4 [0.75, 0.25] no tags.
     * s_math = mean(q1, q2) = [0.475, 0.525]; s_code = mean(q2, q3) = [0.625, 0.375].
     */
    private static List<RewardRecord> tagged() {
        Map<String, Double> q3 = new LinkedHashMap<>();
        q3.put("b", 0.0); // other key order: labels follow llmNames, not the map order
        q3.put("a", 0.0);
        return List.of(
                new RewardRecord("q1", rewards(0.0, LN4), Set.of("math")),
                new RewardRecord("q2", rewards(LN3, 0.0), Set.of("math", "code")),
                new RewardRecord("q3", q3, Set.of("code")),
                RewardRecord.of("q4", rewards(LN3, 0.0)));
    }

    private static void assertLabels(List<double[]> labels, double[]... expected) {
        assertThat(labels).hasSize(expected.length);
        for (int q = 0; q < expected.length; q++) {
            assertThat(labels.get(q)).as("label of q%d", q + 1).containsExactly(expected[q], within(EPS));
        }
    }

    @Test
    void softmax_zeroAndLn3_givesQuarterAndThreeQuarters() {
        assertThat(SoftLabels.defaults().softmax(new double[] {0.0, LN3}))
                .containsExactly(new double[] {0.25, 0.75}, within(EPS));
    }

    @Test
    void softmax_threeRewards_handComputed() {
        // exp(0), exp(ln 2), exp(ln 5) = 1, 2, 5 -> /8
        assertThat(SoftLabels.defaults().softmax(new double[] {0.0, Math.log(2), Math.log(5)}))
                .containsExactly(new double[] {0.125, 0.25, 0.625}, within(EPS));
    }

    @Test
    void softmax_temperatureTwo_dividesRewards() {
        SoftLabels t2 = SoftLabels.builder().temperature(2.0).build();
        // [0, 2 ln 3] / 2 = [0, ln 3] -> [1, 3] / 4
        assertThat(t2.softmax(new double[] {0.0, 2 * LN3})).containsExactly(new double[] {0.25, 0.75}, within(EPS));
        // [0, ln 3] / 2 = [0, ln sqrt 3] -> [1, sqrt 3] / (1 + sqrt 3)
        double r3 = Math.sqrt(3.0);
        assertThat(t2.softmax(new double[] {0.0, LN3}))
                .containsExactly(new double[] {1 / (1 + r3), r3 / (1 + r3)}, within(EPS));
    }

    @Test
    void softmax_temperatureHalf_sharpens() {
        // [0, ln 3] / 0.5 = [0, ln 9] -> [1, 9] / 10
        SoftLabels half = SoftLabels.builder().temperature(0.5).build();
        assertThat(half.softmax(new double[] {0.0, LN3})).containsExactly(new double[] {0.1, 0.9}, within(EPS));
    }

    @Test
    void softmax_largeRewards_staysFinite() {
        SoftLabels labels = SoftLabels.defaults();
        // a shift does not change a softmax
        assertThat(labels.softmax(new double[] {1000.0, 1000.0 + LN3}))
                .containsExactly(new double[] {0.25, 0.75}, within(1e-9));
        assertThat(labels.softmax(new double[] {-1000.0, 0.0})).containsExactly(0.0, 1.0);
        assertThat(labels.softmax(new double[] {1e308, 1e308})).containsExactly(0.5, 0.5);
        // the difference overflows to -infinity: exactly 0, no NaN
        assertThat(labels.softmax(new double[] {-1.7e308, 1.7e308})).containsExactly(0.0, 1.0);
        assertThat(SoftLabels.builder().temperature(0.25).build().softmax(new double[] {1e308, 1e308}))
                .containsExactly(0.5, 0.5);
    }

    @Test
    void softmax_doesNotModifyInput() {
        double[] rewards = {3.0, 1.0};
        SoftLabels.defaults().softmax(rewards);
        assertThat(rewards).containsExactly(3.0, 1.0);
    }

    @Test
    void labels_betaOne_givesPlainSoftmax() {
        SoftLabels one = SoftLabels.builder().beta(1.0).build();
        assertLabels(
                one.labels(tagged(), List.of("a", "b")),
                new double[] {0.2, 0.8},
                new double[] {0.75, 0.25},
                new double[] {0.5, 0.5},
                new double[] {0.75, 0.25});
    }

    @Test
    void labels_betaZero_givesMeanOfTagLabels() {
        SoftLabels zero = SoftLabels.builder().beta(0.0).build();
        assertLabels(
                zero.labels(tagged(), List.of("a", "b")),
                new double[] {0.475, 0.525}, // s_math
                new double[] {0.55, 0.45}, // (s_math + s_code) / 2
                new double[] {0.625, 0.375}, // s_code
                new double[] {0.75, 0.25}); // no tags: keeps s(q)
    }

    @Test
    void labels_defaultBeta_mixesOwnAndTagLabels() {
        // q1: 0.3*[0.2,0.8] + 0.7*[0.475,0.525] = [0.06+0.3325, 0.24+0.3675]
        // q2: 0.3*[0.75,0.25] + 0.7*[0.55,0.45] = [0.225+0.385, 0.075+0.315]
        // q3: 0.3*[0.5,0.5] + 0.7*[0.625,0.375] = [0.15+0.4375, 0.15+0.2625]
        SoftLabels defaults = SoftLabels.defaults();
        assertThat(defaults.beta()).isEqualTo(0.3);
        assertThat(defaults.temperature()).isEqualTo(1.0);
        List<double[]> labels = defaults.labels(tagged(), List.of("a", "b"));
        assertLabels(
                labels,
                new double[] {0.3925, 0.6075},
                new double[] {0.61, 0.39},
                new double[] {0.5875, 0.4125},
                new double[] {0.75, 0.25});
        for (double[] label : labels) {
            assertThat(label[0] + label[1]).isCloseTo(1.0, within(EPS));
        }
    }

    @Test
    void labels_followLlmNamesOrder() {
        SoftLabels zero = SoftLabels.builder().beta(0.0).build();
        assertLabels(
                zero.labels(tagged(), List.of("b", "a")),
                new double[] {0.525, 0.475},
                new double[] {0.45, 0.55},
                new double[] {0.375, 0.625},
                new double[] {0.25, 0.75});
    }

    @Test
    void labels_untaggedQuery_keepsSoftLabelForAnyBeta() {
        List<RewardRecord> records = List.of(RewardRecord.of("q", rewards(0.0, LN3)));
        for (double beta : new double[] {0.0, 0.3, 1.0}) {
            assertThat(SoftLabels.builder()
                            .beta(beta)
                            .build()
                            .labels(records, List.of("a", "b"))
                            .get(0))
                    .containsExactly(new double[] {0.25, 0.75}, within(EPS));
        }
    }

    @Test
    void labels_tagMeansUseTemperature() {
        // T = 2: q1 [0, 2 ln 3] -> [0.25, 0.75]; q2 [0, 0] -> [0.5, 0.5]; both {t}: s_t = [0.375, 0.625]
        SoftLabels labels = SoftLabels.builder().temperature(2.0).beta(0.0).build();
        List<RewardRecord> records = List.of(
                new RewardRecord("q1", rewards(0.0, 2 * LN3), Set.of("t")),
                new RewardRecord("q2", rewards(0.0, 0.0), Set.of("t")));
        assertLabels(
                labels.labels(records, List.of("a", "b")), new double[] {0.375, 0.625}, new double[] {0.375, 0.625});
    }

    @Test
    void labels_noRecords_givesEmptyList() {
        assertThat(SoftLabels.defaults().labels(List.of(), List.of("a"))).isEmpty();
    }

    @Test
    void labels_recordWithOtherLlms_isRejectedNamingIt() {
        List<RewardRecord> records =
                List.of(RewardRecord.of("q1", rewards(0.0, 1.0)), RewardRecord.of("q2", Map.of("a", 1.0, "c", 2.0)));
        assertThatThrownBy(() -> SoftLabels.defaults().labels(records, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("records[1]")
                .hasMessageContaining("\"q2\"")
                .hasMessageContaining("missing [b]")
                .hasMessageContaining("extra [c]");
    }

    @Test
    void labels_badLlmNames_areRejected() {
        List<RewardRecord> records = List.of(RewardRecord.of("q", rewards(0.0, 1.0)));
        SoftLabels labels = SoftLabels.defaults();
        assertThatThrownBy(() -> labels.labels(records, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("llmNames must not be empty");
        assertThatThrownBy(() -> labels.labels(records, List.of("a", "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("llmNames must be distinct, found \"a\" twice");
        assertThatThrownBy(() -> labels.labels(null, List.of("a")))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("records must not be null");
    }

    @Test
    void builder_rejectsBadTemperature() {
        for (double t : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> SoftLabels.builder().temperature(t))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("temperature must be positive and finite, found " + t);
        }
    }

    @Test
    void builder_rejectsBetaOutsideUnitInterval() {
        for (double b : new double[] {-0.1, 1.1, Double.NaN}) {
            assertThatThrownBy(() -> SoftLabels.builder().beta(b))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("beta must be in [0, 1], found " + b);
        }
    }

    @Test
    void builder_refusesASecondCallOfASetter() {
        SoftLabels.Builder t = SoftLabels.builder().temperature(2.0);
        assertThatThrownBy(() -> t.temperature(3.0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("temperature was already set to 2.0, cannot set it to 3.0");
        SoftLabels.Builder b = SoftLabels.builder().beta(0.5);
        assertThatThrownBy(() -> b.beta(0.6))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("beta was already set to 0.5, cannot set it to 0.6");
        assertThat(b.temperature(2.0).build().toString()).isEqualTo("SoftLabels[temperature=2.0, beta=0.5]");
        assertThat(SoftLabels.builder().build().toString())
                .isEqualTo(SoftLabels.defaults().toString());
    }

    @Test
    void softmax_rejectsEmptyAndNonFinite() {
        SoftLabels labels = SoftLabels.defaults();
        assertThatThrownBy(() -> labels.softmax(new double[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rewards must not be empty");
        assertThatThrownBy(() -> labels.softmax(new double[] {0.0, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rewards[1] must be finite, found NaN");
        assertThatThrownBy(() -> labels.softmax(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("rewards must not be null");
    }
}
