package io.llmblender.core.llm;

import io.llmblender.core.check.Require;

/**
 * One turn of a conversation. Immutable.
 *
 * @param role who speaks, never {@code null}
 * @param content what is said, never {@code null}; may be empty
 */
public record ChatMessage(Role role, String content) {

    /**
     * Validates the message.
     *
     * @param role see the class description
     * @param content see the class description
     * @throws NullPointerException if {@code role} or {@code content} is null
     */
    public ChatMessage {
        Require.nonNull(role, "role");
        Require.nonNull(content, "content");
    }

    /**
     * A system message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    /**
     * A user message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    /**
     * An assistant message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
