package io.llmblender.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.eval.dataset.PreferencePair;
import io.llmblender.eval.dataset.PreferencePair.Label;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairwiseAccuracyTest {

    private static PreferencePair pair(String a, String b, Label label) {
        return new PreferencePair(a + "/" + b, "", "p", a, b, label);
    }

    // A: "long" beats "x" (longer won); B: "yy" beats "zzzz" (shorter won); A: "s" beats "tt" (shorter won); a tie.
    private static final List<PreferencePair> PAIRS = List.of(
            pair("long", "x", Label.A),
            pair("zzzz", "yy", Label.B),
            pair("s", "tt", Label.A),
            pair("same", "same", Label.TIE));

    @Test
    void of_mixedScores_countsDecisiveTiesHalfAndShorterWon() {
        // right, right, wrong (score < 0 but A won), tie: 2 of 3 decisive; (2 + 0.5) / 4 with the tie.
        PairwiseAccuracy acc = PairwiseAccuracy.of(PAIRS, new double[] {1.5, -0.2, -3, 7});
        assertThat(acc.pairs()).isEqualTo(4);
        assertThat(acc.ties()).isEqualTo(1);
        assertThat(acc.accuracy()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(acc.accuracyTiesHalf()).isCloseTo(2.5 / 4, within(1e-12));
        // shorter won in pairs 2 and 3: one right.
        assertThat(acc.shorterWonPairs()).isEqualTo(2);
        assertThat(acc.accuracyShorterWon()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void of_zeroScores_areCoinFlips() {
        PairwiseAccuracy acc = PairwiseAccuracy.of(PAIRS, new double[4]);
        assertThat(acc.accuracy()).isEqualTo(0.5);
        assertThat(acc.accuracyTiesHalf()).isEqualTo(0.5);
    }

    @Test
    void of_badInput_isRefusedNamingIt() {
        assertThatThrownBy(() -> PairwiseAccuracy.of(PAIRS, new double[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 pairs, 3 scores");
        assertThatThrownBy(() -> PairwiseAccuracy.of(PAIRS, new double[] {1, Double.NaN, 1, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zzzz/yy")
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> PairwiseAccuracy.of(List.of(PAIRS.get(3)), new double[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("all 1 are ties");
        assertThatThrownBy(() -> PairwiseAccuracy.of(List.of(), new double[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pairs must not be empty");
    }
}
