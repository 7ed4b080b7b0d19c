package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.InferenceException;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.testkit.ScriptedClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The LLM judge against scripted judges: verdicts, position bias, garbage, timeouts, budget, cache. */
class LlmJudgeRankerTest {

    private static final List<String> ANSWERS = List.of("ok answer", "good answer", "bad answer");
    private static final Map<String, Integer> QUALITY = Map.of("bad answer", 1, "ok answer", 2, "good answer", 3);
    private static final Pattern A = Pattern.compile("Assistant A's Answer\\]\\n(.*?)\\n\\[The End", Pattern.DOTALL);
    private static final Pattern B = Pattern.compile("Assistant B's Answer\\]\\n(.*?)\\n\\[The End", Pattern.DOTALL);

    private static String slot(Pattern p, Prompt prompt) {
        Matcher m = p.matcher(prompt.instruction());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** A fair judge: the better answer by {@link #QUALITY} wins, equal ones tie. */
    private static Generation fair(Prompt p) {
        int c = Integer.compare(QUALITY.get(slot(A, p)), QUALITY.get(slot(B, p)));
        return Generation.of(
                "Reasoning... [[" + (c > 0 ? "A" : c < 0 ? "B" : "C") + "]]",
                FinishReason.STOP,
                new TokenUsage(100, 10));
    }

    private static LlmJudgeRanker judge(Function<Prompt, Generation> script, AtomicInteger calls) {
        return LlmJudgeRanker.builder(ScriptedClient.answering("judge", p -> {
                    calls.incrementAndGet();
                    return script.apply(p);
                }))
                .build();
    }

    @Test
    void scoreWithCosts_reportsCallsAndTokens_throughWrappersAndBlender_andWhenEveryCallFails() {
        AtomicInteger calls = new AtomicInteger();
        try (LlmJudgeRanker r = judge(LlmJudgeRankerTest::fair, calls)) {
            List<RankingCost> costs = new java.util.ArrayList<>();
            r.score(PairQuery.full("Q?", ANSWERS), costs::add);
            assertThat(costs).containsExactly(new RankingCost("judge", 6, 0, 600, 60));
            // cache hits are no calls: the same query again costs nothing and reports nothing
            costs.clear();
            r.score(PairQuery.full("Q?", ANSWERS), costs::add);
            assertThat(costs).isEmpty();
            // a fallback and a combination pass the judge's reports on; so does the Blender
            costs.clear();
            Ranker consensus = ConsensusRanker.builder().fallback(r).build();
            Rankings.rank(Rankers.reportingCosts(consensus, costs::add), "Q2?", List.of("good answer", "bad answer"));
            assertThat(costs).containsExactly(new RankingCost("judge", 2, 0, 200, 20));
            costs.clear();
            Ranker combined = Rankers.combine(List.of(r, Rankers.lengthPrior()), new double[] {1, 1});
            Rankings.rank(Rankers.reportingCosts(combined, costs::add), "Q3?", ANSWERS);
            assertThat(costs).containsExactly(new RankingCost("judge", 6, 0, 600, 60));
            try (io.llmblender.core.Blender blender = io.llmblender.core.Blender.builder()
                    .client(ScriptedClient.answering("x", "ok answer"))
                    .client(ScriptedClient.answering("y", "good answer"))
                    .ranker(r)
                    .build()) {
                io.llmblender.core.BlendResult result = blender.blend(Prompt.of("Q4?"));
                assertThat(result.best().text()).isEqualTo("good answer");
                assertThat(result.rankingCosts()).containsExactly(new RankingCost("judge", 2, 0, 200, 20));
                assertThat(result.called()).containsExactly("x", "y");
            }
        }
        // a judge that fails every call: the query fails, and the calls it cost are still reported
        try (LlmJudgeRanker r = LlmJudgeRanker.builder(ScriptedClient.answering("judge", p -> {
                    throw new IllegalStateException("down");
                }))
                .retries(1)
                .build()) {
            List<RankingCost> costs = new java.util.ArrayList<>();
            assertThatThrownBy(() -> r.score(PairQuery.full("Q?", List.of("a", "b")), costs::add))
                    .isInstanceOf(InferenceException.class);
            assertThat(costs).containsExactly(new RankingCost("judge", 4, 4, 0, 0));
        }
    }

    @Test
    void judge_fairJudgeBothOrders_matrixAndCallCount() {
        AtomicInteger calls = new AtomicInteger();
        try (LlmJudgeRanker r = judge(LlmJudgeRankerTest::fair, calls)) {
            LlmJudgeRanker.Judgement j = r.judge(PairQuery.full("Q?", ANSWERS));
            assertThat(j.calls()).isEqualTo(6).isEqualTo(calls.get());
            assertThat(j.failures()).isEmpty();
            assertThat(j.promptTokens()).isEqualTo(600);
            assertThat(j.completionTokens()).isEqualTo(60);
            // (v(i,j) - v(j,i)) / 2 with v = +1 when i is better
            assertThat(j.matrix().toArray()).isEqualTo(new double[][] {{0, -1, 1}, {1, 0, 1}, {-1, -1, 0}});
            assertThat(Rankings.rank(r, "Q?", ANSWERS).order()).containsExactly(1, 0, 2);
        }
    }

    @Test
    void judge_tiesGiveZero() {
        try (LlmJudgeRanker r = judge(p -> Generation.of("equally good [[C]]"), new AtomicInteger())) {
            assertThat(r.judge(PairQuery.full("Q", ANSWERS)).matrix().toArray()).isEqualTo(new double[3][3]);
        }
    }

    @Test
    void judge_positionBiasedJudge_cancelsWithBothOrders_notWithOne() {
        Function<Prompt, Generation> alwaysA = p -> Generation.of("[[A]]");
        try (LlmJudgeRanker both = judge(alwaysA, new AtomicInteger())) {
            assertThat(both.judge(PairQuery.full("Q", ANSWERS)).matrix().toArray())
                    .isEqualTo(new double[3][3]);
        }
        AtomicInteger calls = new AtomicInteger();
        try (LlmJudgeRanker one = LlmJudgeRanker.builder(ScriptedClient.answering("judge", p -> {
                    calls.incrementAndGet();
                    return Generation.of("[[A]]");
                }))
                .bothOrders(false)
                .build()) {
            PairwiseMatrix m = one.judge(PairQuery.full("Q", ANSWERS)).matrix();
            assertThat(calls.get()).isEqualTo(3);
            // the pair is asked in its first requested order (i < j for a full query): i always "wins"
            assertThat(m.logit(0, 1)).isEqualTo(1.0);
            assertThat(m.logit(1, 0)).isEqualTo(-1.0);
        }
    }

    @Test
    void judge_garbageForOnePair_isRecordedRetriedAndCountsAsTie() {
        AtomicInteger calls = new AtomicInteger();
        Function<Prompt, Generation> script =
                p -> slot(A, p).equals("bad answer") || slot(B, p).equals("bad answer")
                        ? Generation.of("I'd rather not say.")
                        : fair(p);
        try (LlmJudgeRanker r = judge(script, calls)) {
            LlmJudgeRanker.Judgement j = r.judge(PairQuery.full("Q", ANSWERS));
            // 6 asks; the 4 with the bad answer fail and are asked once more (retries 1): 10 calls
            assertThat(j.calls()).isEqualTo(10).isEqualTo(calls.get());
            assertThat(j.failedCalls()).isEqualTo(8);
            assertThat(j.failures()).hasSize(4).allMatch(f -> f.contains("unparseable verdict"));
            assertThat(j.matrix().logit(0, 2)).isZero();
            assertThat(j.matrix().logit(1, 0)).isEqualTo(1.0);
        }
    }

    @Test
    void judge_garbageEverywhere_failsTheRanking() {
        try (LlmJudgeRanker r = judge(p -> Generation.of("no idea"), new AtomicInteger())) {
            assertThatThrownBy(() -> r.score(PairQuery.full("Q", ANSWERS)))
                    .isInstanceOf(InferenceException.class)
                    .hasMessageContaining("judge 'judge' gave no verdict")
                    .hasMessageContaining("unparseable verdict");
        }
    }

    @Test
    void judge_hangingJudge_timesOutAndFails() {
        try (LlmJudgeRanker r = LlmJudgeRanker.builder(ScriptedClient.hanging("slow"))
                .timeout(Duration.ofMillis(50))
                .retries(0)
                .build()) {
            assertThatThrownBy(() -> r.score(PairQuery.full("Q", List.of("a", "b"))))
                    .isInstanceOf(InferenceException.class)
                    .hasMessageContaining("timed out after PT0.05S");
        }
    }

    @Test
    void judge_failingJudge_failsTheRankingWithTheReason() {
        try (LlmJudgeRanker r = LlmJudgeRanker.builder(ScriptedClient.failing("down", "HTTP 500"))
                .build()) {
            assertThatThrownBy(() -> r.score(PairQuery.full("Q", List.of("a", "b"))))
                    .isInstanceOf(InferenceException.class)
                    .hasMessageContaining("(4 calls)")
                    .hasMessageContaining("HTTP 500");
        }
    }

    @Test
    void judge_budgetCapsCalls_restAreTiesAndRecorded() {
        AtomicInteger calls = new AtomicInteger();
        try (LlmJudgeRanker r = LlmJudgeRanker.builder(ScriptedClient.answering("judge", p -> {
                    calls.incrementAndGet();
                    return fair(p);
                }))
                .maxCalls(2)
                .concurrency(1)
                .build()) {
            LlmJudgeRanker.Judgement j = r.judge(PairQuery.full("Q", ANSWERS));
            assertThat(calls.get()).isEqualTo(2);
            assertThat(j.failures()).hasSize(4).allMatch(f -> f.contains("over the budget of 2 judge calls"));
            // (0,1) and (1,0) were asked: 0 loses to 1
            assertThat(j.matrix().logit(0, 1)).isEqualTo(-1.0);
            assertThat(j.matrix().logit(0, 2)).isZero();
        }
    }

    @Test
    void judge_cacheAnswersRepeatsAndBubbleAsksFewerPairs() {
        AtomicInteger calls = new AtomicInteger();
        try (LlmJudgeRanker r = judge(LlmJudgeRankerTest::fair, calls)) {
            Selection best = Rankings.bestOfN(r, "Q", ANSWERS, 0L);
            assertThat(ANSWERS.get(best.index())).isEqualTo("good answer");
            assertThat(calls.get()).isEqualTo(LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.PAIRWISE, true, true, 3));
            calls.set(0);
            LlmJudgeRanker.Judgement again = r.judge(PairQuery.full("Q", ANSWERS));
            assertThat(again.cacheHits()).isEqualTo(4);
            assertThat(again.calls()).isEqualTo(2).isEqualTo(calls.get());
        }
    }

    @Test
    void judge_gradeMode_matrixOfGradeDifferences() {
        AtomicInteger calls = new AtomicInteger();
        try (LlmJudgeRanker r = LlmJudgeRanker.builder(ScriptedClient.answering("judge", p -> {
                    calls.incrementAndGet();
                    String text = p.instruction();
                    int q = text.contains("good answer") ? 9 : text.contains("ok answer") ? 6 : 2;
                    return Generation.of("Fine. Rating: [[" + q + "]]");
                }))
                .mode(LlmJudgeRanker.Mode.GRADE)
                .build()) {
            PairwiseMatrix m = r.score(PairQuery.full("Q", ANSWERS));
            assertThat(calls.get()).isEqualTo(3);
            assertThat(m.logit(1, 0)).isEqualTo(3.0);
            assertThat(m.logit(2, 1)).isEqualTo(-7.0);
            assertThat(r.name()).isEqualTo("judge(judge, grade)");
        }
    }

    @Test
    void judge_listwiseMode_oneCallRanksAll() {
        AtomicInteger calls = new AtomicInteger();
        try (LlmJudgeRanker r = LlmJudgeRanker.builder(ScriptedClient.answering("judge", p -> {
                    calls.incrementAndGet();
                    assertThat(p.instruction()).contains("[1] ok answer").contains("[3] bad answer");
                    return Generation.of("Answer [[3]] is weak. Ranking: [[2]] > [[1]] > [[3]]");
                }))
                .mode(LlmJudgeRanker.Mode.LISTWISE)
                .build()) {
            assertThat(Rankings.rank(r, "Q", ANSWERS).order()).containsExactly(1, 0, 2);
            assertThat(calls.get()).isEqualTo(1);
        }
    }

    @Test
    void prompts_citeTheirSourceAndKeepAnswerTextVerbatim() {
        String[] pair = LlmJudgeRanker.template(LlmJudgeRanker.Mode.PAIRWISE);
        assertThat(pair[0])
                .contains("[[A]]")
                .contains("language of the question")
                .doesNotContain("FastChat");
        AtomicInteger calls = new AtomicInteger();
        try (LlmJudgeRanker r = judge(
                p -> {
                    assertThat(p.instruction()).contains("says {answer_b} literally");
                    return Generation.of("[[C]]");
                },
                calls)) {
            r.score(PairQuery.full("Q", List.of("says {answer_b} literally", "other")));
        }
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void plannedCalls_perMode() {
        assertThat(LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.PAIRWISE, true, false, 8))
                .isEqualTo(56);
        assertThat(LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.PAIRWISE, false, true, 8))
                .isEqualTo(7);
        assertThat(LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.GRADE, true, false, 12))
                .isEqualTo(12);
        assertThat(LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.LISTWISE, true, false, 12))
                .isEqualTo(1);
    }

    @Test
    void builder_refusesBadValuesNamingThem() {
        LlmJudgeRanker.Builder b = LlmJudgeRanker.builder(ScriptedClient.answering("j", "[[A]]"));
        assertThatThrownBy(() -> b.maxCalls(0)).hasMessage("maxCalls must be positive, found 0");
        assertThatThrownBy(() -> b.retries(-1)).hasMessageContaining("retries");
        b.concurrency(2);
        assertThatThrownBy(() -> b.concurrency(3)).isInstanceOf(IllegalStateException.class);
    }
}
