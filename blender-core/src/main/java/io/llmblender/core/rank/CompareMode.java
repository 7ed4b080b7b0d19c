package io.llmblender.core.rank;

/**
 * Which slot orders a comparison of candidates A and B scores; the names of LLM-Blender's
 * {@code compare} modes are given with each constant. The returned logit is positive when the
 * candidate in slot 1 of the scored order is preferred.
 */
public enum CompareMode {

    /**
     * {@code "[A,B]+[B,A]"}, the default: {@code M[A][B] - M[B][A]} (not halved). Two passes;
     * positive means A is better. Cancels most of the ranker's position bias.
     */
    BOTH_ORDERS,

    /** {@code "[A,B]"}: {@code M[A][B]}, one pass with A in slot 1; positive means A is better. */
    A_FIRST,

    /**
     * {@code "[B,A]"}: {@code M[B][A]}, one pass with B in slot 1. As in the reference, the value
     * is returned as is: positive means <em>B</em> is better.
     */
    B_FIRST
}
