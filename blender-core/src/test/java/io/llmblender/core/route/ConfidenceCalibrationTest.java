package io.llmblender.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfidenceCalibrationTest {

    private static final double[] FIVE = {0.9, 0.5, 0.7, 0.6, 0.8};

    @Test
    void forSingleCallShare_picksTheQuantile() {
        ConfidenceCalibration c = ConfidenceCalibration.forSingleCallShare(FIVE, 0.4);

        assertThat(c.threshold()).isEqualTo(0.8);
        assertThat(c.achievedShare()).isEqualTo(0.4);
        assertThat(c.targetShare()).isEqualTo(0.4);
        assertThat(c.size()).isEqualTo(5);
    }

    @Test
    void forSingleCallShare_betweenSteps_reachesAtLeastTheTarget() {
        ConfidenceCalibration c = ConfidenceCalibration.forSingleCallShare(FIVE, 0.5);

        assertThat(c.threshold()).isEqualTo(0.7);
        assertThat(c.achievedShare()).isEqualTo(0.6);
    }

    @Test
    void forSingleCallShare_ends() {
        assertThat(ConfidenceCalibration.forSingleCallShare(FIVE, 1.0).threshold())
                .isEqualTo(0.5);
        assertThat(ConfidenceCalibration.forSingleCallShare(FIVE, 1.0).achievedShare())
                .isEqualTo(1.0);
        ConfidenceCalibration none = ConfidenceCalibration.forSingleCallShare(FIVE, 0.0);
        assertThat(none.threshold()).isGreaterThan(0.9).isLessThan(0.9000001);
        assertThat(none.achievedShare()).isZero();
    }

    @Test
    void forSingleCallShare_ties_countTogether() {
        ConfidenceCalibration c = ConfidenceCalibration.forSingleCallShare(new double[] {0.6, 0.6, 0.6, 0.9}, 0.5);

        assertThat(c.threshold()).isEqualTo(0.6);
        assertThat(c.achievedShare()).isEqualTo(1.0);
    }

    @Test
    void forSingleCallShare_router_usesItsConfidences() {
        Router router = new Router() {
            @Override
            public List<String> llmNames() {
                return List.of("x", "y");
            }

            @Override
            public RouteDecision route(String query) {
                double p = query.length() / 10.0;
                return RouteDecision.of(llmNames(), new double[] {p, 1 - p});
            }
        };
        List<String> queries = new ArrayList<>(List.of("12345", "123456", "1234567", "12345678", "123456789"));

        ConfidenceCalibration c = ConfidenceCalibration.forSingleCallShare(router, queries, 0.4);

        assertThat(c.threshold()).isEqualTo(0.8);
    }

    @Test
    void forSingleCallShare_badInput_namesFieldAndValue() {
        assertThatThrownBy(() -> ConfidenceCalibration.forSingleCallShare(FIVE, 1.2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("targetShare must be in [0, 1], found 1.2");
        assertThatThrownBy(() -> ConfidenceCalibration.forSingleCallShare(new double[0], 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidences must not be empty");
        assertThatThrownBy(() -> ConfidenceCalibration.forSingleCallShare(new double[] {0.5, -0.1}, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidences[1] must be in [0, 1], found -0.1");
    }
}
