package io.llmblender.eval.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Quality against cost as one setting of a routing system moves (a confidence threshold, a price weight): the
 * points sorted by the curve's axis (ties keep their given order). Immutable and thread-safe.
 *
 * @param name what the curve shows, for example {@code adaptive top-3 (router: reference scores)}
 * @param axis the cost the points are sorted by and {@link GapRecovery} reads
 * @param points at least one point, sorted by {@code axis}
 */
public record CostCurve(String name, CostAxis axis, List<CurvePoint> points) {

    /**
     * Copies the points and sorts them by the axis.
     *
     * @param name the name
     * @param axis the axis
     * @param points the points
     * @throws IllegalArgumentException if there are no points
     */
    public CostCurve {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(axis, "axis");
        List<CurvePoint> sorted = new ArrayList<>(points);
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("curve '" + name + "' needs at least one point, found none");
        }
        sorted.sort(Comparator.comparingDouble(p -> p.on(axis)));
        points = List.copyOf(sorted);
    }

    /**
     * The quality at a cost, interpolated linearly between neighbouring points; the end points' quality outside the
     * curve's range. Where several points share a cost, the last of them counts.
     *
     * @param cost a cost on the curve's axis
     * @return the quality
     */
    public double qualityAt(double cost) {
        CurvePoint first = points.get(0);
        if (cost <= first.on(axis)) {
            return qualityOfLastAt(first.on(axis));
        }
        for (int k = 1; k < points.size(); k++) {
            CurvePoint a = points.get(k - 1);
            CurvePoint b = points.get(k);
            if (cost <= b.on(axis)) {
                double span = b.on(axis) - a.on(axis);
                return span == 0 ? b.quality() : a.quality() + (b.quality() - a.quality()) * (cost - a.on(axis)) / span;
            }
        }
        return points.get(points.size() - 1).quality();
    }

    private double qualityOfLastAt(double cost) {
        double q = points.get(0).quality();
        for (CurvePoint p : points) {
            if (p.on(axis) == cost) {
                q = p.quality();
            }
        }
        return q;
    }
}
