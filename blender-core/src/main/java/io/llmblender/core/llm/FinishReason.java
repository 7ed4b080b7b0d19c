package io.llmblender.core.llm;

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
    UNKNOWN
}
