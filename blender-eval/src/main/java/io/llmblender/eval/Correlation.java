package io.llmblender.eval;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Rank correlations of two equally long samples, with ties: Spearman's rho and Kendall's tau-b. Both are empty
 * (undefined) when there are fewer than 2 items or either sample is constant (every item tied), the cases where their
 * denominators are 0. Values are compared with {@code ==}, so {@code 0.0} and {@code -0.0} tie.
 */
public final class Correlation {

    private Correlation() {}

    /**
     * Ascending ranks with ties averaged ("fractional" ranks): the smallest value gets 1, the largest {@code n}, and
     * values that tie share the mean of the positions they occupy; for example {@code [10, 30, 20, 30]} gets
     * {@code [1, 3.5, 2, 3.5]}. The ranks always sum to {@code n(n+1)/2}.
     *
     * @param values the values, none NaN
     * @return a new array of ranks, in the order of {@code values}
     * @throws IllegalArgumentException if a value is NaN
     */
    public static double[] averageRanks(double[] values) {
        checkNoNaN(values);
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[n];
        int start = 0;
        while (start < n) {
            int end = start + 1;
            while (end < n && values[order[end]] == values[order[start]]) {
                end++;
            }
            // positions start..end-1 (0-based) hold ranks start+1..end; their mean is (start + 1 + end) / 2
            double rank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++) {
                ranks[order[k]] = rank;
            }
            start = end;
        }
        return ranks;
    }

    /**
     * Spearman's rho: the Pearson correlation of the two samples' {@linkplain #averageRanks average ranks}, which
     * is how ties are handled (as in {@code scipy.stats.spearmanr}).
     *
     * @param x one sample, none NaN
     * @param y the other, as long as {@code x}, none NaN
     * @return rho in [-1, 1], or empty when fewer than 2 items or either sample is constant
     * @throws IllegalArgumentException if the lengths differ or a value is NaN
     */
    public static OptionalDouble spearman(double[] x, double[] y) {
        checkPair(x, y);
        if (undefined(x, y)) {
            return OptionalDouble.empty();
        }
        double[] rx = averageRanks(x);
        double[] ry = averageRanks(y);
        // both rank vectors have the same mean, (n+1)/2
        double mean = (x.length + 1) / 2.0;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = rx[i] - mean;
            double dy = ry[i] - mean;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return OptionalDouble.of(clamp(sxy / Math.sqrt(sxx * syy)));
    }

    /**
     * Kendall's tau-b: {@code (C - D) / sqrt((P - Tx) (P - Ty))} over the {@code P = n(n-1)/2} pairs of items, where
     * {@code C} and {@code D} count the concordant and discordant pairs (untied in both samples), {@code Tx} the pairs
     * tied in {@code x} and {@code Ty} those tied in {@code y} (a pair tied in both counts in both). As
     * {@code scipy.stats.kendalltau}'s default variant.
     *
     * @param x one sample, none NaN
     * @param y the other, as long as {@code x}, none NaN
     * @return tau-b in [-1, 1], or empty when fewer than 2 items or either sample is constant
     * @throws IllegalArgumentException if the lengths differ or a value is NaN
     */
    public static OptionalDouble kendallTauB(double[] x, double[] y) {
        checkPair(x, y);
        if (undefined(x, y)) {
            return OptionalDouble.empty();
        }
        long concordant = 0;
        long discordant = 0;
        long tiedX = 0;
        long tiedY = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                boolean tx = x[i] == x[j];
                boolean ty = y[i] == y[j];
                if (tx) {
                    tiedX++;
                }
                if (ty) {
                    tiedY++;
                }
                if (!tx && !ty) {
                    if ((x[i] < x[j]) == (y[i] < y[j])) {
                        concordant++;
                    } else {
                        discordant++;
                    }
                }
            }
        }
        long pairs = (long) x.length * (x.length - 1) / 2;
        double denominator = Math.sqrt((double) (pairs - tiedX) * (pairs - tiedY));
        return OptionalDouble.of(clamp((concordant - discordant) / denominator));
    }

    /** Fewer than 2 items, or a constant sample: both correlations' denominators are 0. */
    private static boolean undefined(double[] x, double[] y) {
        return x.length < 2 || constant(x) || constant(y);
    }

    private static boolean constant(double[] values) {
        for (double v : values) {
            if (v != values[0]) {
                return false;
            }
        }
        return true;
    }

    private static double clamp(double r) {
        return Math.max(-1.0, Math.min(1.0, r));
    }

    private static void checkPair(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("samples differ in length: " + x.length + " and " + y.length);
        }
        checkNoNaN(x);
        checkNoNaN(y);
    }

    private static void checkNoNaN(double[] values) {
        for (double v : values) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("a value is NaN");
            }
        }
    }
}
