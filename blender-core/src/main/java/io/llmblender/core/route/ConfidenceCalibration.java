package io.llmblender.core.route;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A confidence threshold for {@link io.llmblender.core.BlendMode#ADAPTIVE} picked on validation
 * queries so that a target share of them is answered by one LLM, as RouteLLM calibrates its
 * threshold on a quantile of router scores. Immutable.
 *
 * <p>The threshold is the largest one at which at least {@code targetShare} of the validation
 * confidences reach it, i.e. the {@code ceil(targetShare * n)}-th largest confidence; ties can make
 * {@link #achievedShare()} exceed the target. A target of 0 gives a threshold just above the
 * largest confidence (at most 1), a target of 1 the smallest confidence. On new queries the share
 * is the same only as far as they resemble the validation set.
 *
 * <pre>{@code
 * ConfidenceCalibration c = ConfidenceCalibration.forSingleCallShare(router, validationQueries, 0.7);
 * Blender.builder()....router(router).mode(BlendMode.ADAPTIVE).confidenceThreshold(c.threshold());
 * }</pre>
 *
 * @param threshold the threshold to give {@code Blender.Builder.confidenceThreshold}, in [0, 1]
 * @param targetShare the share of single-LLM answers asked for
 * @param achievedShare the share of validation confidences at or above the threshold
 * @param size how many validation confidences were used
 */
public record ConfidenceCalibration(double threshold, double targetShare, double achievedShare, int size) {

    private static final double EPSILON = 1e-9;

    /**
     * Picks the threshold from router confidences.
     *
     * @param confidences the {@link RouteDecision#confidence()} of each validation query, each in
     *     [0, 1], at least one
     * @param targetShare the share of queries to answer with one LLM, in [0, 1]
     * @return the calibration
     * @throws IllegalArgumentException if there are no confidences, one is out of range, or the
     *     share is out of range
     */
    public static ConfidenceCalibration forSingleCallShare(double[] confidences, double targetShare) {
        Require.nonNull(confidences, "confidences");
        Require.finite(targetShare, "targetShare");
        if (targetShare < 0 || targetShare > 1) {
            throw new IllegalArgumentException("targetShare must be in [0, 1], found " + targetShare);
        }
        if (confidences.length == 0) {
            throw new IllegalArgumentException("confidences must not be empty");
        }
        double[] sorted = confidences.clone();
        for (int i = 0; i < sorted.length; i++) {
            double c = Require.finite(sorted[i], "confidences[" + i + "]");
            if (c < 0 || c > 1) {
                throw new IllegalArgumentException("confidences[" + i + "] must be in [0, 1], found " + c);
            }
        }
        Arrays.sort(sorted);
        int n = sorted.length;
        int k = (int) Math.ceil(targetShare * n - EPSILON);
        double threshold = k == 0 ? Math.min(1.0, Math.nextUp(sorted[n - 1])) : sorted[n - k];
        int reached = 0;
        for (double c : sorted) {
            if (c >= threshold) {
                reached++;
            }
        }
        return new ConfidenceCalibration(threshold, targetShare, (double) reached / n, n);
    }

    /**
     * Picks the threshold from router decisions.
     *
     * @param decisions the router's decisions on validation queries, at least one
     * @param targetShare the share of queries to answer with one LLM, in [0, 1]
     * @return the calibration
     * @throws IllegalArgumentException as {@link #forSingleCallShare(double[], double)}
     */
    public static ConfidenceCalibration forSingleCallShare(Collection<RouteDecision> decisions, double targetShare) {
        Require.nonNull(decisions, "decisions");
        double[] confidences = new double[decisions.size()];
        int i = 0;
        for (RouteDecision d : decisions) {
            confidences[i++] = Require.nonNull(d, "decisions[" + i + "]").confidence();
        }
        return forSingleCallShare(confidences, targetShare);
    }

    /**
     * Routes validation queries and picks the threshold from the router's confidences.
     *
     * @param router the router the Blender will use
     * @param queries validation queries, at least one, none null
     * @param targetShare the share of queries to answer with one LLM, in [0, 1]
     * @return the calibration
     * @throws IllegalArgumentException as {@link #forSingleCallShare(double[], double)}
     */
    public static ConfidenceCalibration forSingleCallShare(Router router, List<String> queries, double targetShare) {
        Require.nonNull(router, "router");
        Require.nonNull(queries, "queries");
        List<RouteDecision> decisions = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            decisions.add(router.route(Require.nonNull(queries.get(i), "queries[" + i + "]")));
        }
        return forSingleCallShare(decisions, targetShare);
    }
}
