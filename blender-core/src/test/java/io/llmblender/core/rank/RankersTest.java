package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Combinations, the length prior and the weight fit. */
class RankersTest {

    @Test
    void fitWeights_recoversWeightsOfABradleyTerryModel() {
        // utility u = 2 x0 + 0.5 x1 + 0 x2 + Gumbel noise: P(i beats j) = sigmoid(u_i - u_j) exactly
        Random rnd = new Random(7);
        List<double[][]> features = new ArrayList<>();
        List<double[]> targets = new ArrayList<>();
        for (int q = 0; q < 400; q++) {
            int n = 6;
            double[][] f = new double[3][n];
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 3; k++) {
                    f[k][i] = rnd.nextGaussian();
                }
                double gumbel = -Math.log(-Math.log(rnd.nextDouble()));
                t[i] = 2 * f[0][i] + 0.5 * f[1][i] + gumbel;
            }
            features.add(f);
            targets.add(t);
        }
        double[] w = Rankers.fitWeights(features, targets, 0.0);
        assertThat(w[0]).isCloseTo(2.0, within(0.3));
        assertThat(w[1]).isCloseTo(0.5, within(0.15));
        assertThat(w[2]).isCloseTo(0.0, within(0.15));
    }

    @Test
    void fitWeights_refusesDataWithNothingToFit() {
        assertThatThrownBy(() -> Rankers.fitWeights(
                        List.<double[][]>of(new double[][] {{1, 2}}), List.of(new double[] {3, 3}), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing to fit");
        assertThatThrownBy(() -> Rankers.fitWeights(List.of(), List.of(), -1))
                .hasMessageContaining("l2 must be zero or more, found -1.0");
    }

    @Test
    void combine_isTheWeightedSumOfStandardisedScores() {
        List<String> cands = List.of("a b c", "a b", "x", "a b c d e f");
        Ranker consensus = ConsensusRanker.lexical();
        Ranker combined = Rankers.combine(List.of(consensus, Rankers.lengthPrior()), new double[] {1.0, -0.5});
        double[] zc = Rankers.standardisedScores(consensus, "", cands);
        double[] zl = Rankers.standardisedScores(Rankers.lengthPrior(), "", cands);
        PairwiseMatrix m = combined.score(PairQuery.full("", cands));
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                if (i != j) {
                    double si = zc[i] - 0.5 * zl[i];
                    double sj = zc[j] - 0.5 * zl[j];
                    assertThat(m.logit(i, j)).isCloseTo(si - sj, within(1e-9));
                }
            }
        }
        assertThat(combined.name()).isEqualTo("combined(consensus-coverage*1.00+length*-0.500)");
    }

    @Test
    void standardise_meanZeroUnitVarianceOrZerosWhenConstant() {
        assertThat(Rankers.standardise(new double[] {1, 3})).containsExactly(-1.0, 1.0);
        assertThat(Rankers.standardise(new double[] {2, 2, 2})).containsExactly(0.0, 0.0, 0.0);
    }

    @Test
    void defaultRanker_consensusFromThreeAnswers_longerBelowThree_independentInstances() {
        Ranker ranker = Rankers.defaultRanker();
        assertThat(ranker.name()).isEqualTo("consensus-coverage");
        // Three answers: the two that agree beat a long outlier, which the length prior would have put first.
        List<String> three = List.of(
                "Paris is the capital of France.",
                "The capital of France is Paris.",
                "Lyon, a large city on the Rhone with a long history of silk weaving, is where the government sits.");
        assertThat(Rankings.rank(ranker, "Capital of France?", three).order().get(2))
                .isEqualTo(2);
        assertThat(Rankings.rank(Rankers.lengthPrior(), "Capital of France?", three)
                        .order()
                        .get(0))
                .isEqualTo(2);
        // Two answers: consensus has nothing to say, the longer one wins.
        assertThat(Rankings.rank(ranker, "Capital?", List.of("Paris.", "Paris, on the Seine."))
                        .order())
                .containsExactly(1, 0);
        // Chinese: each Han character is a word, so agreement is seen without spaces.
        List<String> zh = List.of("北京是中国的首都。", "中国的首都是北京。", "上海是一个很大的城市，有很多人住在那里，经济很发达。");
        assertThat(Rankings.rank(ranker, "中国的首都是哪里？", zh).order().get(2)).isEqualTo(2);
        // A new instance per call: closing one leaves another usable.
        Ranker other = Rankers.defaultRanker();
        ranker.close();
        assertThat(Rankings.rank(other, "Capital?", three).order()).hasSize(3);
    }

    @Test
    void lengthPrior_prefersLonger() {
        assertThat(Rankings.rank(Rankers.lengthPrior(), "", List.of("ab", "abcd", "a"))
                        .order())
                .containsExactly(1, 0, 2);
    }

    @Test
    void combine_refusesMismatchedWeights() {
        assertThatThrownBy(() -> Rankers.combine(List.of(Rankers.lengthPrior()), new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weights must have one element per ranker (1), found 2");
        assertThatThrownBy(() -> Rankers.combine(List.of(Rankers.lengthPrior()), new double[] {Double.NaN}))
                .hasMessageContaining("weights[0]");
    }
}
