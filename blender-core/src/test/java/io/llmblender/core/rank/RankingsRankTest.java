package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.error.InferenceException;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.TableRanker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Full rankings with a ranker: which pairs are requested, and ranker failures. */
class RankingsRankTest {

    private static final List<String> FOUR = List.of("a", "b", "c", "d");

    private static final double[][] T4 = {
        {0, 1.5, 1.5, 1.5},
        {-0.5, 0, 10.5, -0.5},
        {-0.5, -9.5, 0, -0.5},
        {-0.5, 1.5, 1.5, 0},
    };

    private static List<CandidatePair> allOrderedPairs(int n) {
        List<CandidatePair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    out.add(new CandidatePair(i, j));
                }
            }
        }
        return out;
    }

    @Test
    void rank_twoCandidates_fullRanking() {
        TableRanker ranker = new TableRanker(new double[][] {{0, -1.5}, {0.5, 0}});
        Ranking r = Rankings.rank(ranker, "src", List.of("x", "y"));
        // s0 = (-1.5 - 0.5) / 2 = -1 ; s1 = (0.5 - (-1.5)) / 2 = 1
        assertThat(r.scores()).containsExactly(new double[] {-1, 1}, within(1e-12));
        assertThat(r.ranks()).containsExactly(2, 1);
        assertThat(r.best()).isEqualTo(1);
        assertThat(r.aggregation()).contains(Aggregation.MAX_LOGITS);
        // 2 x 1 = 2 pairs
        assertThat(ranker.requestedPairs()).containsExactlyInAnyOrder(new CandidatePair(0, 1), new CandidatePair(1, 0));
    }

    @Test
    void rank_oneCandidate_asksRankerNothing() {
        TableRanker ranker = new TableRanker(new double[][] {{0}});
        Ranking r = Rankings.rank(ranker, "src", List.of("only"));
        assertThat(r.ranks()).containsExactly(1);
        assertThat(r.best()).isEqualTo(0);
        assertThat(ranker.requestedPairs()).isEmpty();
        assertThat(ranker.requests()).isZero();
    }

    @Test
    void rank_oneCandidateEveryAggregation_asksRankerNothing() {
        for (Aggregation aggregation : Aggregation.values()) {
            TableRanker ranker = new TableRanker(new double[][] {{0}});
            Ranking r = Rankings.rank(ranker, "src", List.of("only"), aggregation, 7L);
            assertThat(r.best()).as(aggregation.name()).isEqualTo(0);
            assertThat(ranker.requests()).as(aggregation.name()).isZero();
        }
    }

    @Test
    void rank_maxLogits_requestsAllTwelvePairsInOneCall() {
        TableRanker ranker = new TableRanker(T4);
        Ranking r = Rankings.rank(ranker, "src", FOUR, Aggregation.MAX_LOGITS, 0L);
        // N(N-1) = 4 * 3 = 12 pairs, one score() call
        assertThat(ranker.scoreCalls()).isEqualTo(1);
        assertThat(ranker.scoreAllCalls()).isZero();
        assertThat(ranker.requestedPairs()).hasSize(12).containsExactlyInAnyOrderElementsOf(allOrderedPairs(4));
        assertThat(ranker.queries().get(0).source()).isEqualTo("src");
        assertThat(ranker.queries().get(0).candidates()).isEqualTo(FOUR);
        // scores hand-computed in RankingsScoresTest: [1.5, 4, -6, 0.5]
        assertThat(r.order()).containsExactly(1, 0, 3, 2);
        assertThat(r.matrix())
                .hasValueSatisfying(m -> assertThat(m.isComplete()).isTrue());
    }

    @Test
    void rank_maxWins_requestsAllTwelvePairsInOneCall() {
        TableRanker ranker = new TableRanker(T4);
        Ranking r = Rankings.rank(ranker, "src", FOUR, Aggregation.MAX_WINS, 0L);
        assertThat(ranker.scoreCalls()).isEqualTo(1);
        assertThat(ranker.requestedPairs()).hasSize(12).containsExactlyInAnyOrderElementsOf(allOrderedPairs(4));
        // wins [6, 2, 0, 4]
        assertThat(r.scores()).containsExactly(6, 2, 0, 4);
        assertThat(r.order()).containsExactly(0, 3, 1, 2);
    }

    @Test
    void rank_lengthRanker_longestFirst() {
        LengthRanker ranker = new LengthRanker();
        // lengths 2, 5, 1: M[i][j] = len_i - len_j, so M[i][j] - M[j][i] = 2(len_i - len_j)
        // s_i = (1/3) sum_j 2(len_i - len_j) = (2/3)(3 len_i - 8)
        // s = (2/3)(-2), (2/3)(7), (2/3)(-5) = -4/3, 14/3, -10/3
        Ranking r = Rankings.rank(ranker, "src", List.of("ab", "abcde", "a"));
        assertThat(r.scores()).containsExactly(new double[] {-4.0 / 3, 14.0 / 3, -10.0 / 3}, within(1e-12));
        assertThat(r.order()).containsExactly(1, 0, 2);
        assertThat(ranker.requestedPairs()).hasSize(6);
    }

    @Test
    void rankAll_twoExamples_oneScoreAllCall() {
        TableRanker ranker = TableRanker.bySource(Map.of("s1", new double[][] {{0, -1.5}, {0.5, 0}}, "s2", T4));
        List<Ranking> out =
                Rankings.rankAll(ranker, List.of("s1", "s2"), List.of(List.of("x", "y"), FOUR), Aggregation.MAX_LOGITS);
        assertThat(out).hasSize(2);
        // s1: [-1, 1]; s2: [1.5, 4, -6, 0.5]
        assertThat(out.get(0).scores()).containsExactly(new double[] {-1, 1}, within(1e-12));
        assertThat(out.get(1).scores()).containsExactly(new double[] {1.5, 4, -6, 0.5}, within(1e-12));
        assertThat(ranker.scoreAllCalls()).isEqualTo(1);
        assertThat(ranker.scoreCalls()).isZero();
        // 2 + 12 pairs
        assertThat(ranker.requestedPairs()).hasSize(14);
    }

    @Test
    void rankAll_mismatchedSizes_throws() {
        TableRanker ranker = new TableRanker(T4);
        assertThatThrownBy(() -> Rankings.rankAll(ranker, List.of("s1", "s2"), List.of(FOUR), Aggregation.MAX_LOGITS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ranker.requests()).isZero();
    }

    @Test
    void rankAll_bubble_throws() {
        TableRanker ranker = new TableRanker(T4);
        assertThatThrownBy(() -> Rankings.rankAll(ranker, List.of("s"), List.of(FOUR), Aggregation.BUBBLE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ranker.requests()).isZero();
    }

    @Test
    void rank_rankerOmitsRequestedPair_throwsInferenceNamingPair() {
        Ranker omitting = new FixedAnswerRanker(q -> {
            PairwiseMatrix.Builder b = PairwiseMatrix.builder(q.size());
            for (CandidatePair p : q.pairs()) {
                if (!p.equals(new CandidatePair(1, 0))) {
                    b.set(p, 1.0);
                }
            }
            return b.build();
        });
        assertThatThrownBy(() -> Rankings.rank(omitting, "s", List.of("x", "y")))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("(1, 0)");
    }

    @Test
    void rank_rankerReturnsNull_throwsInference() {
        Ranker nothing = new FixedAnswerRanker(q -> null);
        assertThatThrownBy(() -> Rankings.rank(nothing, "s", List.of("x", "y")))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("no matrix");
    }

    @Test
    void rank_rankerReturnsWrongSize_throwsInference() {
        Ranker wrongSize =
                new FixedAnswerRanker(q -> PairwiseMatrix.of(new double[][] {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}));
        assertThatThrownBy(() -> Rankings.rank(wrongSize, "s", List.of("x", "y")))
                .isInstanceOf(InferenceException.class);
    }

    @Test
    void rankAll_scoreAllReturnsNullMatrix_throwsInference() {
        Ranker holey = new FixedAnswerRanker(q -> PairwiseMatrix.of(new double[][] {{0, 1}, {1, 0}})) {
            @Override
            public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
                return java.util.Arrays.asList(score(queries.get(0)), null);
            }
        };
        assertThatThrownBy(() -> Rankings.rankAll(
                        holey,
                        List.of("s1", "s2"),
                        List.of(List.of("x", "y"), List.of("x", "y")),
                        Aggregation.MAX_LOGITS))
                .isInstanceOf(InferenceException.class);
    }

    @Test
    void rankAll_scoreAllReturnsTooFewMatrices_throwsInference() {
        Ranker shortBatch = new FixedAnswerRanker(q -> PairwiseMatrix.of(new double[][] {{0, 1}, {1, 0}})) {
            @Override
            public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
                return List.of(score(queries.get(0)));
            }
        };
        assertThatThrownBy(() -> Rankings.rankAll(
                        shortBatch,
                        List.of("s1", "s2"),
                        List.of(List.of("x", "y"), List.of("x", "y")),
                        Aggregation.MAX_LOGITS))
                .isInstanceOf(InferenceException.class);
    }

    /** A ranker whose answer is a fixed function of the query, for failure cases. */
    static class FixedAnswerRanker implements Ranker {
        private final java.util.function.Function<PairQuery, PairwiseMatrix> answer;

        FixedAnswerRanker(java.util.function.Function<PairQuery, PairwiseMatrix> answer) {
            this.answer = answer;
        }

        @Override
        public String name() {
            return "fixed";
        }

        @Override
        public PairwiseMatrix score(PairQuery query) {
            return answer.apply(query);
        }
    }
}
