package io.llmblender.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void chatMessage_factories_setRole() {
        assertThat(ChatMessage.system("s").role()).isEqualTo(Role.SYSTEM);
        assertThat(ChatMessage.user("u").role()).isEqualTo(Role.USER);
        assertThat(ChatMessage.assistant("a").role()).isEqualTo(Role.ASSISTANT);
    }

    @Test
    void chatMessage_emptyContent_allowed() {
        assertThat(ChatMessage.assistant("").content()).isEmpty();
    }

    @Test
    void chatMessage_nullRole_throwsNamingField() {
        assertThatThrownBy(() -> new ChatMessage(null, "x"))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("role");
    }

    @Test
    void chatMessage_nullContent_throwsNamingField() {
        assertThatThrownBy(() -> ChatMessage.user(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("content");
    }

    @Test
    void chatMessage_equals_byValue() {
        assertThat(ChatMessage.user("hi"))
                .isEqualTo(new ChatMessage(Role.USER, "hi"))
                .isNotEqualTo(ChatMessage.assistant("hi"));
    }

    @Test
    void tokenUsage_totalTokens_isSum() {
        assertThat(new TokenUsage(12, 30).totalTokens()).isEqualTo(42);
    }

    @Test
    void tokenUsage_totalTokens_doesNotOverflow() {
        assertThat(new TokenUsage(Integer.MAX_VALUE, 1).totalTokens()).isEqualTo(Integer.MAX_VALUE + 1L);
    }

    @Test
    void tokenUsage_zero_allowed() {
        assertThat(new TokenUsage(0, 0).totalTokens()).isZero();
    }

    @Test
    void tokenUsage_negativePrompt_throwsNamingFieldAndValue() {
        assertThatThrownBy(() -> new TokenUsage(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("promptTokens")
                .hasMessageContaining("-1");
    }

    @Test
    void tokenUsage_negativeCompletion_throwsNamingFieldAndValue() {
        assertThatThrownBy(() -> new TokenUsage(0, -7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("completionTokens")
                .hasMessageContaining("-7");
    }

    @Test
    void generation_ofText_defaultsToStopWithoutUsage() {
        Generation g = Generation.of("7");

        assertThat(g.text()).isEqualTo("7");
        assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(g.usage()).isEmpty();
    }

    @Test
    void generation_ofAll_keepsProvenance() {
        Generation g = Generation.of("7", FinishReason.LENGTH, new TokenUsage(3, 1));

        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.usage()).contains(new TokenUsage(3, 1));
    }

    @Test
    void generation_emptyText_allowed() {
        assertThat(Generation.of("").text()).isEmpty();
    }

    @Test
    void generation_nullText_throwsNamingField() {
        assertThatThrownBy(() -> Generation.of(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("text");
    }

    @Test
    void generation_nullFinishReason_throwsNamingField() {
        assertThatThrownBy(() -> Generation.of("x", null, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("finishReason");
    }

    @Test
    void generation_equals_byValue() {
        assertThat(Generation.of("a"))
                .isEqualTo(Generation.of("a", FinishReason.STOP, null))
                .hasSameHashCodeAs(Generation.of("a", FinishReason.STOP, null));
    }

    @Test
    void generation_equals_differsByReasonOrUsage() {
        assertThat(Generation.of("a"))
                .isNotEqualTo(Generation.of("a", FinishReason.LENGTH, null))
                .isNotEqualTo(Generation.of("a", FinishReason.STOP, new TokenUsage(1, 1)));
    }

    @Test
    void generation_toString_hugeText_staysSmall() {
        assertThat(Generation.of("x".repeat(1 << 20)).toString()).hasSizeLessThan(200);
    }
}
