package io.llmblender.core.llm;

import io.llmblender.core.check.Require;
import java.util.Objects;
import java.util.Optional;

/**
 * What one LLM call produced: the answer text, why generation stopped, and the token usage when
 * the provider reported it. Immutable and thread-safe.
 */
public final class Generation {

    private final String text;
    private final FinishReason finishReason;
    private final TokenUsage usage;

    private Generation(String text, FinishReason finishReason, TokenUsage usage) {
        this.text = Require.nonNull(text, "text");
        this.finishReason = Require.nonNull(finishReason, "finishReason");
        this.usage = usage;
    }

    /**
     * A generation that stopped on its own, with unknown usage.
     *
     * @param text the answer, may be empty, not null
     * @return the generation
     * @throws NullPointerException if {@code text} is null
     */
    public static Generation of(String text) {
        return new Generation(text, FinishReason.STOP, null);
    }

    /**
     * A generation with all its provenance.
     *
     * @param text the answer, may be empty, not null
     * @param finishReason why generation stopped, not null
     * @param usage token counts, or {@code null} when the provider did not report them
     * @return the generation
     * @throws NullPointerException if {@code text} or {@code finishReason} is null
     */
    public static Generation of(String text, FinishReason finishReason, TokenUsage usage) {
        return new Generation(text, finishReason, usage);
    }

    /**
     * The answer text.
     *
     * @return the text, never {@code null}, possibly empty
     */
    public String text() {
        return text;
    }

    /**
     * Why generation stopped.
     *
     * @return the reason, never {@code null}
     */
    public FinishReason finishReason() {
        return finishReason;
    }

    /**
     * Token counts of the call.
     *
     * @return the usage, or empty when the provider did not report it
     */
    public Optional<TokenUsage> usage() {
        return Optional.ofNullable(usage);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Generation other)) {
            return false;
        }
        return text.equals(other.text) && finishReason == other.finishReason && Objects.equals(usage, other.usage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, finishReason, usage);
    }

    @Override
    public String toString() {
        return "Generation[" + text.length() + " chars, " + finishReason + (usage == null ? "" : ", " + usage) + "]";
    }
}
