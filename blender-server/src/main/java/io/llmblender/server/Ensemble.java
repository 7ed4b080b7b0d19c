package io.llmblender.server;

import io.llmblender.core.BlendMode;
import io.llmblender.core.check.Require;
import java.util.List;

/**
 * A model name the server answers by blending, routing or both: what a request's model field
 * selects. Immutable.
 *
 * <p>Which upstreams it asks: in {@code BLEND} mode {@code llms}, or every configured upstream when empty. A
 * {@code ROUTE} or {@code ADAPTIVE} ensemble needs the server's router and asks the LLMs the router was trained for
 * ({@code llms}, when given, must name exactly those): other upstreams may be configured beside it, for pass-through
 * and blends, without retraining the router. {@code ADAPTIVE} needs a {@code threshold}; a
 * request may override it by naming the ensemble with a suffix, {@code adaptive-0.62}.
 *
 * @param name the model name, not blank, without spaces
 * @param mode how the ensemble spends calls
 * @param llms the upstream names to ask; empty for all ({@code BLEND}) or the router's LLMs (the other modes)
 * @param topK how many of the best answers the fuser reads; 0 for the server's default
 * @param threshold the router confidence at which an {@code ADAPTIVE} ensemble routes; NaN
 *     for other modes
 */
public record Ensemble(String name, BlendMode mode, List<String> llms, int topK, double threshold) {

    /**
     * Validates the ensemble.
     *
     * @param name see the class description
     * @param mode see the class description
     * @param llms see the class description
     * @param topK see the class description
     * @param threshold see the class description
     * @throws IllegalArgumentException naming the bad field and value
     */
    public Ensemble {
        Require.nonBlank(name, "ensemble name");
        if (!name.matches("[A-Za-z0-9._:/-]{1,100}")) {
            throw new IllegalArgumentException(
                    "ensemble name must be 1 to 100 of A-Z a-z 0-9 . _ : / -, found " + Require.quote(name));
        }
        Require.nonNull(mode, "mode");
        llms = List.copyOf(Require.nonNull(llms, "llms"));
        Require.nonNegative(topK, "topK");
        if (mode == BlendMode.ADAPTIVE) {
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException(
                        "ensemble '" + name + "': threshold must be in [0, 1], found " + threshold);
            }
        } else if (!Double.isNaN(threshold)) {
            throw new IllegalArgumentException("ensemble '" + name + "': threshold is used only in mode adaptive,"
                    + " found mode " + mode + " with threshold " + threshold);
        }
    }

    /**
     * A {@code BLEND} ensemble of the given upstreams (all of them when empty).
     *
     * @param name the model name
     * @param llms the upstreams to ask
     * @return the ensemble
     */
    public static Ensemble blend(String name, List<String> llms) {
        return new Ensemble(name, BlendMode.BLEND, llms, 0, Double.NaN);
    }

    /**
     * A {@code ROUTE} ensemble: the router's choice answers.
     *
     * @param name the model name
     * @return the ensemble
     */
    public static Ensemble route(String name) {
        return new Ensemble(name, BlendMode.ROUTE, List.of(), 0, Double.NaN);
    }

    /**
     * An {@code ADAPTIVE} ensemble: routes when the router's confidence reaches the threshold,
     * else blends the most probable upstreams.
     *
     * @param name the model name
     * @param threshold in [0, 1]
     * @return the ensemble
     */
    public static Ensemble adaptive(String name, double threshold) {
        return new Ensemble(name, BlendMode.ADAPTIVE, List.of(), 0, threshold);
    }
}
