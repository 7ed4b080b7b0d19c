package io.llmblender.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingTest {

    @Test
    void none_isEmptyAndThePromptsDefault() {
        assertThat(Sampling.NONE.isEmpty()).isTrue();
        assertThat(Prompt.of("hi").sampling()).isEqualTo(Sampling.NONE);
        assertThat(Sampling.NONE.temperature()).isEmpty();
        assertThat(Sampling.NONE.stop()).isEmpty();
    }

    @Test
    void builder_keepsEachOption() {
        Sampling s = Sampling.builder()
                .temperature(0.7)
                .topP(0.5)
                .maxTokens(12)
                .seed(-3)
                .stop(List.of("\n", "END"))
                .build();
        assertThat(s.isEmpty()).isFalse();
        assertThat(s.temperature()).hasValue(0.7);
        assertThat(s.topP()).hasValue(0.5);
        assertThat(s.maxTokens()).hasValue(12);
        assertThat(s.seed()).hasValue(-3);
        assertThat(s.stop()).contains(List.of("\n", "END"));
        assertThat(s)
                .isEqualTo(Sampling.builder()
                        .temperature(0.7)
                        .topP(0.5)
                        .maxTokens(12)
                        .seed(-3)
                        .stop(List.of("\n", "END"))
                        .build())
                .hasSameHashCodeAs(Sampling.builder()
                        .temperature(0.7)
                        .topP(0.5)
                        .maxTokens(12)
                        .seed(-3)
                        .stop(List.of("\n", "END"))
                        .build());
    }

    @Test
    void badValues_nameTheOptionAndTheValue() {
        assertThatThrownBy(() -> Sampling.builder().temperature(2.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("temperature must be in [0, 2], found 2.5");
        assertThatThrownBy(() -> Sampling.builder().temperature(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> Sampling.builder().topP(-0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topP must be in [0, 1], found -0.1");
        assertThatThrownBy(() -> Sampling.builder().maxTokens(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTokens")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> Sampling.builder().stop(List.of("a", "b", "c", "d", "e")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stop must hold 1 to 4 sequences, found 5");
        assertThatThrownBy(() -> Sampling.builder().stop(List.of("a", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stop[1] must be a non-empty string, found \"\"");
        assertThatThrownBy(() -> Sampling.builder().temperature(1).temperature(0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("temperature was already set");
    }

    @Test
    void withSampling_isPartOfThePromptsValue() {
        Sampling s = Sampling.builder().maxTokens(5).build();
        Prompt a = Prompt.of("Translate.", "Bonjour").withSampling(s);
        assertThat(a.sampling()).isEqualTo(s);
        assertThat(a).isNotEqualTo(Prompt.of("Translate.", "Bonjour"));
        assertThat(a)
                .isEqualTo(Prompt.of("Translate.", "Bonjour")
                        .withSampling(Sampling.builder().maxTokens(5).build()));
        assertThat(a.withSystem("Be brief.").sampling())
                .as("kept by withSystem")
                .isEqualTo(s);
        assertThat(a.messages()).isEqualTo(Prompt.of("Translate.", "Bonjour").messages());
        assertThat(Prompt.chat(List.of(ChatMessage.user("hi"))).withSampling(s).isChat())
                .isTrue();
    }
}
