package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.TableRanker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bubble best-of-n / worst-of-n (spec section 2): d = M[cur][nxt] - M[nxt][cur]; cur is carried
 * only if d > 0 (worst: d < 0), ties go to nxt; the last carried element wins.
 */
class RankingsBubbleTest {

    private static final List<String> FIVE = List.of("c0", "c1", "c2", "c3", "c4");

    /**
     * Non-transitive, not antisymmetric. d(a,b) = T[a][b] - T[b][a]:
     * d(0,1)=-1, d(0,2)=-3, d(0,3)=2, d(0,4)=2.5, d(1,2)=2, d(1,3)=-3, d(1,4)=-1,
     * d(2,3)=5.5, d(2,4)=0 (tie), d(3,4)=3.
     */
    private static final double[][] T5 = {
        {0, 1.0, -2.0, 0.5, 3.0},
        {2.0, 0, 1.5, -1.0, 0.0},
        {1.0, -0.5, 0, 2.5, 1.0},
        {-1.5, 2.0, -3.0, 0, 1.0},
        {0.5, 1.0, 1.0, -2.0, 0},
    };

    /** Lengths [2, 3, 1, 6, 4, 5, 6, 2]: 3 and 6 tie for longest, 2 is the unique shortest. */
    private static final List<String> EIGHT = List.of("aa", "bbb", "c", "dddddd", "eeee", "fffff", "gggggg", "hh");

    private static CandidatePair p(int i, int j) {
        return new CandidatePair(i, j);
    }

    // ------------------------------------------------------------ permutation

    @Test
    void permutation_isCollectionsShuffleWithSeededRandom() {
        for (int n : new int[] {1, 2, 5, 8}) {
            for (long seed = 0; seed < 5; seed++) {
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    expected.add(i);
                }
                Collections.shuffle(expected, new Random(seed));
                assertThat(Rankings.permutation(n, seed))
                        .as("n=%d seed=%d", n, seed)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void permutation_knownSeeds() {
        // values of Collections.shuffle(identity, new Random(seed)) used in the hand walks below
        assertThat(Rankings.permutation(5, 0L)).containsExactly(4, 2, 1, 3, 0);
        assertThat(Rankings.permutation(5, 3L)).containsExactly(3, 1, 0, 2, 4);
        assertThat(Rankings.permutation(8, 0L)).containsExactly(0, 7, 3, 4, 6, 1, 2, 5);
        assertThat(Rankings.permutation(8, 1L)).containsExactly(2, 6, 7, 0, 3, 1, 4, 5);
    }

    @Test
    void permutation_invalidN_throws() {
        assertThatThrownBy(() -> Rankings.permutation(0, 1L)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------ bestOfN / worstOfN

    @Test
    void bestOfN_n5Seed0_handWalkWithTieToNext() {
        TableRanker ranker = new TableRanker(T5);
        Selection s = Rankings.bestOfN(ranker, "src", FIVE, 0L);
        // perm [4,2,1,3,0]:
        // 4 v 2: d = T42 - T24 = 1.0 - 1.0 = 0   -> tie, carry 2
        // 2 v 1: d = T21 - T12 = -0.5 - 1.5 = -2 -> carry 1
        // 1 v 3: d = T13 - T31 = -1.0 - 2.0 = -3 -> carry 3
        // 3 v 0: d = T30 - T03 = -1.5 - 0.5 = -2 -> carry 0   => winner 0
        assertThat(s.permutation()).isEqualTo(Rankings.permutation(5, 0L));
        assertThat(s.index()).isEqualTo(0);
        // 2(N-1) = 8 pairs
        assertThat(ranker.requestedPairs())
                .hasSize(8)
                .containsExactlyInAnyOrder(p(4, 2), p(2, 4), p(2, 1), p(1, 2), p(1, 3), p(3, 1), p(3, 0), p(0, 3));
    }

    @Test
    void bestOfN_selectionMatrixHoldsExactlyScoredPairs() {
        Selection s = Rankings.bestOfN(new TableRanker(T5), "src", FIVE, 0L);
        assertThat(s.matrix().size()).isEqualTo(5);
        assertThat(s.matrix().computedCount()).isEqualTo(8);
        assertThat(s.matrix().logit(4, 2)).isEqualTo(1.0);
        assertThat(s.matrix().logit(3, 0)).isEqualTo(-1.5);
        assertThat(s.matrix().isComputed(0, 1)).isFalse();
    }

    @Test
    void bestOfN_n5Seed3_differentPermutationDifferentWinner() {
        TableRanker ranker = new TableRanker(T5);
        Selection s = Rankings.bestOfN(ranker, "src", FIVE, 3L);
        // perm [3,1,0,2,4]:
        // 3 v 1: d = T31 - T13 = 2.0 - (-1.0) = 3  -> keep 3
        // 3 v 0: d = T30 - T03 = -1.5 - 0.5 = -2   -> carry 0
        // 0 v 2: d = T02 - T20 = -2.0 - 1.0 = -3   -> carry 2
        // 2 v 4: d = T24 - T42 = 1.0 - 1.0 = 0     -> tie, carry 4   => winner 4 (seed 0 gave 0)
        assertThat(s.permutation()).isEqualTo(Rankings.permutation(5, 3L));
        assertThat(s.index()).isEqualTo(4);
        assertThat(ranker.requestedPairs())
                .hasSize(8)
                .containsExactlyInAnyOrder(p(3, 1), p(1, 3), p(3, 0), p(0, 3), p(0, 2), p(2, 0), p(2, 4), p(4, 2));
    }

    @Test
    void worstOfN_n5Seed0_handWalk() {
        TableRanker ranker = new TableRanker(T5);
        Selection s = Rankings.worstOfN(ranker, "src", FIVE, 0L);
        // perm [4,2,1,3,0], carry cur only if d < 0:
        // 4 v 2: d = 0                       -> tie, carry 2
        // 2 v 1: d = T21 - T12 = -2          -> keep 2
        // 2 v 3: d = T23 - T32 = 2.5 + 3 = 5.5 -> carry 3
        // 3 v 0: d = T30 - T03 = -2          -> keep 3   => loser 3
        assertThat(s.permutation()).isEqualTo(Rankings.permutation(5, 0L));
        assertThat(s.index()).isEqualTo(3);
        assertThat(ranker.requestedPairs())
                .hasSize(8)
                .containsExactlyInAnyOrder(p(4, 2), p(2, 4), p(2, 1), p(1, 2), p(2, 3), p(3, 2), p(3, 0), p(0, 3));
    }

    @Test
    void bestOfN_sameSeedTwice_sameSelection() {
        Selection first = Rankings.bestOfN(new TableRanker(T5), "src", FIVE, 12345L);
        Selection second = Rankings.bestOfN(new TableRanker(T5), "src", FIVE, 12345L);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void bestOfN_n8LengthRankerSeed0_laterOfTiedLongestWins() {
        LengthRanker ranker = new LengthRanker();
        Selection s = Rankings.bestOfN(ranker, "src", EIGHT, 0L);
        // d = 2(len cur - len nxt); lengths L = [2,3,1,6,4,5,6,2]; perm [0,7,3,4,6,1,2,5]:
        // 0(2) v 7(2): d=0 -> 7; 7(2) v 3(6): d<0 -> 3; 3 v 4(4): keep 3; 3(6) v 6(6): d=0 -> 6;
        // 6 v 1(3), 6 v 2(1), 6 v 5(5): keep 6  => winner 6
        assertThat(s.permutation()).isEqualTo(Rankings.permutation(8, 0L));
        assertThat(s.index()).isEqualTo(6);
        // 2(N-1) = 14 pairs
        assertThat(ranker.requestedPairs())
                .hasSize(14)
                .containsExactlyInAnyOrder(
                        p(0, 7), p(7, 0), p(7, 3), p(3, 7), p(3, 4), p(4, 3), p(3, 6), p(6, 3), p(6, 1), p(1, 6),
                        p(6, 2), p(2, 6), p(6, 5), p(5, 6));
    }

    @Test
    void bestOfN_n8LengthRankerSeed1_otherTiedLongestWins() {
        LengthRanker ranker = new LengthRanker();
        Selection s = Rankings.bestOfN(ranker, "src", EIGHT, 1L);
        // perm [2,6,7,0,3,1,4,5]: 2(1) v 6(6) -> 6; 6 v 7, 6 v 0 -> keep 6; 6(6) v 3(6): d=0 -> 3;
        // 3 v 1, 3 v 4, 3 v 5 -> keep 3  => winner 3
        assertThat(s.permutation()).isEqualTo(Rankings.permutation(8, 1L));
        assertThat(s.index()).isEqualTo(3);
        assertThat(ranker.requestedPairs()).hasSize(14);
    }

    @Test
    void worstOfN_n8LengthRankerSeed0_shortestLoses() {
        LengthRanker ranker = new LengthRanker();
        Selection s = Rankings.worstOfN(ranker, "src", EIGHT, 0L);
        // carry cur only if d < 0 (cur shorter); perm [0,7,3,4,6,1,2,5]:
        // 0(2) v 7(2): d=0 -> 7; 7(2) keeps against 3(6), 4(4), 6(6), 1(3);
        // 7(2) v 2(1): d=2>0 -> 2; 2(1) v 5(5): keep 2  => loser 2
        assertThat(s.index()).isEqualTo(2);
        assertThat(ranker.requestedPairs()).hasSize(14);
    }

    @Test
    void bestOfN_oneCandidate_noPairs() {
        TableRanker ranker = new TableRanker(new double[][] {{0}});
        Selection s = Rankings.bestOfN(ranker, "src", List.of("only"), 9L);
        assertThat(s.index()).isEqualTo(0);
        assertThat(s.permutation()).containsExactly(0);
        assertThat(ranker.requests()).isZero();
    }

    @Test
    void rank_bubble_winnerRankOneOthersRankTwo() {
        TableRanker ranker = new TableRanker(T5);
        Ranking r = Rankings.rank(ranker, "src", FIVE, Aggregation.BUBBLE, 3L);
        // seed 3 winner is 4 (see bestOfN_n5Seed3_...)
        assertThat(r.ranks()).containsExactly(2, 2, 2, 2, 1);
        assertThat(r.scores()).containsExactly(0, 0, 0, 0, 1);
        assertThat(r.best()).isEqualTo(4);
        assertThat(r.order()).containsExactly(4, 0, 1, 2, 3);
        assertThat(r.aggregation()).contains(Aggregation.BUBBLE);
        assertThat(ranker.requestedPairs()).hasSize(8);
    }

    // ------------------------------------------------------------ pure bubble

    @Test
    void bubble_identityPermutation_handWalk() {
        // [0,1,2,3,4]: 0 v 1: d=-1 -> 1; 1 v 2: d=T12-T21=1.5+0.5=2 -> keep 1;
        // 1 v 3: d=-3 -> 3; 3 v 4: d=T34-T43=1+2=3 -> keep 3  => 3
        assertThat(Rankings.bubble(PairwiseMatrix.of(T5), List.of(0, 1, 2, 3, 4), true))
                .isEqualTo(3);
    }

    @Test
    void bubble_reversedPermutation_differentWinner() {
        // [4,3,2,1,0]: 4 v 3: d=T43-T34=-2-1=-3 -> 3; 3 v 2: d=T32-T23=-3-2.5=-5.5 -> 2;
        // 2 v 1: d=T21-T12=-2 -> 1; 1 v 0: d=T10-T01=2-1=1 -> keep 1  => 1
        assertThat(Rankings.bubble(PairwiseMatrix.of(T5), List.of(4, 3, 2, 1, 0), true))
                .isEqualTo(1);
    }

    @Test
    void bubble_worstIdentityPermutation_handWalk() {
        // carry only if d<0: 0 v 1: d=-1 keep 0; 0 v 2: d=-3 keep 0; 0 v 3: d=0.5+1.5=2 -> 3;
        // 3 v 4: d=3 -> 4  => 4
        assertThat(Rankings.bubble(PairwiseMatrix.of(T5), List.of(0, 1, 2, 3, 4), false))
                .isEqualTo(4);
    }

    @Test
    void bubble_tie_goesToNextForBestAndWorst() {
        // d = 0.5 - 0.5 = 0 is neither > 0 nor < 0: nxt is carried either way
        PairwiseMatrix tie = PairwiseMatrix.of(new double[][] {{0, 0.5}, {0.5, 0}});
        assertThat(Rankings.bubble(tie, List.of(0, 1), true)).isEqualTo(1);
        assertThat(Rankings.bubble(tie, List.of(1, 0), true)).isEqualTo(0);
        assertThat(Rankings.bubble(tie, List.of(0, 1), false)).isEqualTo(1);
        assertThat(Rankings.bubble(tie, List.of(1, 0), false)).isEqualTo(0);
    }

    @Test
    void bubble_partialMatrixWithVisitedPairs_suffices() {
        // [0,1,2]: 0 v 1: d = -1 - 1 = -2 -> 1; 1 v 2: d = 2 - 0 = 2 -> keep 1
        PairwiseMatrix partial = PairwiseMatrix.builder(3)
                .set(0, 1, -1)
                .set(1, 0, 1)
                .set(1, 2, 2)
                .set(2, 1, 0)
                .build();
        assertThat(Rankings.bubble(partial, List.of(0, 1, 2), true)).isEqualTo(1);
    }

    @Test
    void bubble_missingVisitedPair_throwsIllegalState() {
        PairwiseMatrix partial =
                PairwiseMatrix.builder(3).set(0, 1, -1).set(1, 0, 1).build();
        assertThatThrownBy(() -> Rankings.bubble(partial, List.of(0, 1, 2), true))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void bubble_invalidPermutation_throws() {
        PairwiseMatrix m = PairwiseMatrix.of(T5);
        assertThatThrownBy(() -> Rankings.bubble(m, List.of(0, 1, 2, 3), true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rankings.bubble(m, List.of(0, 1, 2, 3, 3), true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rankings.bubble(m, List.of(0, 1, 2, 3, 5), true))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void bubble_singleCandidate_isZero() {
        assertThat(Rankings.bubble(PairwiseMatrix.of(new double[][] {{0}}), List.of(0), true))
                .isEqualTo(0);
    }
}
