package io.llmblender.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Spearman's rho and Kendall's tau-b against values worked out by hand (and matching scipy.stats). */
class CorrelationTest {

    private static final double EPS = 1e-12;

    @Test
    void averageRanks_ties_shareTheMeanOfTheirPositions() {
        assertThat(Correlation.averageRanks(new double[] {10, 30, 20, 30})).containsExactly(1, 3.5, 2, 3.5);
        assertThat(Correlation.averageRanks(new double[] {5, 5, 5})).containsExactly(2, 2, 2);
        assertThat(Correlation.averageRanks(new double[] {-0.0, 0.0, -1})).containsExactly(2.5, 2.5, 1);
        assertThat(Correlation.averageRanks(new double[0])).isEmpty();
    }

    @Test
    void spearman_perfectAgreement_isOne() {
        assertThat(value(Correlation.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 40})))
                .isCloseTo(1.0, within(EPS));
        // only the order matters
        assertThat(value(Correlation.spearman(new double[] {1, 2, 3}, new double[] {1, 10, 1000})))
                .isCloseTo(1.0, within(EPS));
    }

    @Test
    void spearman_reversed_isMinusOne() {
        assertThat(value(Correlation.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1})))
                .isCloseTo(-1.0, within(EPS));
    }

    @Test
    void kendallTauB_perfectAgreement_isOne() {
        assertThat(value(Correlation.kendallTauB(new double[] {1, 2, 3, 4}, new double[] {0.1, 0.2, 5, 9})))
                .isCloseTo(1.0, within(EPS));
    }

    @Test
    void kendallTauB_reversed_isMinusOne() {
        assertThat(value(Correlation.kendallTauB(new double[] {1, 2, 3}, new double[] {3, 2, 1})))
                .isCloseTo(-1.0, within(EPS));
    }

    @Test
    void spearman_tieInX_matchesHandComputation() {
        // x = [1,2,2,3] ranks [1,2.5,2.5,4]; y = [1,2,3,4] ranks [1,2,3,4]; both means 2.5.
        // dx = [-1.5,0,0,1.5], dy = [-1.5,-0.5,0.5,1.5]
        // sum dx*dy = 2.25+0+0+2.25 = 4.5; sum dx^2 = 4.5; sum dy^2 = 2.25+0.25+0.25+2.25 = 5
        // rho = 4.5 / sqrt(4.5 * 5) = sqrt(0.9) = 0.9486832980505138
        assertThat(value(Correlation.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4})))
                .isCloseTo(Math.sqrt(0.9), within(EPS));
    }

    @Test
    void kendallTauB_tieInX_matchesHandComputation() {
        // pairs of x = [1,2,2,3], y = [1,2,3,4]: (0,1) C, (0,2) C, (0,3) C, (1,2) tied in x, (1,3) C, (2,3) C
        // C = 5, D = 0, P = 6, Tx = 1, Ty = 0: tau-b = 5 / sqrt((6-1)(6-0)) = 5 / sqrt(30) = 0.9128709291752769
        assertThat(value(Correlation.kendallTauB(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4})))
                .isCloseTo(5 / Math.sqrt(30), within(EPS));
    }

    @Test
    void spearman_tieInYAgainstTheOrder_matchesHandComputation() {
        // x = [1,2,3] ranks [1,2,3]; y = [3,3,1] ranks [2.5,2.5,1]; both means 2
        // dx = [-1,0,1], dy = [0.5,0.5,-1]: sum dx*dy = -0.5+0-1 = -1.5; sum dx^2 = 2; sum dy^2 = 1.5
        // rho = -1.5 / sqrt(3) = -sqrt(3)/2 = -0.8660254037844386
        assertThat(value(Correlation.spearman(new double[] {1, 2, 3}, new double[] {3, 3, 1})))
                .isCloseTo(-Math.sqrt(3) / 2, within(EPS));
    }

    @Test
    void kendallTauB_tieInYAgainstTheOrder_matchesHandComputation() {
        // x = [1,2,3], y = [3,3,1]: (0,1) tied in y, (0,2) D, (1,2) D
        // C = 0, D = 2, P = 3, Tx = 0, Ty = 1: tau-b = -2 / sqrt(3 * 2) = -0.8164965809277261
        assertThat(value(Correlation.kendallTauB(new double[] {1, 2, 3}, new double[] {3, 3, 1})))
                .isCloseTo(-2 / Math.sqrt(6), within(EPS));
    }

    @Test
    void kendallTauB_pairTiedInBoth_countsInBothTieTerms() {
        // x = y = [1,1,2]: (0,1) tied in x and in y, (0,2) C, (1,2) C
        // C = 2, D = 0, P = 3, Tx = 1, Ty = 1: tau-b = 2 / sqrt(2 * 2) = 1 (tau-a would give 2/3)
        assertThat(value(Correlation.kendallTauB(new double[] {1, 1, 2}, new double[] {1, 1, 2})))
                .isCloseTo(1.0, within(EPS));
        assertThat(value(Correlation.spearman(new double[] {1, 1, 2}, new double[] {1, 1, 2})))
                .isCloseTo(1.0, within(EPS));
    }

    @Test
    void correlations_constantSampleOrTooFewItems_areUndefined() {
        double[] constant = {0.5, 0.5, 0.5};
        double[] varied = {1, 2, 3};
        assertThat(Correlation.spearman(constant, varied)).isEmpty();
        assertThat(Correlation.spearman(varied, constant)).isEmpty();
        assertThat(Correlation.kendallTauB(constant, varied)).isEmpty();
        assertThat(Correlation.kendallTauB(varied, constant)).isEmpty();
        assertThat(Correlation.spearman(new double[] {1}, new double[] {2})).isEmpty();
        assertThat(Correlation.kendallTauB(new double[] {1}, new double[] {2})).isEmpty();
        assertThat(Correlation.spearman(new double[0], new double[0])).isEmpty();
        assertThat(Correlation.kendallTauB(new double[0], new double[0])).isEmpty();
    }

    @Test
    void correlations_badInput_throw() {
        assertThatThrownBy(() -> Correlation.spearman(new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length");
        assertThatThrownBy(() -> Correlation.kendallTauB(new double[] {1, Double.NaN}, new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
    }

    private static double value(OptionalDouble d) {
        assertThat(d).isPresent();
        return d.getAsDouble();
    }
}
