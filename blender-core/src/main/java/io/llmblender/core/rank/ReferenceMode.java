package io.llmblender.core.rank;

/**
 * Which candidate serves as the reference when a pairwise ranker is used as a scalar reward model
 * ({@link Rankings#rewards(Ranker, String, java.util.List, ReferenceMode)}). Lengths are counted
 * in Unicode code points; ties go to the lowest index.
 */
public enum ReferenceMode {
    /** The longest candidate (the default of LLM-Blender). */
    LONGEST,
    /** The shortest candidate. */
    SHORTEST,
    /**
     * The candidate of median length: candidates sorted by length (ties by index), the one at
     * position {@code (N - 1) / 2}, i.e. the lower median when N is even.
     */
    MEDIAN,
    /** The first candidate. */
    FIRST,
    /** The last candidate. */
    LAST
}
