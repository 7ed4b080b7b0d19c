package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Consensus scores against hand-computed values. */
class ConsensusRankerTest {

    /**
     * Bags: A = {a, b, c, "a b", "b c"} (5), B = {a, b, "a b"} (3), C = {x} (1); overlap(A, B) = 3, the rest 0.
     */
    private static final List<String> ABC = List.of("A b, c!", "a  B", "x");

    @Test
    void scores_coverage_handComputed() {
        // s_A = (3/3 + 0) / 2, s_B = (3/5 + 0) / 2, s_C = 0
        assertThat(ConsensusRanker.lexical().scores(ABC)).containsExactly(new double[] {0.5, 0.3, 0.0}, within(1e-12));
    }

    @Test
    void scores_tokenF1_handComputed() {
        // F1(A, B) = 2 * 3 / (5 + 3) = 0.75
        ConsensusRanker r = ConsensusRanker.builder()
                .similarity(ConsensusRanker.Similarity.TOKEN_F1)
                .build();
        assertThat(r.scores(ABC)).containsExactly(new double[] {0.375, 0.375, 0.0}, within(1e-12));
        assertThat(r.name()).isEqualTo("consensus-token-f1");
    }

    @Test
    void scores_rougeL_handComputed() {
        // LCS([a,b,c], [a,b]) = 2: 2 * 2 / 5 = 0.8
        ConsensusRanker r = ConsensusRanker.builder()
                .similarity(ConsensusRanker.Similarity.ROUGE_L)
                .build();
        assertThat(r.scores(ABC)).containsExactly(new double[] {0.4, 0.4, 0.0}, within(1e-12));
    }

    @Test
    void score_matrixHoldsScoreDifferencesOfRequestedPairsOnly() {
        PairQuery q = PairQuery.of("ignored", ABC, List.of(new CandidatePair(0, 1), new CandidatePair(2, 0)));
        PairwiseMatrix m = ConsensusRanker.lexical().score(q);
        assertThat(m.logit(0, 1)).isCloseTo(0.2, within(1e-12));
        assertThat(m.logit(2, 0)).isCloseTo(-0.5, within(1e-12));
        assertThat(m.computedCount()).isEqualTo(2);
        assertThat(Rankings.rank(ConsensusRanker.lexical(), "", ABC).order()).containsExactly(0, 1, 2);
    }

    @Test
    void scores_ideographsAreWordsOfTheirOwn() {
        // "天气很好" = 4 words + 3 bigrams; "天气不好": overlap {天, 气, 好, 天气} = 4
        ConsensusRanker r = ConsensusRanker.builder()
                .similarity(ConsensusRanker.Similarity.TOKEN_F1)
                .build();
        double[] s = r.scores(List.of("天气很好", "天气不好", "zzz"));
        assertThat(s[0]).isCloseTo((2.0 * 4 / 14) / 2, within(1e-12));
    }

    @Test
    void scores_finalAnswerVote_majorityWinsAndLexicalBreaksTies() {
        List<String> answers = List.of(
                "16 - 3 - 4 = 9 eggs, 9 * 2 = 18.\n#### 18",
                "She sells 9 eggs for $2 each.\nThe answer is: $18.00",
                "She makes 20 dollars. Answer: 20",
                "So she earns \\boxed{18} dollars, not 20.");
        ConsensusRanker vote = ConsensusRanker.builder().finalAnswer(true).build();
        double[] s = vote.scores(answers);
        double[] lexical = ConsensusRanker.lexical().scores(answers);
        for (int i : new int[] {0, 1, 3}) {
            assertThat(s[i]).isCloseTo(2.0 / 3 + ConsensusRanker.VOTE_TIE_BREAK * lexical[i], within(1e-12));
        }
        assertThat(s[2]).isCloseTo(ConsensusRanker.VOTE_TIE_BREAK * lexical[2], within(1e-12));
        assertThat(vote.name()).isEqualTo("consensus-coverage-vote");
    }

    @Test
    void finalAnswers_extractsBoxedHashesAnswerLinesAndLastNumber() {
        assertThat(FinalAnswers.extract("x \\boxed{1,000.50} y")).contains("1000.5");
        assertThat(FinalAnswers.extract("so \\boxed{\\frac{1}{2}}")).contains("\\frac{1}{2}");
        assertThat(FinalAnswers.extract("work 3 + 4\n#### 7")).contains("7");
        assertThat(FinalAnswers.extract("Final answer: Paris")).contains("paris");
        assertThat(FinalAnswers.extract("first 3 then -2.50")).contains("-2.5");
        assertThat(FinalAnswers.extract("no number here")).isEmpty();
    }

    @Test
    void score_fewerThanThree_tiesWithoutFallback() {
        PairwiseMatrix m = ConsensusRanker.lexical().score(PairQuery.full("", List.of("long answer here", "short")));
        assertThat(m.logit(0, 1)).isZero();
        assertThat(m.logit(1, 0)).isZero();
        assertThat(m.isComplete()).isTrue();
        assertThat(Rankings.rank(ConsensusRanker.lexical(), "", List.of("a b", "c"))
                        .ranks())
                .containsExactly(1, 1);
    }

    @Test
    void score_fewerThanThree_defersToFallback() {
        ConsensusRanker r =
                ConsensusRanker.builder().fallback(Rankers.lengthPrior()).build();
        PairwiseMatrix m = r.score(PairQuery.full("", List.of("short", "a longer answer")));
        assertThat(m).isEqualTo(Rankers.lengthPrior().score(PairQuery.full("", List.of("short", "a longer answer"))));
        assertThat(m.logit(1, 0)).isPositive();
        // three or more: the fallback is not asked (consensus picks the typical answer, not the longest)
        List<String> three = List.of("the cat sat", "the cat sat down", "zebra quantum xylophone marmalade orbit");
        assertThat(Rankings.rank(r, "", three).best()).isNotEqualTo(2);
        assertThat(r.fallback()).containsSame(Rankers.lengthPrior());
    }

    @Test
    void builder_refusesRepeatedSettings() {
        ConsensusRanker.Builder b = ConsensusRanker.builder().similarity(ConsensusRanker.Similarity.ROUGE_L);
        assertThatThrownBy(() -> b.similarity(ConsensusRanker.Similarity.TOKEN_F1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("similarity was already set to ROUGE_L");
        b.fallback(Rankers.lengthPrior());
        assertThatThrownBy(() -> b.fallback(Rankers.lengthPrior())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void close_thenScoreThrows_andNullCandidateIsNamed() {
        ConsensusRanker r = ConsensusRanker.lexical();
        assertThatThrownBy(() -> r.scores(java.util.Arrays.asList("a", null, "b")))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("candidates[1]");
        r.close();
        r.close();
        assertThatThrownBy(() -> r.scores(ABC)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void scoreAll_givesThePairsToTheFallbackInOneCall_andKeepsTheOrder() {
        List<List<PairQuery>> calls = new java.util.ArrayList<>();
        Ranker length = Rankers.lengthPrior();
        Ranker recording = new Ranker() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public PairwiseMatrix score(PairQuery query) {
                return length.score(query);
            }

            @Override
            public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
                calls.add(queries);
                return length.scoreAll(queries);
            }
        };
        ConsensusRanker r = ConsensusRanker.builder().fallback(recording).build();
        PairQuery pair1 = PairQuery.full("q", List.of("short", "a longer answer"));
        PairQuery many = PairQuery.full("q", ABC);
        PairQuery pair2 = PairQuery.full("q", List.of("a much longer answer here", "tiny"));
        List<PairwiseMatrix> out = r.scoreAll(List.of(pair1, many, pair2));
        assertThat(calls).containsExactly(List.of(pair1, pair2));
        assertThat(out).hasSize(3);
        assertThat(out.get(0).logit(1, 0)).isEqualTo(r.score(pair1).logit(1, 0)).isPositive();
        assertThat(out.get(1).logit(0, 1)).isEqualTo(r.score(many).logit(0, 1));
        assertThat(out.get(2).logit(0, 1)).isEqualTo(r.score(pair2).logit(0, 1)).isPositive();
    }
}
