package io.llmblender.core.fuse;

import io.llmblender.core.check.Require;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.TokenUsage;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A fused answer with its provenance: which fuser wrote it, how many candidates it read, why
 * generation stopped, how many tokens it generated when known, and, for a fusion an LLM wrote, that LLM and the
 * tokens its call reported. Immutable.
 */
public final class Fusion {

    private final String text;
    private final String fuserName;
    private final int candidatesUsed;
    private final FinishReason finishReason;
    private final int generatedTokens;
    private final String llm;
    private final TokenUsage usage;

    private Fusion(
            String text,
            String fuserName,
            int candidatesUsed,
            FinishReason finishReason,
            int generatedTokens,
            String llm,
            TokenUsage usage) {
        this.text = Require.nonNull(text, "text");
        this.fuserName = Require.nonBlank(fuserName, "fuserName");
        this.candidatesUsed = Require.positive(candidatesUsed, "candidatesUsed");
        this.finishReason = Require.nonNull(finishReason, "finishReason");
        this.generatedTokens = generatedTokens;
        this.llm = llm;
        this.usage = usage;
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
        return new Fusion(text, fuserName, candidatesUsed, finishReason, generatedTokens, null, null);
    }

    /**
     * A fusion an LLM wrote in one call, as {@link LlmFuser} makes: it records which LLM client answered and the
     * tokens it reported, so that callers can count that call with the candidates' ({@link #llm()},
     * {@link #usage()}).
     *
     * @param fuserName the fuser's {@link Fuser#name()}
     * @param candidatesUsed how many candidates the fuser read, at least 1
     * @param llm the {@link io.llmblender.core.llm.LlmClient#name() name} of the client that wrote it
     * @param generation what that client answered
     * @return the fusion; its generated tokens are the completion tokens the client reported
     * @throws IllegalArgumentException if a count is out of range or a name is blank
     */
    public static Fusion ofLlmCall(String fuserName, int candidatesUsed, String llm, Generation generation) {
        Require.nonBlank(llm, "llm");
        Require.nonNull(generation, "generation");
        TokenUsage u = generation.usage().orElse(null);
        return new Fusion(
                generation.text(),
                fuserName,
                candidatesUsed,
                generation.finishReason(),
                u == null ? -1 : u.completionTokens(),
                llm,
                u);
    }

    /**
     * The LLM client that wrote this fusion in one call of its own, for a fusion made with
     * {@link #ofLlmCall}; empty for a local model.
     *
     * @return the client's name, or empty
     */
    public Optional<String> llm() {
        return Optional.ofNullable(llm);
    }

    /**
     * The tokens the fusing LLM call reported (prompt and completion); empty for a local model, or when the
     * client reported none.
     *
     * @return the usage, or empty
     */
    public Optional<TokenUsage> usage() {
        return Optional.ofNullable(usage);
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
