package io.llmblender.core.llm;

/** Who speaks in a {@link ChatMessage}. */
public enum Role {
    /** Instructions that frame the whole conversation. */
    SYSTEM,
    /** The person asking. */
    USER,
    /** The model answering. */
    ASSISTANT
}
