package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Candidates ranked by score: the scores, the competition ranks and the best-first order, with the
 * pairwise matrix the scores came from when there was one. Indices refer to the candidate list
 * that was ranked. Immutable and thread-safe.
 *
 * <p>Ranks follow LLM-Blender: a candidate's rank is 1 + the position of the first occurrence of
 * its score in the descending sort of all scores, so tied candidates share the best rank
 * ({@code 1, 1, 3}). The order, and therefore {@link #topK(int)}, sorts by rank and breaks ties
 * by candidate index, so it is stable where the reference's is not.
 */
public final class Ranking {

    private final double[] scores;
    private final int[] ranks;
    private final List<Integer> order;
    private final Aggregation aggregation;
    private final PairwiseMatrix matrix;

    private Ranking(double[] scores, Aggregation aggregation, PairwiseMatrix matrix) {
        this.scores = scores;
        this.ranks = competitionRanks(scores);
        this.aggregation = aggregation;
        this.matrix = matrix;
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.<Integer>comparingInt(i -> ranks[i]).thenComparingInt(i -> i));
        this.order = Collections.unmodifiableList(Arrays.asList(idx));
    }

    /**
     * A ranking of candidates by scores, higher is better, with no matrix.
     *
     * @param scores one finite score per candidate, at least one; copied
     * @return the ranking
     * @throws IllegalArgumentException if there is no score or a score is not finite
     */
    public static Ranking ofScores(double... scores) {
        return of(scores, null, null);
    }

    /**
     * A ranking with its provenance.
     *
     * @param scores one finite score per candidate, at least one; copied
     * @param aggregation how the scores were made from the matrix, or {@code null} when they were not
     * @param matrix the pairwise logits the scores came from, or {@code null}
     * @return the ranking
     * @throws IllegalArgumentException if there is no score, a score is not finite, or the matrix
     *     size differs from the number of scores
     */
    public static Ranking of(double[] scores, Aggregation aggregation, PairwiseMatrix matrix) {
        Require.nonNull(scores, "scores");
        if (scores.length == 0) {
            throw new IllegalArgumentException("scores must not be empty");
        }
        for (int i = 0; i < scores.length; i++) {
            Require.finite(scores[i], "scores[" + i + "]");
        }
        if (matrix != null && matrix.size() != scores.length) {
            throw new IllegalArgumentException(
                    "matrix size must equal the number of scores (" + scores.length + "), found " + matrix.size());
        }
        return new Ranking(scores.clone(), aggregation, matrix);
    }

    /**
     * Competition ranks of scores, higher score first: 1 + the number of strictly greater scores.
     * Ties share the best rank.
     *
     * @param scores the scores
     * @return a new array of ranks, 1-based
     */
    static int[] competitionRanks(double[] scores) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        int n = scores.length;
        int[] ranks = new int[n];
        for (int i = 0; i < n; i++) {
            // number of scores strictly greater = n - (index just past the last occurrence)
            int upper = upperBound(sorted, scores[i]);
            ranks[i] = 1 + (n - upper);
        }
        return ranks;
    }

    private static int upperBound(double[] sorted, double value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The number of ranked candidates.
     *
     * @return N, at least 1
     */
    public int size() {
        return scores.length;
    }

    /**
     * The score of one candidate; higher is better.
     *
     * @param candidate the candidate's index
     * @return its score
     * @throws IndexOutOfBoundsException if the index is out of range
     */
    public double score(int candidate) {
        return scores[Require.index(candidate, scores.length, "candidate")];
    }

    /**
     * All scores, by candidate index.
     *
     * @return a fresh copy
     */
    public double[] scores() {
        return scores.clone();
    }

    /**
     * The competition rank of one candidate, 1 for the best.
     *
     * @param candidate the candidate's index
     * @return its rank
     * @throws IndexOutOfBoundsException if the index is out of range
     */
    public int rank(int candidate) {
        return ranks[Require.index(candidate, ranks.length, "candidate")];
    }

    /**
     * All ranks, by candidate index.
     *
     * @return a fresh copy
     */
    public int[] ranks() {
        return ranks.clone();
    }

    /**
     * Candidate indices best first: ascending rank, ties by index.
     *
     * @return an unmodifiable list of all indices
     */
    public List<Integer> order() {
        return order;
    }

    /**
     * The index of the best candidate: the first of {@link #order()}.
     *
     * @return the index
     */
    public int best() {
        return order.get(0);
    }

    /**
     * The indices of the K best candidates, best first, ties broken by index. When {@code k}
     * exceeds N, all N indices.
     *
     * @param k how many, at least 1
     * @return an unmodifiable list of {@code min(k, N)} indices
     * @throws IllegalArgumentException if {@code k < 1}
     */
    public List<Integer> topK(int k) {
        Require.positive(k, "k");
        return order.subList(0, Math.min(k, order.size()));
    }

    /**
     * Picks items in ranked order.
     *
     * @param items the ranked items, one per candidate
     * @param k how many, at least 1
     * @param <T> the item type
     * @return the {@code min(k, N)} best items, best first
     * @throws IllegalArgumentException if {@code items} is not of size N or {@code k < 1}
     */
    public <T> List<T> topK(List<T> items, int k) {
        Require.nonNull(items, "items");
        if (items.size() != scores.length) {
            throw new IllegalArgumentException(
                    "items must have one element per candidate (" + scores.length + "), found " + items.size());
        }
        List<T> out = new ArrayList<>();
        for (int i : topK(k)) {
            out.add(items.get(i));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * How the scores were made from the pairwise matrix.
     *
     * @return the aggregation, or empty when the ranking was made from scores directly
     */
    public Optional<Aggregation> aggregation() {
        return Optional.ofNullable(aggregation);
    }

    /**
     * The pairwise logits the scores came from.
     *
     * @return the matrix, or empty when the ranking was made from scores directly
     */
    public Optional<PairwiseMatrix> matrix() {
        return Optional.ofNullable(matrix);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Ranking other)) {
            return false;
        }
        return Arrays.equals(scores, other.scores)
                && aggregation == other.aggregation
                && java.util.Objects.equals(matrix, other.matrix);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(scores);
    }

    @Override
    public String toString() {
        return "Ranking[order=" + order + ", ranks=" + Arrays.toString(ranks) + ", scores=" + Arrays.toString(scores)
                + (aggregation == null ? "" : ", " + aggregation) + "]";
    }
}
