package io.llmblender.core.rank;

import io.llmblender.core.check.Require;

/**
 * An ordered pair of candidate indices: {@code first} goes in the ranker's first candidate slot,
 * {@code second} in the second. The logit of the pair is positive when the ranker prefers
 * {@code first}. Immutable.
 *
 * @param first index of the candidate in slot 1, zero or more
 * @param second index of the candidate in slot 2, zero or more, not equal to {@code first}
 */
public record CandidatePair(int first, int second) {

    /**
     * Validates the pair.
     *
     * @param first see the class description
     * @param second see the class description
     * @throws IllegalArgumentException if an index is negative or both are equal
     */
    public CandidatePair {
        Require.nonNegative(first, "first");
        Require.nonNegative(second, "second");
        if (first == second) {
            throw new IllegalArgumentException(
                    "a pair needs two different candidates, found (" + first + ", " + second + ")");
        }
    }

    /**
     * The same two candidates in the other order.
     *
     * @return {@code (second, first)}
     */
    public CandidatePair reversed() {
        return new CandidatePair(second, first);
    }
}
