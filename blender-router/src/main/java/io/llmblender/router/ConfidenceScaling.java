package io.llmblender.router;

import java.util.Arrays;

/**
 * Temperature scaling of a router head's distribution, so that its top probability (the router's confidence) means
 * what the adaptive mode's threshold assumes: how often the router's pick is a best LLM.
 *
 * <p>The head is trained towards soft labels {@code softmax(rewards / labelTemperature)}; with rewards in [0, 1] and
 * the default label temperature 1 those labels, and so the head's distribution, stay below {@code e / (e + N - 1)}
 * (0.576 for three LLMs) however sure the router is. Scaling the head's logits by {@code 1 / T} keeps the choice and
 * the order of the LLMs and moves the confidence; {@link #fit} picks {@code T} on the training records by maximum
 * likelihood of the event "the pick is a best LLM" (top-label calibration, Guo et al. 2017, with ties among the best
 * LLMs counted as right), with Platt's smoothed targets so that a router that is right on every training query is
 * not made certain (which would round every confidence to 1 and leave nothing to rank queries by). Stateless; every
 * method is a pure function.
 */
final class ConfidenceScaling {

    /** The smallest temperature {@link #fit} considers; below it confidences round to 1 and share thresholds break. */
    static final double MIN_TEMPERATURE = 0.01;

    /** The largest temperature {@link #fit} considers; above it every distribution is practically uniform. */
    static final double MAX_TEMPERATURE = 100.0;

    /** How many training confidences a router keeps for share thresholds: all of them up to this many, else quantiles. */
    static final int MAX_STORED_CONFIDENCES = 1001;

    private static final double CLIP = 1e-12;
    private static final int GRID = 161;
    private static final int REFINE = 60;

    private ConfidenceScaling() {}

    /**
     * {@code softmax(log(p) / t)}: the distribution of the same logits at temperature {@code t}.
     *
     * @param p a distribution (values in [0, 1], summing to 1); zeros stay zero
     * @param t the temperature, positive; 1 returns a copy of {@code p}
     * @return the scaled distribution, a new array
     */
    static double[] scale(double[] p, double t) {
        if (t == 1.0) {
            return p.clone();
        }
        double[] out = new double[p.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < p.length; i++) {
            out[i] = p[i] > 0 ? Math.log(p[i]) / t : Double.NEGATIVE_INFINITY;
            max = Math.max(max, out[i]);
        }
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(out[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /**
     * The top probability of {@code p} at temperature {@code t}.
     *
     * @param p a distribution
     * @param t the temperature, positive
     * @return the confidence, in [1/N, 1]
     */
    static double confidence(double[] p, double t) {
        double[] s = scale(p, t);
        double top = 0;
        for (double v : s) {
            top = Math.max(top, v);
        }
        return top;
    }

    /**
     * Whether the head's pick (its most probable LLM, ties to the lowest index, as
     * {@link io.llmblender.core.route.RouteDecision#chosen()}) has the highest reward (ties count as right).
     *
     * @param p the head's distribution
     * @param rewards the record's rewards, in the same order
     * @return true if the pick is a best LLM
     */
    static boolean pickIsBest(double[] p, double[] rewards) {
        int pick = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[pick]) {
                pick = i;
            }
        }
        double best = Double.NEGATIVE_INFINITY;
        for (double r : rewards) {
            best = Math.max(best, r);
        }
        return rewards[pick] >= best;
    }

    /**
     * Fits the temperature: the {@code T} in [{@value #MIN_TEMPERATURE}, {@value #MAX_TEMPERATURE}] minimising the
     * cross-entropy {@code -sum_q [y_q log c_q(T) + (1 - y_q) log(1 - c_q(T))]}, where {@code c_q(T)} is the
     * confidence at {@code T} and {@code y_q} whether the pick is a best LLM, as Platt's smoothed target: {@code (R +
     * 1) / (R + 2)} when it is, {@code 1 / (W + 2)} when it is not, for R right and W wrong picks (with many records
     * this is the plain negative log-likelihood). A 1-D search: a grid over {@code log T},
     * then golden-section refinement around the best grid point. When the likelihood does not depend on {@code T}
     * (every distribution uniform) the result is 1.
     *
     * @param distributions the head's distributions over the training queries, at least one
     * @param rewards the rewards of the same queries, in the same LLM order
     * @return the temperature
     */
    static double fit(double[][] distributions, double[][] rewards) {
        int m = distributions.length;
        boolean[] isRight = new boolean[m];
        double[][] logs = new double[m][];
        int rights = 0;
        for (int q = 0; q < m; q++) {
            isRight[q] = pickIsBest(distributions[q], rewards[q]);
            rights += isRight[q] ? 1 : 0;
            logs[q] = logGaps(distributions[q]);
        }
        double[] right = new double[m];
        for (int q = 0; q < m; q++) {
            right[q] = isRight[q] ? (rights + 1.0) / (rights + 2.0) : 1.0 / (m - rights + 2.0);
        }
        double lo = Math.log(MIN_TEMPERATURE);
        double hi = Math.log(MAX_TEMPERATURE);
        double step = (hi - lo) / (GRID - 1);
        int bestIndex = -1;
        double bestLoss = Double.POSITIVE_INFINITY;
        double flat = nll(logs, right, 0.0);
        for (int k = 0; k < GRID; k++) {
            double loss = nll(logs, right, lo + k * step);
            if (loss < bestLoss) {
                bestLoss = loss;
                bestIndex = k;
            }
        }
        if (!(bestLoss < flat - 1e-12 * Math.max(1, Math.abs(flat)))) {
            return 1.0; // T does not matter (or 1 is as good as any grid point)
        }
        double a = lo + Math.max(0, bestIndex - 1) * step;
        double b = lo + Math.min(GRID - 1, bestIndex + 1) * step;
        double phi = (Math.sqrt(5) - 1) / 2;
        double c = b - phi * (b - a);
        double d = a + phi * (b - a);
        double fc = nll(logs, right, c);
        double fd = nll(logs, right, d);
        for (int i = 0; i < REFINE; i++) {
            if (fc < fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - phi * (b - a);
                fc = nll(logs, right, c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + phi * (b - a);
                fd = nll(logs, right, d);
            }
        }
        double u = (a + b) / 2;
        double loss = nll(logs, right, u);
        double grid = lo + bestIndex * step;
        return Math.exp(loss <= bestLoss ? u : grid);
    }

    /**
     * The sorted confidences to keep for share thresholds: all when there are at most
     * {@value #MAX_STORED_CONFIDENCES}, else that many evenly spaced order statistics (the smallest and the largest
     * included), so that a share's threshold is off by at most 1/1000 of the queries.
     *
     * @param confidences the confidences of the training queries, at least one
     * @return a new sorted array
     */
    static double[] summary(double[] confidences) {
        double[] sorted = confidences.clone();
        Arrays.sort(sorted);
        if (sorted.length <= MAX_STORED_CONFIDENCES) {
            return sorted;
        }
        double[] out = new double[MAX_STORED_CONFIDENCES];
        for (int k = 0; k < out.length; k++) {
            out[k] = sorted[(int) Math.round((double) k * (sorted.length - 1) / (out.length - 1))];
        }
        return out;
    }

    /** {@code log p_j - log p_top} for every j other than the top (non-positive; -inf for a zero). */
    private static double[] logGaps(double[] p) {
        int top = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[top]) {
                top = i;
            }
        }
        double[] gaps = new double[p.length - 1];
        double lt = Math.log(p[top]);
        int k = 0;
        for (int i = 0; i < p.length; i++) {
            if (i != top) {
                gaps[k++] = p[i] > 0 ? Math.log(p[i]) - lt : Double.NEGATIVE_INFINITY;
            }
        }
        return gaps;
    }

    /** The cross-entropy to the targets {@code right} at {@code T = exp(u)}. */
    private static double nll(double[][] logGaps, double[] right, double u) {
        double inv = Math.exp(-u);
        double sum = 0;
        for (int q = 0; q < logGaps.length; q++) {
            double z = 1;
            for (double g : logGaps[q]) {
                z += Math.exp(g * inv);
            }
            double c = Math.min(1 - CLIP, Math.max(CLIP, 1 / z));
            sum -= right[q] * Math.log(c) + (1 - right[q]) * Math.log(1 - c);
        }
        return sum;
    }
}
