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
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bestEpoch must be in [1, 3], found 4");
        assertThatThrownBy(() -> new TrainingMetrics(3, 1, Double.NaN, 0.1, 0.5, 10, 1, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainLoss");
    }

    @Test
    void everySetterRefusesASecondCall() {
        assertTwice(b -> b.hidden(8), b -> b.hidden(9), "hidden was already set to 8, cannot set it to 9");
        assertTwice(b -> b.dropout(0.2), b -> b.dropout(0.3), "dropout was already set to 0.2, cannot set it to 0.3");
        assertTwice(b -> b.learningRate(0.1), b -> b.learningRate(0.2), "learningRate was already set to 0.1");
        assertTwice(b -> b.weightDecay(0), b -> b.weightDecay(1), "weightDecay was already set to 0.0");
        assertTwice(b -> b.epochs(3), b -> b.epochs(4), "epochs was already set to 3, cannot set it to 4");
        assertTwice(b -> b.batchSize(3), b -> b.batchSize(4), "batchSize was already set to 3");
        assertTwice(b -> b.validationShare(0), b -> b.validationShare(0.5), "validationShare was already set to 0.0");
        assertTwice(b -> b.patience(3), b -> b.patience(4), "patience was already set to 3");
        assertTwice(b -> b.seed(1), b -> b.seed(2), "seed was already set to 1, cannot set it to 2");
    }

    @Test
    void toBuilderStartsFromTheRecordAndStillAllowsEachSetterOnce() {
        HeadConfig c = HeadConfig.builder().hidden(8).seed(5).build();
        HeadConfig.Builder b = c.toBuilder().seed(6);
        assertThatThrownBy(() -> b.seed(7))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("seed was already set to 6, cannot set it to 7");
        assertThat(b.build()).isEqualTo(new HeadConfig(8, 0.1, 1e-3, 1e-2, 50, 32, 0.1, 5, 6));
    }

    private static void assertTwice(
            java.util.function.Consumer<HeadConfig.Builder> first,
            java.util.function.Consumer<HeadConfig.Builder> second,
            String message) {
        HeadConfig.Builder builder = HeadConfig.builder();
        first.accept(builder);
        assertThatThrownBy(() -> second.accept(builder))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(message);
    }

    private static void assertBad(HeadConfig.Builder builder, String message) {
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
