package io.llmblender.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArgmaxTest {

    @Test
    void of_picksTheLargest() {
        assertThat(Argmax.of(new float[] {0.1f, -2f, 7.5f, 3f})).isEqualTo(2);
        assertThat(Argmax.of(new float[] {-1f})).isZero();
        assertThat(Argmax.of(new float[] {Float.NEGATIVE_INFINITY, -1e30f})).isEqualTo(1);
    }

    @Test
    void of_ties_pickTheFirst() {
        assertThat(Argmax.of(new float[] {1f, 4f, 4f, 4f})).isEqualTo(1);
    }

    @Test
    void of_nan_isNeverPickedAfterIndexZero() {
        assertThat(Argmax.of(new float[] {1f, Float.NaN, 0.5f})).isZero();
        assertThat(Argmax.of(new float[] {Float.NaN, 9f})).isZero();
    }

    @Test
    void of_empty_isRefused() {
        assertThatThrownBy(() -> Argmax.of(new float[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("values must not be empty, found length 0");
    }
}
