package io.llmblender.router.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeadConfigTest {

    @Test
    void defaults() {
        HeadConfig c = HeadConfig.defaults();
        assertThat(c).isEqualTo(new HeadConfig(256, 0.1, 1e-3, 1e-2, 50, 32, 0.1, 5, 0));
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.toBuilder().seed(3).hidden(8).build().hidden()).isEqualTo(8);
    }

    @Test
    void everyFieldIsCheckedAndNamed() {
        assertBad(HeadConfig.builder().hidden(0), "hidden must be in [1, 65536], found 0");
        assertBad(HeadConfig.builder().dropout(1), "dropout must be in [0, 1), found 1.0");
        assertBad(HeadConfig.builder().dropout(Double.NaN), "dropout must be in [0, 1), found NaN");
        assertBad(HeadConfig.builder().learningRate(0), "learningRate must be finite and positive, found 0.0");
        assertBad(HeadConfig.builder().learningRate(Double.POSITIVE_INFINITY), "learningRate");
        assertBad(HeadConfig.builder().weightDecay(-1), "weightDecay must be finite and not negative, found -1.0");
        assertBad(HeadConfig.builder().epochs(0), "epochs must be positive, found 0");
        assertBad(HeadConfig.builder().batchSize(-2), "batchSize must be positive, found -2");
        assertBad(HeadConfig.builder().validationShare(1), "validationShare must be in [0, 1), found 1.0");
        assertBad(HeadConfig.builder().patience(0), "patience must be positive, found 0");
    }

    @Test
    void metricsAreChecked() {
        assertThatThrownBy(() -> new TrainingMetrics(3, 4, 0.1, 0.1, 0.5, 10, 1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bestEpoch must be in [1, 3], found 4");
        assertThatThrownBy(() -> new TrainingMetrics(3, 1, Double.NaN, 0.1, 0.5, 10, 1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainLoss");
    }

    private static void assertBad(HeadConfig.Builder builder, String message) {
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
