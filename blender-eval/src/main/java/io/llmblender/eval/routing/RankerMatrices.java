package io.llmblender.eval.routing;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A pairwise ranker's full N x N logit matrices over the answers of some queries of a {@link RoutingTable}
 * ({@code M[i][j] > 0}: answer {@code i} beats answer {@code j}), so that the ranker's choice among any subset of the
 * answers can be read without scoring again. The choice among a subset {@code S} is LLM-Blender's max-logits
 * aggregation restricted to {@code S}: the answer with the largest {@code sum over j in S of (M[i][j] - M[j][i])},
 * the earliest in {@code S}'s order on a tie. Over all answers this is the top-1 of
 * {@link io.llmblender.core.rank.Rankings#maxLogitsScores} (ties aside).
 *
 * <p>Immutable and thread-safe.
 */
public final class RankerMatrices {

    private final String ranker;
    private final Map<Integer, double[][]> logits;
    private final int size;

    private RankerMatrices(String ranker, Map<Integer, double[][]> logits, int size) {
        this.ranker = ranker;
        this.logits = logits;
        this.size = size;
    }

    /**
     * Matrices by query index.
     *
     * @param ranker the ranker's name
     * @param logits query index to its square matrix of finite logits (the diagonal is ignored); every matrix of the
     *     same size
     * @return the matrices (copied)
     * @throws IllegalArgumentException naming the query for a negative index, a matrix that is not square or of
     *     another size, or a logit that is not finite off the diagonal
     */
    public static RankerMatrices of(String ranker, Map<Integer, double[][]> logits) {
        Objects.requireNonNull(ranker, "ranker");
        Map<Integer, double[][]> copy = new TreeMap<>();
        int size = -1;
        for (var e : logits.entrySet()) {
            int q = e.getKey();
            double[][] m = e.getValue();
            if (q < 0) {
                throw new IllegalArgumentException("query index must not be negative, found " + q);
            }
            if (size < 0) {
                size = m.length;
            }
            double[][] c = new double[m.length][];
            for (int i = 0; i < m.length; i++) {
                if (m.length != size || m[i].length != size) {
                    throw new IllegalArgumentException("matrix of query " + q + " must be " + size + " x " + size
                            + ", found a row of " + m[i].length + " in " + m.length + " rows");
                }
                for (int j = 0; j < size; j++) {
                    if (i != j && !Double.isFinite(m[i][j])) {
                        throw new IllegalArgumentException("matrix of query " + q + " has a non-finite logit at [" + i
                                + "][" + j + "]: " + m[i][j]);
                    }
                }
                c[i] = m[i].clone();
            }
            copy.put(q, c);
        }
        return new RankerMatrices(ranker, Collections.unmodifiableMap(copy), Math.max(size, 0));
    }

    /** @return the ranker's name */
    public String ranker() {
        return ranker;
    }

    /** @return the matrices' size N (the answers per query), 0 when there are none */
    public int size() {
        return size;
    }

    /** @return the query indices that have a matrix, ascending */
    public Set<Integer> queries() {
        return logits.keySet();
    }

    /**
     * Whether a query has a matrix.
     *
     * @param q the query index
     * @return true if the ranker scored it
     */
    public boolean has(int q) {
        return logits.containsKey(q);
    }

    /**
     * One logit.
     *
     * @param q the query index
     * @param i the left answer
     * @param j the right answer
     * @return {@code M[i][j]}
     * @throws IllegalArgumentException if the query has no matrix
     */
    public double logit(int q, int i, int j) {
        return matrix(q)[i][j];
    }

    /**
     * The ranker's choice among some answers of a query.
     *
     * @param q the query index
     * @param subset LLM indices, at least one, in the order that breaks ties
     * @return the chosen LLM index, one of {@code subset}
     * @throws IllegalArgumentException if the query has no matrix or the subset is empty
     */
    public int select(int q, int[] subset) {
        double[][] m = matrix(q);
        if (subset.length == 0) {
            throw new IllegalArgumentException("the subset to select from is empty");
        }
        int best = subset[0];
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i : subset) {
            double s = 0;
            for (int j : subset) {
                if (i != j) {
                    s += m[i][j] - m[j][i];
                }
            }
            if (s > bestScore) {
                bestScore = s;
                best = i;
            }
        }
        return best;
    }

    private double[][] matrix(int q) {
        double[][] m = logits.get(q);
        if (m == null) {
            throw new IllegalArgumentException("the ranker did not score query " + q);
        }
        return m;
    }
}
