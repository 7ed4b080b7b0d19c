package io.llmblender.core.route;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A router's distribution over LLMs for one query, with the chosen LLM (the most probable,
 * ties to the lowest index) and its probability as the confidence. Immutable.
 */
public final class RouteDecision {

    private static final double SUM_TOLERANCE = 1e-4;

    private final List<String> names;
    private final double[] probabilities;
    private final List<Integer> order;

    private RouteDecision(List<String> names, double[] probabilities) {
        this.names = names;
        this.probabilities = probabilities;
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            idx.add(i);
        }
        idx.sort(Comparator.<Integer>comparingDouble(i -> -probabilities[i]).thenComparingInt(i -> i));
        this.order = List.copyOf(idx);
    }

    /**
     * A decision.
     *
     * @param names the LLM names, distinct, not blank, at least one
     * @param probabilities one probability per name, each in [0, 1], summing to 1 within 1e-4
     * @return the decision
     * @throws IllegalArgumentException if the sizes differ, a name repeats or a probability is
     *     out of range
     */
    public static RouteDecision of(List<String> names, double[] probabilities) {
        Require.nonNull(names, "names");
        Require.nonNull(probabilities, "probabilities");
        List<String> copy = List.copyOf(names);
        if (copy.isEmpty() || copy.size() != probabilities.length) {
            throw new IllegalArgumentException("names and probabilities must be non-empty and of the same size, found "
                    + copy.size() + " and " + probabilities.length);
        }
        Set<String> seen = new HashSet<>();
        double sum = 0;
        for (int i = 0; i < copy.size(); i++) {
            Require.nonBlank(copy.get(i), "names[" + i + "]");
            if (!seen.add(copy.get(i))) {
                throw new IllegalArgumentException(
                        "names must be distinct, found " + Require.quote(copy.get(i)) + " twice");
            }
            double p = Require.finite(probabilities[i], "probabilities[" + i + "]");
            if (p < 0 || p > 1) {
                throw new IllegalArgumentException("probabilities[" + i + "] must be in [0, 1], found " + p);
            }
            sum += p;
        }
        if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("probabilities must sum to 1, found " + sum);
        }
        double[] normalised = new double[probabilities.length];
        for (int i = 0; i < normalised.length; i++) {
            normalised[i] = probabilities[i] + 0.0; // -0.0 becomes 0.0, so ties sort by index
        }
        return new RouteDecision(copy, normalised);
    }

    /**
     * The LLM names, in the order of {@link #probabilities()}.
     *
     * @return an unmodifiable list
     */
    public List<String> names() {
        return names;
    }

    /**
     * The probabilities, by name index.
     *
     * @return a fresh copy
     */
    public double[] probabilities() {
        return probabilities.clone();
    }

    /**
     * The probability of one LLM.
     *
     * @param name the LLM's name
     * @return its probability
     * @throws NullPointerException if the name is null
     * @throws IllegalArgumentException if the name is unknown
     */
    public double probability(String name) {
        Require.nonNull(name, "name");
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown LLM name " + Require.quote(name) + ", known: " + names);
        }
        return probabilities[i];
    }

    /**
     * The most probable LLM; ties go to the lowest index.
     *
     * @return its name
     */
    public String chosen() {
        return names.get(order.get(0));
    }

    /**
     * The probability of {@link #chosen()}.
     *
     * @return a value in [1/N, 1]
     */
    public double confidence() {
        return probabilities[order.get(0)];
    }

    /**
     * The K most probable LLMs, most probable first, ties by index; all N when K exceeds N.
     *
     * @param k how many, at least 1
     * @return an unmodifiable list of names
     */
    public List<String> topK(int k) {
        Require.positive(k, "k");
        List<String> out = new ArrayList<>();
        for (int i : order.subList(0, Math.min(k, order.size()))) {
            out.add(names.get(i));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "RouteDecision[chosen=" + chosen() + ", names=" + names + ", p=" + Arrays.toString(probabilities) + "]";
    }
}
