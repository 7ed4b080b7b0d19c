package io.llmblender.core.fuse;

import io.llmblender.core.check.Require;
import io.llmblender.core.llm.FinishReason;
import java.util.OptionalInt;

/**
 * A fused answer with its provenance: which fuser wrote it, how many candidates it read, why
 * generation stopped and how many tokens it generated when known. Immutable.
 */
public final class Fusion {

    private final String text;
    private final String fuserName;
    private final int candidatesUsed;
    private final FinishReason finishReason;
    private final int generatedTokens;

    private Fusion(String text, String fuserName, int candidatesUsed, FinishReason finishReason, int generatedTokens) {
        this.text = Require.nonNull(text, "text");
        this.fuserName = Require.nonBlank(fuserName, "fuserName");
        this.candidatesUsed = Require.positive(candidatesUsed, "candidatesUsed");
        this.finishReason = Require.nonNull(finishReason, "finishReason");
        this.generatedTokens = generatedTokens;
    }

    /**
     * A fusion.
     *
     * @param text the fused answer, not null
     * @param fuserName the fuser's {@link Fuser#name()}
     * @param candidatesUsed how many candidates the fuser read, at least 1
     * @param finishReason why generation stopped
     * @param generatedTokens tokens generated, or -1 when unknown
     * @return the fusion
     * @throws IllegalArgumentException if a count is out of range or the name is blank
     */
    public static Fusion of(
            String text, String fuserName, int candidatesUsed, FinishReason finishReason, int generatedTokens) {
        if (generatedTokens < -1) {
            throw new IllegalArgumentException(
                    "generatedTokens must be -1 (unknown) or more, found " + generatedTokens);
        }
        return new Fusion(text, fuserName, candidatesUsed, finishReason, generatedTokens);
    }

    /**
     * The fused answer.
     *
     * @return the text, never {@code null}
     */
    public String text() {
        return text;
    }

    /**
     * Which fuser wrote it.
     *
     * @return the fuser's name
     */
    public String fuserName() {
        return fuserName;
    }

    /**
     * How many candidates the fuser read.
     *
     * @return at least 1
     */
    public int candidatesUsed() {
        return candidatesUsed;
    }

    /**
     * Why generation stopped.
     *
     * @return the reason
     */
    public FinishReason finishReason() {
        return finishReason;
    }

    /**
     * How many tokens the fuser generated.
     *
     * @return the count, or empty when unknown
     */
    public OptionalInt generatedTokens() {
        return generatedTokens < 0 ? OptionalInt.empty() : OptionalInt.of(generatedTokens);
    }

    @Override
    public String toString() {
        return "Fusion[" + fuserName + ", " + candidatesUsed + " candidates, " + finishReason + ", " + text.length()
                + " chars]";
    }
}
