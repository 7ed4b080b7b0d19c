package io.llmblender.fuser;

import io.llmblender.core.check.Require;

/**
 * How a {@link GenFuser} picks each next token. Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #greedy()}: the most likely token each step.</li>
 *   <li>{@link #beamSearch(int)}: Hugging Face {@code generate}'s beam search with
 *       {@code early_stopping=False}: each step keeps the {@code 2 * beams} best continuations;
 *       a finished hypothesis scores {@code sum of log-probs / generated_length ^ lengthPenalty}
 *       (the end-of-sequence token counted in the length); the search stops when {@code beams}
 *       hypotheses have finished and no running beam can beat the worst of them, or at the
 *       token limit. The default, with 4 beams and length penalty 1.0, as LLM-Blender's GenFuser.</li>
 *   <li>{@link #sampling(double, int, double, long)}: temperature, then top-k, then top-p
 *       filtering, then a draw from a generator seeded per prompt, so the same seed gives the same
 *       text whether a prompt is fused alone or in a batch.</li>
 * </ul>
 */
public final class Decoding {

    /** The decoding strategies. */
    public enum Strategy {
        /** Argmax each step. */
        GREEDY,
        /** Beam search. */
        BEAM_SEARCH,
        /** Random sampling. */
        SAMPLING
    }

    private final Strategy strategy;
    private final int beams;
    private final double lengthPenalty;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final long seed;

    private Decoding(
            Strategy strategy, int beams, double lengthPenalty, double temperature, int topK, double topP, long seed) {
        this.strategy = strategy;
        this.beams = beams;
        this.lengthPenalty = lengthPenalty;
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.seed = seed;
    }

    /**
     * Greedy decoding.
     *
     * @return the decoding
     */
    public static Decoding greedy() {
        return new Decoding(Strategy.GREEDY, 1, 1.0, 1.0, 0, 1.0, 0L);
    }

    /**
     * Beam search with length penalty 1.0.
     *
     * @param beams the number of beams, at least 1 (1 gives greedy's tokens)
     * @return the decoding
     */
    public static Decoding beamSearch(int beams) {
        return beamSearch(beams, 1.0);
    }

    /**
     * Beam search.
     *
     * @param beams the number of beams, at least 1
     * @param lengthPenalty the exponent of the length in a finished hypothesis's score; above 0
     *     favours longer answers, below 0 shorter ones; Hugging Face's default is 1.0
     * @return the decoding
     */
    public static Decoding beamSearch(int beams, double lengthPenalty) {
        Require.positive(beams, "beams");
        Require.finite(lengthPenalty, "lengthPenalty");
        return new Decoding(Strategy.BEAM_SEARCH, beams, lengthPenalty, 1.0, 0, 1.0, 0L);
    }

    /**
     * Sampling.
     *
     * @param temperature divides the logits; positive; 1.0 leaves them unchanged
     * @param topK keep only the k most likely tokens; 0 keeps all
     * @param topP keep the smallest set of most likely tokens whose probability reaches p, in
     *     (0, 1]; 1.0 keeps all
     * @param seed the seed of each prompt's generator
     * @return the decoding
     */
    public static Decoding sampling(double temperature, int topK, double topP, long seed) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive and finite, found " + temperature);
        }
        Require.nonNegative(topK, "topK");
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], found " + topP);
        }
        return new Decoding(Strategy.SAMPLING, 1, 1.0, temperature, topK, topP, seed);
    }

    /**
     * The default: beam search with 4 beams and length penalty 1.0, as LLM-Blender's GenFuser.
     *
     * @return the decoding
     */
    public static Decoding defaults() {
        return beamSearch(4);
    }

    /**
     * The strategy.
     *
     * @return the strategy
     */
    public Strategy strategy() {
        return strategy;
    }

    /**
     * The number of beams; 1 unless beam search.
     *
     * @return the beams
     */
    public int beams() {
        return beams;
    }

    /**
     * The length penalty of beam search.
     *
     * @return the exponent
     */
    public double lengthPenalty() {
        return lengthPenalty;
    }

    /**
     * The sampling temperature.
     *
     * @return the temperature
     */
    public double temperature() {
        return temperature;
    }

    /**
     * The sampling top-k, 0 for none.
     *
     * @return k
     */
    public int topK() {
        return topK;
    }

    /**
     * The sampling top-p, 1.0 for none.
     *
     * @return p
     */
    public double topP() {
        return topP;
    }

    /**
     * The sampling seed.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return switch (strategy) {
            case GREEDY -> "greedy";
            case BEAM_SEARCH -> "beamSearch(beams=" + beams + ", lengthPenalty=" + lengthPenalty + ")";
            case SAMPLING ->
                "sampling(temperature=" + temperature + ", topK=" + topK + ", topP=" + topP + ", seed=" + seed + ")";
        };
    }
}
