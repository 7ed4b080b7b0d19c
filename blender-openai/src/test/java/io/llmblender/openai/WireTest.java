package io.llmblender.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.core.llm.FinishReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WireTest {

    @ParameterizedTest
    @CsvSource({
        "stop, STOP",
        "length, LENGTH",
        "content_filter, CONTENT_FILTER",
        "tool_calls, TOOL_CALLS",
        "function_call, TOOL_CALLS",
        "weird, UNKNOWN",
        "'', UNKNOWN",
        "STOP, STOP",
        "Length, LENGTH",
        "CONTENT_FILTER, CONTENT_FILTER",
    })
    void finishReason_value_mapsToReason(String wire, FinishReason expected) {
        assertThat(Wire.finishReason(wire)).isEqualTo(expected);
    }

    @Test
    void finishReason_null_isUnknown() {
        assertThat(Wire.finishReason(null)).isEqualTo(FinishReason.UNKNOWN);
    }
}
