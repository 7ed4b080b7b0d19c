package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** max_logits and max_wins on hand-computed matrices (spec section 2). */
class RankingsScoresTest {

    /** Not antisymmetric, with negative and zero logits. */
    private static final double[][] M3 = {
        {0, 2, -1},
        {1, 0, 3},
        {-2, 0, 0},
    };

    /**
     * Antisymmetric core plus a +0.5 position bias on every off-diagonal entry. Candidate 0 wins
     * every comparison by a small margin; candidate 1 loses two but wins one by a lot.
     */
    private static final double[][] M4 = {
        {0, 1.5, 1.5, 1.5},
        {-0.5, 0, 10.5, -0.5},
        {-0.5, -9.5, 0, -0.5},
        {-0.5, 1.5, 1.5, 0},
    };

    @Test
    void maxLogitsScores_handComputed3x3() {
        // s0 = ((2-1) + (-1-(-2))) / 3 = (1 + 1) / 3 = 2/3
        // s1 = ((1-2) + (3-0)) / 3     = (-1 + 3) / 3 = 2/3
        // s2 = ((-2-(-1)) + (0-3)) / 3 = (-1 - 3) / 3 = -4/3
        assertThat(Rankings.maxLogitsScores(PairwiseMatrix.of(M3)))
                .containsExactly(new double[] {2.0 / 3, 2.0 / 3, -4.0 / 3}, within(1e-12));
    }

    @Test
    void maxWinsScores_handComputed3x3_zeroCountsAsNeither() {
        // s0: row0 >0 {M01=2} = 1, col0 <0 {M20=-2} = 1 -> 2
        // s1: row1 >0 {M10=1, M12=3} = 2, col1 <0 {} (M21=0 is not < 0) = 0 -> 2
        // s2: row2 >0 {} (M21=0 is not > 0) = 0, col2 <0 {M02=-1} = 1 -> 1
        assertThat(Rankings.maxWinsScores(PairwiseMatrix.of(M3))).containsExactly(2, 2, 1);
    }

    @Test
    void fromMatrix_3x3_tiedScoresGiveRanks113() {
        // scores [2/3, 2/3, -4/3] and [2, 2, 1] both rank "1,1,3"
        assertThat(Rankings.fromMatrix(PairwiseMatrix.of(M3), Aggregation.MAX_LOGITS)
                        .ranks())
                .containsExactly(1, 1, 3);
        assertThat(Rankings.fromMatrix(PairwiseMatrix.of(M3), Aggregation.MAX_WINS)
                        .ranks())
                .containsExactly(1, 1, 3);
    }

    @Test
    void maxLogitsScores_handComputed4x4() {
        // s0 = ((1.5+0.5) + (1.5+0.5) + (1.5+0.5)) / 4     = 6 / 4   = 1.5
        // s1 = ((-0.5-1.5) + (10.5+9.5) + (-0.5-1.5)) / 4  = 16 / 4  = 4
        // s2 = ((-0.5-1.5) + (-9.5-10.5) + (-0.5-1.5)) / 4 = -24 / 4 = -6
        // s3 = ((-0.5-1.5) + (1.5+0.5) + (1.5+0.5)) / 4    = 2 / 4   = 0.5
        assertThat(Rankings.maxLogitsScores(PairwiseMatrix.of(M4)))
                .containsExactly(new double[] {1.5, 4, -6, 0.5}, within(1e-12));
    }

    @Test
    void maxWinsScores_handComputed4x4() {
        // s0: row0 >0 {1.5,1.5,1.5} = 3, col0 <0 {-0.5,-0.5,-0.5} = 3 -> 6
        // s1: row1 >0 {M12=10.5} = 1, col1 <0 {M21=-9.5} = 1 -> 2
        // s2: row2 >0 {} = 0, col2 <0 {} (1.5, 10.5, 1.5) = 0 -> 0
        // s3: row3 >0 {M31, M32} = 2, col3 <0 {M13, M23} = 2 -> 4
        assertThat(Rankings.maxWinsScores(PairwiseMatrix.of(M4))).containsExactly(6, 2, 0, 4);
    }

    @Test
    void fromMatrix_4x4_aggregationsDisagreeOnOrder() {
        Ranking logits = Rankings.fromMatrix(PairwiseMatrix.of(M4), Aggregation.MAX_LOGITS);
        Ranking wins = Rankings.fromMatrix(PairwiseMatrix.of(M4), Aggregation.MAX_WINS);
        // logits [1.5, 4, -6, 0.5] -> order 1,0,3,2, ranks [2,1,4,3]
        assertThat(logits.order()).containsExactly(1, 0, 3, 2);
        assertThat(logits.ranks()).containsExactly(2, 1, 4, 3);
        // wins [6, 2, 0, 4] -> order 0,3,1,2, ranks [1,3,4,2]
        assertThat(wins.order()).containsExactly(0, 3, 1, 2);
        assertThat(wins.ranks()).containsExactly(1, 3, 4, 2);
        assertThat(logits.aggregation()).contains(Aggregation.MAX_LOGITS);
        assertThat(wins.aggregation()).contains(Aggregation.MAX_WINS);
        assertThat(wins.matrix()).contains(PairwiseMatrix.of(M4));
    }

    @Test
    void maxLogitsScores_singleCandidate_isZero() {
        PairwiseMatrix one = PairwiseMatrix.of(new double[][] {{0}});
        assertThat(Rankings.maxLogitsScores(one)).containsExactly(0.0);
        assertThat(Rankings.maxWinsScores(one)).containsExactly(0.0);
    }

    @Test
    void scores_incompleteMatrix_throws() {
        PairwiseMatrix partial = PairwiseMatrix.builder(2).set(0, 1, 1).build();
        assertThatThrownBy(() -> Rankings.maxLogitsScores(partial)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rankings.maxWinsScores(partial)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rankings.fromMatrix(partial, Aggregation.MAX_LOGITS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromMatrix_bubble_throws() {
        assertThatThrownBy(() -> Rankings.fromMatrix(PairwiseMatrix.of(M3), Aggregation.BUBBLE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
