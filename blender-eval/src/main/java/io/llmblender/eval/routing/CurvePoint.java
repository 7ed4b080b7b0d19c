package io.llmblender.eval.routing;

/**
 * One operating point of a routing system: what it costs per query and the quality it reaches. Immutable.
 *
 * @param calls mean LLM calls per query
 * @param cost mean cost per query in the evaluation's {@link Prices#unit()} (equal to {@code calls} under
 *     {@link Prices#calls})
 * @param quality mean reference score per query
 * @param setting what produced the point, for example {@code fan-out share 0.25} or {@code lambda 0.5}
 */
public record CurvePoint(double calls, double cost, double quality, String setting) {

    /**
     * Checks the values.
     *
     * @param calls calls per query
     * @param cost cost per query
     * @param quality mean score
     * @param setting a label, not null
     * @throws IllegalArgumentException naming the field and value when a number is not finite
     */
    public CurvePoint {
        if (!Double.isFinite(calls) || !Double.isFinite(cost) || !Double.isFinite(quality)) {
            throw new IllegalArgumentException("a curve point needs finite numbers, found calls " + calls + ", cost "
                    + cost + ", quality " + quality);
        }
        java.util.Objects.requireNonNull(setting, "setting");
    }

    /**
     * The point's position on an axis.
     *
     * @param axis calls or cost
     * @return {@link #calls()} or {@link #cost()}
     */
    public double on(CostAxis axis) {
        return axis == CostAxis.CALLS ? calls : cost;
    }
}
