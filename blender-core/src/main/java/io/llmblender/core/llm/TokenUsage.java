package io.llmblender.core.llm;

import io.llmblender.core.check.Require;

/**
 * Tokens an LLM call consumed, as the provider reported them. Immutable.
 *
 * @param promptTokens tokens of the prompt, zero or more
 * @param completionTokens tokens of the answer, zero or more
 */
public record TokenUsage(int promptTokens, int completionTokens) {

    /**
     * Validates the counts.
     *
     * @param promptTokens see the class description
     * @param completionTokens see the class description
     * @throws IllegalArgumentException if a count is negative
     */
    public TokenUsage {
        Require.nonNegative(promptTokens, "promptTokens");
        Require.nonNegative(completionTokens, "completionTokens");
    }

    /**
     * Prompt and completion tokens together.
     *
     * @return the sum of both counts, as a long so that it cannot overflow
     */
    public long totalTokens() {
        return (long) promptTokens + completionTokens;
    }
}
