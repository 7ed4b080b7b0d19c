package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import java.util.Arrays;
import java.util.Locale;

/**
 * The N x N logits of a pairwise ranker for one source: {@code logit(i, j)} is the score of the
 * ordered pair with candidate {@code i} in slot 1 and {@code j} in slot 2, positive when the
 * ranker prefers {@code i}. The diagonal is 0 by definition and is never computed. Entries a
 * strategy did not need are not computed, and the matrix says which ones were. Immutable and
 * thread-safe.
 */
public final class PairwiseMatrix {

    private final int size;
    private final double[] logits;
    private final boolean[] computed;
    private final int computedCount;

    private PairwiseMatrix(int size, double[] logits, boolean[] computed) {
        this.size = size;
        this.logits = logits;
        this.computed = computed;
        int count = 0;
        for (boolean c : computed) {
            if (c) {
                count++;
            }
        }
        this.computedCount = count;
    }

    /**
     * A complete matrix from a square array. The diagonal must be 0; every other entry counts as
     * computed.
     *
     * @param logits {@code logits[i][j]} for candidate i in slot 1 and j in slot 2; copied
     * @return the matrix
     * @throws NullPointerException if the array or a row is null
     * @throws IllegalArgumentException if the array is empty or not square, the diagonal is not 0,
     *     or an entry is not finite
     */
    public static PairwiseMatrix of(double[][] logits) {
        Require.nonNull(logits, "logits");
        int n = logits.length;
        Builder builder = builder(n);
        for (int i = 0; i < n; i++) {
            Require.nonNull(logits[i], "logits[" + i + "]");
            if (logits[i].length != n) {
                throw new IllegalArgumentException("logits must be square, found row " + i + " of length "
                        + logits[i].length + " in a " + n + "-row matrix");
            }
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    if (logits[i][i] != 0.0) {
                        throw new IllegalArgumentException(
                                "logits[" + i + "][" + i + "] is on the diagonal and must be 0, found " + logits[i][i]);
                    }
                } else {
                    builder.set(i, j, logits[i][j]);
                }
            }
        }
        return builder.build();
    }

    /**
     * A builder for an N x N matrix with no entry computed yet.
     *
     * @param size N, at least 1
     * @return a new builder
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public static Builder builder(int size) {
        return new Builder(Require.positive(size, "size"));
    }

    /**
     * The number of candidates N.
     *
     * @return N, at least 1
     */
    public int size() {
        return size;
    }

    /**
     * The logit of the ordered pair {@code (i, j)}; 0 on the diagonal.
     *
     * @param i candidate in slot 1
     * @param j candidate in slot 2
     * @return the logit, positive when the ranker prefers {@code i}
     * @throws IndexOutOfBoundsException if an index is out of range
     * @throws IllegalStateException if the pair was not computed
     */
    public double logit(int i, int j) {
        Require.index(i, size, "i");
        Require.index(j, size, "j");
        if (i == j) {
            return 0.0;
        }
        if (!computed[i * size + j]) {
            throw new IllegalStateException("logit[" + i + "][" + j + "] was not computed");
        }
        return logits[i * size + j];
    }

    /**
     * Whether the ordered pair {@code (i, j)} was computed; always false on the diagonal.
     *
     * @param i candidate in slot 1
     * @param j candidate in slot 2
     * @return true when the ranker scored this pair
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public boolean isComputed(int i, int j) {
        Require.index(i, size, "i");
        Require.index(j, size, "j");
        return computed[i * size + j];
    }

    /**
     * How many ordered pairs were computed: N(N-1) for a complete matrix.
     *
     * @return the count
     */
    public int computedCount() {
        return computedCount;
    }

    /**
     * Whether every off-diagonal pair was computed.
     *
     * @return true when {@link #computedCount()} is N(N-1)
     */
    public boolean isComplete() {
        return computedCount == size * (size - 1);
    }

    /**
     * The logits as a fresh array; entries not computed are {@link Double#NaN}, the diagonal 0.
     *
     * @return a new N x N array
     */
    public double[][] toArray() {
        double[][] out = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                out[i][j] = i == j ? 0.0 : computed[i * size + j] ? logits[i * size + j] : Double.NaN;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PairwiseMatrix other)) {
            return false;
        }
        return size == other.size && Arrays.equals(logits, other.logits) && Arrays.equals(computed, other.computed);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(logits) + Arrays.hashCode(computed);
    }

    /**
     * The matrix as rows of logits with 4 decimals, {@code .} for the diagonal and {@code ?} for
     * entries not computed.
     *
     * @return a multi-line rendering
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PairwiseMatrix[")
                .append(size)
                .append('x')
                .append(size)
                .append(", ")
                .append(computedCount)
                .append(" computed]");
        for (int i = 0; i < size; i++) {
            sb.append('\n');
            for (int j = 0; j < size; j++) {
                String cell = i == j
                        ? "."
                        : computed[i * size + j] ? String.format(Locale.ROOT, "%.4f", logits[i * size + j]) : "?";
                sb.append(String.format(Locale.ROOT, "%10s", cell));
            }
        }
        return sb.toString();
    }

    /**
     * Fills a matrix entry by entry; for ranker implementations. Not thread-safe; each
     * {@link #build()} returns an independent immutable matrix.
     */
    public static final class Builder {

        private final int size;
        private final double[] logits;
        private final boolean[] computed;

        private Builder(int size) {
            this.size = size;
            this.logits = new double[size * size];
            this.computed = new boolean[size * size];
        }

        /**
         * Records the logit of the ordered pair {@code (i, j)}; setting a pair twice keeps the last value.
         *
         * @param i candidate in slot 1
         * @param j candidate in slot 2, not {@code i}
         * @param logit the score, finite
         * @return this builder
         * @throws IndexOutOfBoundsException if an index is out of range
         * @throws IllegalArgumentException if {@code i == j} or the logit is not finite
         */
        public Builder set(int i, int j, double logit) {
            Require.index(i, size, "i");
            Require.index(j, size, "j");
            if (i == j) {
                throw new IllegalArgumentException(
                        "the diagonal is 0 by definition, cannot set logit[" + i + "][" + j + "]");
            }
            Require.finite(logit, "logit[" + i + "][" + j + "]");
            logits[i * size + j] = logit;
            computed[i * size + j] = true;
            return this;
        }

        /**
         * Records the logit of an ordered pair.
         *
         * @param pair the pair
         * @param logit the score, finite
         * @return this builder
         */
        public Builder set(CandidatePair pair, double logit) {
            Require.nonNull(pair, "pair");
            return set(pair.first(), pair.second(), logit);
        }

        /**
         * Copies every computed entry of another matrix of the same size into this builder.
         *
         * @param other the matrix to copy from
         * @return this builder
         * @throws IllegalArgumentException if the sizes differ
         */
        public Builder setAll(PairwiseMatrix other) {
            Require.nonNull(other, "other");
            if (other.size != size) {
                throw new IllegalArgumentException("matrix size must be " + size + ", found " + other.size);
            }
            for (int k = 0; k < logits.length; k++) {
                if (other.computed[k]) {
                    logits[k] = other.logits[k];
                    computed[k] = true;
                }
            }
            return this;
        }

        /**
         * Makes the immutable matrix.
         *
         * @return the matrix holding the entries set so far
         */
        public PairwiseMatrix build() {
            return new PairwiseMatrix(size, logits.clone(), computed.clone());
        }
    }
}
