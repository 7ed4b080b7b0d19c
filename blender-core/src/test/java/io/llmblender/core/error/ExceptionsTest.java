package io.llmblender.core.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ExceptionsTest {

    @Test
    void llmCallException_messageContainsClientNameAndReason() {
        LlmCallException e = new LlmCallException("gpt-4o", "HTTP 503");

        assertThat(e.getMessage()).contains("gpt-4o").contains("HTTP 503");
    }

    @Test
    void llmCallException_clientName_returnsName() {
        assertThat(new LlmCallException("gpt-4o", "HTTP 503").clientName()).isEqualTo("gpt-4o");
    }

    @Test
    void llmCallException_keepsCause() {
        IOException cause = new IOException("reset");

        assertThat(new LlmCallException("c", "failed", cause)).hasCause(cause);
    }

    @Test
    void llmCallException_withoutCause_hasNone() {
        assertThat(new LlmCallException("c", "failed")).hasNoCause();
    }

    @Test
    void llmCallException_nullClientName_throwsNamingField() {
        assertThatThrownBy(() -> new LlmCallException(null, "failed"))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("clientName");
    }

    @Test
    void blenderException_isRuntimeException() {
        assertThat(RuntimeException.class).isAssignableFrom(BlenderException.class);
    }

    @Test
    void subtypes_extendBlenderException() {
        assertThat(new LlmCallException("c", "m")).isInstanceOf(BlenderException.class);
        assertThat(new InferenceException("m")).isInstanceOf(BlenderException.class);
        assertThat(new ModelLoadException("m")).isInstanceOf(BlenderException.class);
    }

    @Test
    void inferenceException_keepsMessageAndCause() {
        IllegalStateException cause = new IllegalStateException("oom");

        assertThat(new InferenceException("ranker failed", cause))
                .hasMessage("ranker failed")
                .hasCause(cause);
    }

    @Test
    void modelLoadException_keepsMessageAndCause() {
        IOException cause = new IOException("missing");

        assertThat(new ModelLoadException("model.onnx unreadable", cause))
                .hasMessage("model.onnx unreadable")
                .hasCause(cause);
    }

    @Test
    void blenderException_keepsMessageAndCause() {
        IOException cause = new IOException("x");

        assertThat(new BlenderException("m", cause)).hasMessage("m").hasCause(cause);
        assertThat(new BlenderException("m")).hasMessage("m").hasNoCause();
    }
}
