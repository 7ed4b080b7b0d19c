package io.llmblender.eval.routing;

import java.util.OptionalDouble;

/**
 * How much of a quality gap a cost curve recovers, as RouteLLM reports it. The performance gap recovered at a point is
 * {@code PGR = (quality - low) / (high - low)}: 0 at {@code low}, 1 at {@code high}. For two LLMs RouteLLM takes the
 * weak and the strong model as {@code low} and {@code high}; for N LLMs the routing evaluation takes the best single
 * LLM and the oracle. Immutable.
 *
 * <ul>
 *   <li><b>APGR</b>: the mean of PGR over the curve's cost range, the trapezoidal area under PGR(cost) divided by
 *       the range (RouteLLM's average over evenly spaced thresholds is this area when the points are evenly spaced);
 *       a single-point curve's APGR is that point's PGR;</li>
 *   <li><b>cost for a PGR</b> (RouteLLM's CPT): the smallest cost at which the curve, interpolated linearly between its
 *       points, reaches that PGR; empty when it never does.</li>
 * </ul>
 *
 * @param low the quality counted as PGR 0
 * @param high the quality counted as PGR 1, different from {@code low}
 * @param apgr the average PGR
 * @param costFor50 the cost at which PGR first reaches 0.5, on the curve's axis
 * @param costFor80 the cost at which PGR first reaches 0.8
 */
public record GapRecovery(double low, double high, double apgr, OptionalDouble costFor50, OptionalDouble costFor80) {

    /**
     * Measures a curve.
     *
     * @param curve the curve
     * @param low quality counted as PGR 0
     * @param high quality counted as PGR 1
     * @return the recovery
     * @throws IllegalArgumentException if {@code low == high} (no gap to recover) or either is not finite
     */
    public static GapRecovery of(CostCurve curve, double low, double high) {
        if (!Double.isFinite(low) || !Double.isFinite(high) || low == high) {
            throw new IllegalArgumentException(
                    "the gap needs two different finite qualities, found low " + low + " and high " + high);
        }
        var pts = curve.points();
        CostAxis axis = curve.axis();
        double apgr;
        double range = pts.get(pts.size() - 1).on(axis) - pts.get(0).on(axis);
        if (pts.size() == 1 || range == 0) {
            apgr = pgr(pts.get(pts.size() - 1).quality(), low, high);
        } else {
            double area = 0;
            for (int k = 1; k < pts.size(); k++) {
                double w = pts.get(k).on(axis) - pts.get(k - 1).on(axis);
                area += w
                        * (pgr(pts.get(k).quality(), low, high)
                                + pgr(pts.get(k - 1).quality(), low, high))
                        / 2;
            }
            apgr = area / range;
        }
        return new GapRecovery(low, high, apgr, costFor(curve, 0.5, low, high), costFor(curve, 0.8, low, high));
    }

    /**
     * The smallest cost at which the curve reaches a PGR.
     *
     * @param curve the curve
     * @param target the PGR, for example 0.5
     * @param low quality counted as PGR 0
     * @param high quality counted as PGR 1
     * @return the cost on the curve's axis, or empty when no point of the interpolated curve reaches it
     */
    public static OptionalDouble costFor(CostCurve curve, double target, double low, double high) {
        var pts = curve.points();
        CostAxis axis = curve.axis();
        if (pgr(pts.get(0).quality(), low, high) >= target) {
            return OptionalDouble.of(pts.get(0).on(axis));
        }
        for (int k = 1; k < pts.size(); k++) {
            double a = pgr(pts.get(k - 1).quality(), low, high);
            double b = pgr(pts.get(k).quality(), low, high);
            if (b >= target) {
                double ca = pts.get(k - 1).on(axis);
                double cb = pts.get(k).on(axis);
                return OptionalDouble.of(b == a ? cb : ca + (cb - ca) * (target - a) / (b - a));
            }
        }
        return OptionalDouble.empty();
    }

    /**
     * The PGR of one quality.
     *
     * @param quality the quality
     * @param low PGR 0
     * @param high PGR 1
     * @return {@code (quality - low) / (high - low)}
     */
    public static double pgr(double quality, double low, double high) {
        return (quality - low) / (high - low);
    }
}
