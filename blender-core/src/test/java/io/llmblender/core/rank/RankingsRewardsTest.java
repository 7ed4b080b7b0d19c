package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.TableRanker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** rank_with_ref: reference choice and rewards -(M[ref][c] - M[c][ref]) (spec section 2). */
class RankingsRewardsTest {

    /** Lengths [3, 5, 1, 5, 2]. */
    private static final List<String> ODD = List.of("abc", "abcde", "a", "vwxyz", "ab");

    private static final String EMOJI = "\uD83D\uDE00"; // one code point, two chars

    private static CandidatePair p(int i, int j) {
        return new CandidatePair(i, j);
    }

    @Test
    void referenceIndex_longest_tieGoesToLowestIndex() {
        // 5 at indices 1 and 3 -> 1
        assertThat(Rankings.referenceIndex(ODD, ReferenceMode.LONGEST)).isEqualTo(1);
    }

    @Test
    void referenceIndex_shortest() {
        // 1 at index 2
        assertThat(Rankings.referenceIndex(ODD, ReferenceMode.SHORTEST)).isEqualTo(2);
        // lengths [2,1,2,1]: tie at 1 -> lowest index 1
        assertThat(Rankings.referenceIndex(List.of("xx", "y", "zz", "w"), ReferenceMode.SHORTEST))
                .isEqualTo(1);
    }

    @Test
    void referenceIndex_medianOddN() {
        // by (length, index): 2(1), 4(2), 0(3), 1(5), 3(5); position (5-1)/2 = 2 -> index 0
        assertThat(Rankings.referenceIndex(ODD, ReferenceMode.MEDIAN)).isEqualTo(0);
    }

    @Test
    void referenceIndex_medianEvenN_isLowerMedian() {
        // lengths [4,1,2,3] -> by length 1(1), 2(2), 3(3), 0(4); position (4-1)/2 = 1 -> index 2
        assertThat(Rankings.referenceIndex(List.of("aaaa", "b", "cc", "ddd"), ReferenceMode.MEDIAN))
                .isEqualTo(2);
    }

    @Test
    void referenceIndex_medianTies_byIndex() {
        // lengths [2,1,2,1] -> by (length, index) 1, 3, 0, 2; position 1 -> index 3
        assertThat(Rankings.referenceIndex(List.of("xx", "y", "zz", "w"), ReferenceMode.MEDIAN))
                .isEqualTo(3);
    }

    @Test
    void referenceIndex_firstAndLast() {
        assertThat(Rankings.referenceIndex(ODD, ReferenceMode.FIRST)).isEqualTo(0);
        assertThat(Rankings.referenceIndex(ODD, ReferenceMode.LAST)).isEqualTo(4);
    }

    @Test
    void referenceIndex_countsCodePoints() {
        // "😀😀" is 2 code points (4 chars), "abc" is 3
        List<String> cands = List.of(EMOJI + EMOJI, "abc");
        assertThat(Rankings.referenceIndex(cands, ReferenceMode.LONGEST)).isEqualTo(1);
        assertThat(Rankings.referenceIndex(cands, ReferenceMode.SHORTEST)).isEqualTo(0);
    }

    @Test
    void referenceIndex_singleAndEmpty() {
        for (ReferenceMode mode : ReferenceMode.values()) {
            assertThat(Rankings.referenceIndex(List.of("x"), mode))
                    .as(mode.name())
                    .isEqualTo(0);
        }
        assertThatThrownBy(() -> Rankings.referenceIndex(List.of(), ReferenceMode.LONGEST))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rewards_longestReference_handComputed() {
        // lengths [2,4,1,3] -> LONGEST ref = 1; 99 marks entries that must not be used
        TableRanker ranker = new TableRanker(new double[][] {
            {0, -1.0, 99, 99},
            {2.0, 0, 0.5, -1.5},
            {99, 1.0, 0, 99},
            {99, 2.5, 99, 0},
        });
        double[] r = Rankings.rewards(ranker, "src", List.of("aa", "bbbb", "c", "ddd"), ReferenceMode.LONGEST);
        // c0: -(M10 - M01) = -(2.0 - (-1.0)) = -3
        // c1: reference -> 0
        // c2: -(M12 - M21) = -(0.5 - 1.0) = 0.5
        // c3: -(M13 - M31) = -(-1.5 - 2.5) = 4
        assertThat(r).containsExactly(new double[] {-3, 0, 0.5, 4}, within(1e-12));
        // 2(N-1) = 6 pairs in one request
        assertThat(ranker.requests()).isEqualTo(1);
        assertThat(ranker.requestedPairs())
                .hasSize(6)
                .containsExactlyInAnyOrder(p(1, 0), p(0, 1), p(1, 2), p(2, 1), p(1, 3), p(3, 1));
    }

    @Test
    void rewards_firstReference_usesIndexZero() {
        TableRanker ranker = new TableRanker(new double[][] {{0, 1.0}, {3.0, 0}});
        // ref 0: c1 = -(M01 - M10) = -(1 - 3) = 2
        double[] r = Rankings.rewards(ranker, "src", List.of("long answer", "s"), ReferenceMode.FIRST);
        assertThat(r).containsExactly(new double[] {0, 2}, within(1e-12));
    }

    @Test
    void rewards_referenceItself_isPositiveZero() {
        double[] r = Rankings.rewards(new LengthRanker(), "src", List.of("aa", "b"), ReferenceMode.LONGEST);
        assertThat(Double.valueOf(r[0])).isEqualTo(Double.valueOf(0.0));
    }

    @Test
    void rewards_lengthRanker_rewardIsTwiceLengthDifference() {
        // M[i][j] = len_i - len_j -> reward_c = -((len_ref - len_c) - (len_c - len_ref)) = 2(len_c - len_ref)
        // lengths [2,4,1] ref SHORTEST = 2 (len 1): [2, 6, 0]
        double[] r = Rankings.rewards(new LengthRanker(), "src", List.of("aa", "bbbb", "c"), ReferenceMode.SHORTEST);
        assertThat(r).containsExactly(new double[] {2, 6, 0}, within(1e-12));
    }

    @Test
    void rewards_callerReference_appendedAsLastCandidate() {
        // ranker sees [x, yy, gold], ref index 2
        TableRanker ranker = new TableRanker(new double[][] {
            {0, 99, -0.5},
            {99, 0, 0.25},
            {1.0, -2.0, 0},
        });
        double[] r = Rankings.rewards(ranker, "src", List.of("x", "yy"), "gold");
        // c0: -(M20 - M02) = -(1.0 - (-0.5)) = -1.5
        // c1: -(M21 - M12) = -(-2.0 - 0.25) = 2.25
        assertThat(r).containsExactly(new double[] {-1.5, 2.25}, within(1e-12));
        assertThat(ranker.queries().get(0).candidates()).containsExactly("x", "yy", "gold");
        // 2N = 4 pairs
        assertThat(ranker.requestedPairs()).hasSize(4).containsExactlyInAnyOrder(p(2, 0), p(0, 2), p(2, 1), p(1, 2));
    }

    @Test
    void rewardsAll_twoExamples_oneScoreAllCall() {
        TableRanker ranker = TableRanker.bySource(Map.of(
                "s1", new double[][] {{0, 1.5, 99}, {0.5, 0, 2.0}, {99, -1.0, 0}},
                "s2", new double[][] {{0, -0.25}, {0.75, 0}}));
        List<double[]> out = Rankings.rewardsAll(
                ranker,
                List.of("s1", "s2"),
                List.of(List.of("a", "bbb", "cc"), List.of("long one", "s")),
                ReferenceMode.LONGEST);
        // s1: ref 1 (len 3): c0 = -(M10 - M01) = -(0.5 - 1.5) = 1; c2 = -(M12 - M21) = -(2 + 1) = -3
        // s2: ref 0 (len 8): c1 = -(M01 - M10) = -(-0.25 - 0.75) = 1
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).containsExactly(new double[] {1, 0, -3}, within(1e-12));
        assertThat(out.get(1)).containsExactly(new double[] {0, 1}, within(1e-12));
        assertThat(ranker.scoreAllCalls()).isEqualTo(1);
        assertThat(ranker.scoreCalls()).isZero();
        // 2(3-1) + 2(2-1) = 6 pairs
        assertThat(ranker.requestedPairs()).hasSize(6);
    }

    @Test
    void rewardsAll_mismatchedSizes_throws() {
        TableRanker ranker = new TableRanker(new double[][] {{0}});
        assertThatThrownBy(() -> Rankings.rewardsAll(ranker, List.of("s1"), List.of(), ReferenceMode.LONGEST))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rewards_singleCandidate_zeroWithoutRankerCall() {
        TableRanker ranker = new TableRanker(new double[][] {{0}});
        assertThat(Rankings.rewards(ranker, "src", List.of("only"), ReferenceMode.LONGEST))
                .containsExactly(new double[] {0}, within(1e-12));
        assertThat(ranker.requests()).isZero();
    }
}
