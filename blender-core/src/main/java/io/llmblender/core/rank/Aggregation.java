package io.llmblender.core.rank;

/**
 * How a ranking is made from pairwise comparisons, as in LLM-Blender's PairRanker.
 *
 * <p>{@link #MAX_LOGITS} and {@link #MAX_WINS} score all N(N-1) ordered pairs; {@link #BUBBLE}
 * scores 2(N-1) and only finds the best candidate.
 */
public enum Aggregation {

    /**
     * The default: {@code score_i = (1/N) * sum_j (M[i][j] - M[j][i])}, the mean margin of
     * candidate {@code i} over all others in both slot orders.
     */
    MAX_LOGITS,

    /**
     * {@code score_i = #{j : M[i][j] > 0} + #{j : M[j][i] < 0}}: how many comparisons
     * candidate {@code i} wins, counting both slot orders.
     */
    MAX_WINS,

    /**
     * Best-of-n by one bubble pass over a seeded random permutation: N-1 comparisons of two
     * passes each. Only the winner is known: it gets rank 1 and score 1; every other candidate
     * shares rank 2 with score 0.
     */
    BUBBLE
}
