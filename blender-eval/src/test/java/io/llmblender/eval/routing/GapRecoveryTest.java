package io.llmblender.eval.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class GapRecoveryTest {

    private static CostCurve curve(double... callsAndQuality) {
        List<CurvePoint> points = new java.util.ArrayList<>();
        for (int k = 0; k < callsAndQuality.length; k += 2) {
            points.add(new CurvePoint(callsAndQuality[k], callsAndQuality[k], callsAndQuality[k + 1], ""));
        }
        return new CostCurve("c", CostAxis.CALLS, points);
    }

    @Test
    void of_curveAtTheOracle_recoversAll() {
        GapRecovery g = GapRecovery.of(curve(1, 9.75, 2, 9.75), 9.03, 9.75);

        assertThat(g.apgr()).isCloseTo(1.0, Offset.offset(1e-12));
        assertThat(g.costFor50()).hasValue(1.0);
        assertThat(g.costFor80()).hasValue(1.0);
    }

    @Test
    void of_curveAtTheBestSingle_recoversNothing() {
        GapRecovery g = GapRecovery.of(curve(1, 9.03, 1.5, 9.03, 2, 9.03), 9.03, 9.75);

        assertThat(g.apgr()).isZero();
        assertThat(g.costFor50()).isEmpty();
        assertThat(g.costFor80()).isEmpty();
    }

    @Test
    void of_straightLineFromLowToHigh_averagesHalfAndInterpolatesTheCost() {
        // RouteLLM's random router: PGR grows linearly with the cost
        GapRecovery g = GapRecovery.of(curve(0, 0.6, 0.5, 0.7, 1, 0.8), 0.6, 0.8);

        assertThat(g.apgr()).isCloseTo(0.5, Offset.offset(1e-12));
        assertThat(g.costFor50().getAsDouble()).isCloseTo(0.5, Offset.offset(1e-12));
        assertThat(g.costFor80().getAsDouble()).isCloseTo(0.8, Offset.offset(1e-12));
    }

    @Test
    void of_unevenPoints_isTheTrapezoidArea() {
        // PGR 0 at cost 0, 1 at cost 0.25, 1 at cost 1: area 0.125 + 0.75
        GapRecovery g = GapRecovery.of(curve(0, 0, 0.25, 1, 1, 1), 0, 1);

        assertThat(g.apgr()).isCloseTo(0.875, Offset.offset(1e-12));
        assertThat(g.costFor50().getAsDouble()).isCloseTo(0.125, Offset.offset(1e-12));
    }

    @Test
    void of_lowerIsBetterGap_countsTowardsTheSmallerHigh() {
        GapRecovery g = GapRecovery.of(curve(1, 3, 2, 2), 3, 2);

        assertThat(g.apgr()).isCloseTo(0.5, Offset.offset(1e-12));
        assertThat(g.costFor80().getAsDouble()).isCloseTo(1.8, Offset.offset(1e-12));
    }

    @Test
    void of_noGap_isRefused() {
        assertThatThrownBy(() -> GapRecovery.of(curve(1, 1), 0.5, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("low 0.5 and high 0.5");
    }

    @Test
    void costCurve_sortsByItsAxisAndInterpolates() {
        CostCurve c = curve(2, 0.8, 1, 0.6);

        assertThat(c.points().get(0).calls()).isEqualTo(1);
        assertThat(c.qualityAt(1.5)).isCloseTo(0.7, Offset.offset(1e-12));
        assertThat(c.qualityAt(0)).isEqualTo(0.6);
        assertThat(c.qualityAt(9)).isEqualTo(0.8);
    }
}
