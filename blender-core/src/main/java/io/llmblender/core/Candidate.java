package io.llmblender.core;

import io.llmblender.core.check.Require;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.TokenUsage;
import java.time.Duration;
import java.util.Optional;

/**
 * One LLM's answer in a blend, with its provenance: which client wrote it, how long the call
 * took, why generation stopped and the token usage when the provider reported it. Immutable.
 */
public final class Candidate {

    private final String client;
    private final Generation generation;
    private final Duration latency;

    private Candidate(String client, Generation generation, Duration latency) {
        this.client = Require.nonBlank(client, "client");
        this.generation = Require.nonNull(generation, "generation");
        this.latency = Require.nonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, found " + latency);
        }
    }

    /**
     * A candidate answer with its full provenance.
     *
     * @param client the name of the client that answered, not blank
     * @param generation what it answered
     * @param latency how long the call took, zero or more
     * @return the candidate
     */
    public static Candidate of(String client, Generation generation, Duration latency) {
        return new Candidate(client, generation, latency);
    }

    /**
     * A candidate from text alone, for ranking answers obtained elsewhere: finish reason
     * {@link FinishReason#STOP}, no usage, zero latency.
     *
     * @param client who wrote it, not blank
     * @param text the answer
     * @return the candidate
     */
    public static Candidate of(String client, String text) {
        return new Candidate(client, Generation.of(text), Duration.ZERO);
    }

    /**
     * The name of the client that wrote the answer.
     *
     * @return the name
     */
    public String client() {
        return client;
    }

    /**
     * The answer.
     *
     * @return the text, never {@code null}
     */
    public String text() {
        return generation.text();
    }

    /**
     * How long the call took, from the start of the blend's fan-out to the answer.
     *
     * @return the latency
     */
    public Duration latency() {
        return latency;
    }

    /**
     * Why generation stopped.
     *
     * @return the reason
     */
    public FinishReason finishReason() {
        return generation.finishReason();
    }

    /**
     * Token counts of the call.
     *
     * @return the usage, or empty when the provider did not report it
     */
    public Optional<TokenUsage> usage() {
        return generation.usage();
    }

    @Override
    public String toString() {
        return "Candidate[" + client + ", " + generation + ", " + latency.toMillis() + " ms]";
    }
}
