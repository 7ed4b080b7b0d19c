package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RankingTest {

    @Test
    void ranks_tieAtTop_sharesBestRank() {
        // scores 2,2,1 sorted desc = [2,2,1]; first occurrence of 2 at 0 -> rank 1; of 1 at 2 -> rank 3
        assertThat(Ranking.ofScores(2, 2, 1).ranks()).containsExactly(1, 1, 3);
    }

    @Test
    void ranks_tieInMiddle_competitionRanks() {
        // sorted desc = [3,3,1,0]: 3 -> 1, 1 -> 3, 0 -> 4
        assertThat(Ranking.ofScores(1, 3, 3, 0).ranks()).containsExactly(3, 1, 1, 4);
    }

    @Test
    void ranks_negativeScores_descendingOrder() {
        // sorted desc = [-0.5, -1, -7]
        Ranking r = Ranking.ofScores(-7, -0.5, -1);
        assertThat(r.ranks()).containsExactly(3, 1, 2);
        assertThat(r.rank(0)).isEqualTo(3);
    }

    @Test
    void order_tiesBrokenByIndex() {
        // ranks [3,1,1,4] -> rank 1: {1,2} by index, then 0, then 3
        Ranking r = Ranking.ofScores(1, 3, 3, 0);
        assertThat(r.order()).containsExactly(1, 2, 0, 3);
        assertThat(r.best()).isEqualTo(1);
    }

    @Test
    void order_allTied_isIndexOrder() {
        assertThat(Ranking.ofScores(0, 5, 5, 5).order()).containsExactly(1, 2, 3, 0);
        assertThat(Ranking.ofScores(4, 4, 4).order()).containsExactly(0, 1, 2);
    }

    @Test
    void topK_takesPrefixOfOrder() {
        assertThat(Ranking.ofScores(1, 3, 3, 0).topK(2)).containsExactly(1, 2);
        assertThat(Ranking.ofScores(1, 3, 3, 0).topK(3)).containsExactly(1, 2, 0);
    }

    @Test
    void topK_kAboveN_returnsAll() {
        assertThat(Ranking.ofScores(1, 3, 3, 0).topK(10)).containsExactly(1, 2, 0, 3);
    }

    @Test
    void topK_zero_throws() {
        assertThatThrownBy(() -> Ranking.ofScores(1, 2).topK(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void topK_items_picksItemsInRankOrder() {
        Ranking r = Ranking.ofScores(1, 3, 3, 0);
        assertThat(r.topK(List.of("a", "b", "c", "d"), 3)).containsExactly("b", "c", "a");
        assertThatThrownBy(() -> r.topK(List.of("a"), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofScores_nonFinite_throws() {
        assertThatThrownBy(() -> Ranking.ofScores(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ranking.ofScores(Double.NEGATIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofScores_empty_throws() {
        assertThatThrownBy(() -> Ranking.ofScores()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofScores_singleCandidate_rankOne() {
        Ranking r = Ranking.ofScores(-5);
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.ranks()).containsExactly(1);
        assertThat(r.order()).containsExactly(0);
        assertThat(r.best()).isEqualTo(0);
        assertThat(r.topK(3)).containsExactly(0);
        assertThat(r.aggregation()).isEmpty();
        assertThat(r.matrix()).isEmpty();
    }

    @Test
    void ofScores_copiesInput() {
        double[] s = {1, 2};
        Ranking r = Ranking.ofScores(s);
        s[0] = 9;
        r.scores()[1] = 9;
        assertThat(r.scores()).containsExactly(1, 2);
        assertThat(r.best()).isEqualTo(1);
    }

    @Test
    void of_matrixSizeMismatch_throws() {
        PairwiseMatrix m = PairwiseMatrix.of(new double[][] {{0, 1}, {1, 0}});
        assertThatThrownBy(() -> Ranking.of(new double[] {1, 2, 3}, Aggregation.MAX_LOGITS, m))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
