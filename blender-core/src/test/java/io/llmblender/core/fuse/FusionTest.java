package io.llmblender.core.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.llm.FinishReason;
import org.junit.jupiter.api.Test;

class FusionTest {

    @Test
    void of_validValues_kept() {
        Fusion f = Fusion.of("fused", "genfuser", 3, FinishReason.STOP, 12);

        assertThat(f.text()).isEqualTo("fused");
        assertThat(f.fuserName()).isEqualTo("genfuser");
        assertThat(f.candidatesUsed()).isEqualTo(3);
        assertThat(f.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(f.generatedTokens()).hasValue(12);
    }

    @Test
    void of_minusOneTokens_isUnknown() {
        assertThat(Fusion.of("t", "f", 1, FinishReason.STOP, -1).generatedTokens())
                .isEmpty();
    }

    @Test
    void of_zeroTokens_isKnownZero() {
        assertThat(Fusion.of("", "f", 1, FinishReason.STOP, 0).generatedTokens())
                .hasValue(0);
    }

    @Test
    void of_tokensBelowMinusOne_throws() {
        assertThatThrownBy(() -> Fusion.of("t", "f", 1, FinishReason.STOP, -2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generatedTokens")
                .hasMessageContaining("-2");
    }

    @Test
    void of_blankName_throws() {
        assertThatThrownBy(() -> Fusion.of("t", " ", 1, FinishReason.STOP, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fuserName");
    }

    @Test
    void of_zeroCandidates_throws() {
        assertThatThrownBy(() -> Fusion.of("t", "f", 0, FinishReason.STOP, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("candidatesUsed")
                .hasMessageContaining("0");
    }

    @Test
    void of_nullText_throws() {
        assertThatThrownBy(() -> Fusion.of(null, "f", 1, FinishReason.STOP, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("text");
    }

    @Test
    void of_nullFinishReason_throws() {
        assertThatThrownBy(() -> Fusion.of("t", "f", 1, null, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("finishReason");
    }

    @Test
    void toString_hugeText_staysSmall() {
        assertThat(Fusion.of("x".repeat(1 << 20), "f", 1, FinishReason.STOP, 0).toString())
                .hasSizeLessThan(200);
    }
}
