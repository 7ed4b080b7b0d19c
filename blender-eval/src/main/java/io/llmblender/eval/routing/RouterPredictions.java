package io.llmblender.eval.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a router said about every query of a {@link RoutingTable}: a probability per LLM, in the table's LLM order,
 * usually out-of-fold (each query routed by a router that did not train on it). The router's choice is the most
 * probable LLM (the first on a tie), its confidence that probability, its top-k the k most probable LLMs (ties by
 * LLM order), as {@link io.llmblender.core.route.RouteDecision} defines them.
 *
 * <p>Immutable (the arrays are copied in and out) and thread-safe.
 */
public final class RouterPredictions {

    private final String name;
    private final double[][] probabilities;

    private RouterPredictions(String name, double[][] probabilities) {
        this.name = name;
        this.probabilities = probabilities;
    }

    /**
     * Predictions from arrays.
     *
     * @param name the router's name in reports, for example {@code router (reference scores)}
     * @param probabilities {@code probabilities[q][i]}: the probability of LLM {@code i} on query {@code q}; each row
     *     finite and not negative, with the same length
     * @return the predictions (copied)
     * @throws IllegalArgumentException naming the query and value for a row of another length, or a negative or
     *     non-finite probability, or when there are no rows
     */
    public static RouterPredictions of(String name, double[][] probabilities) {
        Objects.requireNonNull(name, "name");
        if (probabilities.length == 0) {
            throw new IllegalArgumentException("router '" + name + "' has no predictions");
        }
        double[][] p = new double[probabilities.length][];
        for (int q = 0; q < p.length; q++) {
            if (probabilities[q].length != probabilities[0].length || probabilities[q].length == 0) {
                throw new IllegalArgumentException("probabilities[" + q + "] of router '" + name + "' must have "
                        + probabilities[0].length + " entries, found " + probabilities[q].length);
            }
            for (int i = 0; i < probabilities[q].length; i++) {
                double v = probabilities[q][i];
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("probabilities[" + q + "][" + i + "] of router '" + name
                            + "' must be finite and not negative, found " + v);
                }
            }
            p[q] = probabilities[q].clone();
        }
        return new RouterPredictions(name, p);
    }

    /** @return the router's name */
    public String name() {
        return name;
    }

    /** @return the number of queries */
    public int size() {
        return probabilities.length;
    }

    /** @return the number of LLMs of each row */
    public int llmCount() {
        return probabilities[0].length;
    }

    /**
     * One query's probabilities.
     *
     * @param q the query index
     * @return a copy, in LLM order
     */
    public double[] probabilities(int q) {
        return probabilities[q].clone();
    }

    /**
     * The router's choice.
     *
     * @param q the query index
     * @return the index of the most probable LLM, the first on a tie
     */
    public int chosen(int q) {
        return topK(q, 1)[0];
    }

    /**
     * The router's confidence.
     *
     * @param q the query index
     * @return the largest probability
     */
    public double confidence(int q) {
        return probabilities[q][chosen(q)];
    }

    /**
     * The k most probable LLMs.
     *
     * @param q the query index
     * @param k at least 1; more than the LLMs gives them all
     * @return LLM indices, most probable first, ties in LLM order
     */
    public int[] topK(int q, int k) {
        double[] p = probabilities[q];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        int m = Math.min(Math.max(k, 1), p.length);
        int[] out = new int[m];
        for (int j = 0; j < m; j++) {
            out[j] = order.get(j);
        }
        return out;
    }
}
