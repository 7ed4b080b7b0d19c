package io.llmblender.core.llm;

import java.util.Locale;

/** Why a model stopped generating: the provenance of every answer and fusion. */
public enum FinishReason {
    /** The model ended its answer itself (an end-of-sequence token or a stop sequence). */
    STOP,
    /** The answer hit the token limit and is cut. */
    LENGTH,
    /** The provider withheld or cut the answer by its content policy. */
    CONTENT_FILTER,
    /** The model asked to call a tool instead of answering. */
    TOOL_CALLS,
    /** The provider did not say, or said something this library does not know. */
    UNKNOWN;

    /**
     * Maps the OpenAI wire value ({@code "stop"}, {@code "length"}, {@code "content_filter"},
     * {@code "tool_calls"}, {@code "function_call"}), and {@code "eos"} as some local servers
     * send it, to a reason; anything else, including
     * {@code null}, is {@link #UNKNOWN}. Case-insensitive.
     *
     * @param wireValue the {@code finish_reason} string of a completion, may be null
     * @return the reason, never {@code null}
     */
    public static FinishReason fromWire(String wireValue) {
        if (wireValue == null) {
            return UNKNOWN;
        }
        switch (wireValue.toLowerCase(Locale.ROOT)) {
            case "stop":
            case "eos":
                return STOP;
            case "length":
                return LENGTH;
            case "content_filter":
                return CONTENT_FILTER;
            case "tool_calls":
            case "function_call":
                return TOOL_CALLS;
            default:
                return UNKNOWN;
        }
    }
}
