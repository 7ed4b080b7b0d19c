package io.llmblender.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.BlenderException;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.core.rank.Aggregation;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import io.llmblender.testkit.FakeTicker;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.ScriptedClient;
import io.llmblender.testkit.WatchedClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BlenderTest {

    private static final Prompt PROMPT = Prompt.of("Name a colour.");

    /** A client that fuses by echoing the fusion request it receives. */
    private static ScriptedClient echo(String name) {
        return ScriptedClient.answering(name, p -> Generation.of(p.instruction()));
    }

    @Test
    void blend_allAnswer_ranksByRankerAndFusesTopK() {
        LengthRanker ranker = new LengthRanker();
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "red"))
                .client(ScriptedClient.answering("b", "deep ocean blue"))
                .client(ScriptedClient.answering("c", "green"))
                .ranker(ranker)
                .fuser(LlmFuser.builder(echo("judge")).build())
                .topK(2)
                .build()) {
            BlendResult result = blender.blend(PROMPT);

            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("a", "b", "c");
            assertThat(result.ranked()).extracting(Candidate::client).containsExactly("b", "c", "a");
            assertThat(result.ranking().orElseThrow().ranks()).containsExactly(3, 1, 2);
            assertThat(result.matrix().orElseThrow().isComplete()).isTrue();
            assertThat(result.rankerName()).contains("length");
            assertThat(result.fused().orElseThrow())
                    .contains("Answer 1:\ndeep ocean blue", "Answer 2:\ngreen")
                    .doesNotContain("red");
            assertThat(result.fusion().orElseThrow().candidatesUsed()).isEqualTo(2);
            assertThat(result.answer()).isEqualTo(result.fused().orElseThrow());
            assertThat(result.failures()).isEmpty();
        }
    }

    @Test
    void blend_everyClientGetsThePrompt() {
        ScriptedClient a = ScriptedClient.answering("a", "x");
        ScriptedClient b = ScriptedClient.answering("b", "y");
        try (Blender blender = Blender.builder().client(a).client(b).build()) {
            blender.blend(PROMPT);
        }
        assertThat(a.prompts()).containsExactly(PROMPT);
        assertThat(b.prompts()).containsExactly(PROMPT);
    }

    @Test
    void blend_clientsRunInParallel() throws Exception {
        // Each client waits for the other to start: only a parallel fan-out lets both finish.
        List<ScriptedClient> pair = new ArrayList<>();
        ScriptedClient a = ScriptedClient.answering("a", p -> awaitOther(pair, 1, "x"));
        ScriptedClient b = ScriptedClient.answering("b", p -> awaitOther(pair, 0, "y"));
        pair.add(a);
        pair.add(b);
        // On a fake ticker that nobody advances the timeout cannot fire, however slowly the two threads start.
        try (Blender blender = Blender.builder()
                .client(a)
                .client(b)
                .perClientTimeout(Duration.ofSeconds(10))
                .ticker(new FakeTicker())
                .build()) {
            BlendResult result = blender.blend(PROMPT);
            assertThat(result.failures()).isEmpty();
            assertThat(result.candidates()).hasSize(2);
        }
    }

    private static Generation awaitOther(List<ScriptedClient> pair, int other, String text) {
        try {
            if (!pair.get(other).started.await(5, TimeUnit.SECONDS)) {
                throw new LlmCallException("test", "the other client never started");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Generation.of(text);
    }

    @Test
    void blend_clientThrows_failureRecordedAndOthersGoOn() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("ok", "fine"))
                .client(ScriptedClient.failing("broken", "HTTP 500"))
                .build()) {
            BlendResult result = blender.blend(PROMPT);

            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("ok");
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("broken");
                assertThat(f.kind()).isEqualTo(ClientFailure.Kind.ERROR);
                assertThat(f.cause()).isInstanceOf(LlmCallException.class).hasMessageContaining("HTTP 500");
            });
            assertThat(result.answer()).isEqualTo("fine");
        }
    }

    @Test
    void blend_clientThrowsSynchronouslyFromGenerateAsync_recorded() {
        io.llmblender.core.llm.LlmClient bad = new ScriptedClient.Throwing("bad");
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("ok", "fine"))
                .client(bad)
                .build()) {
            BlendResult result = blender.blend(PROMPT);
            assertThat(result.failures())
                    .singleElement()
                    .extracting(ClientFailure::name)
                    .isEqualTo("bad");
        }
    }

    @Test
    void blend_clientAnswersNull_recordedAsError() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("ok", "fine"))
                .client(ScriptedClient.answeringNull("null"))
                .build()) {
            BlendResult result = blender.blend(PROMPT);
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.kind()).isEqualTo(ClientFailure.Kind.ERROR);
                assertThat(f.cause()).hasMessageContaining("answered null");
            });
        }
    }

    @Test
    void blend_clientHangsPastTimeout_timedOutAndInterrupted() throws Exception {
        // Fake ticker: "slow" would hang for ever; its 60 s timeout fires when the test advances the ticker to it.
        FakeTicker ticker = new FakeTicker();
        WatchedClient ok = WatchedClient.of(ScriptedClient.answering("ok", "fine"));
        ScriptedClient hanging = ScriptedClient.hanging("slow");
        try (Blender blender = Blender.builder()
                .client(ok)
                .client(hanging)
                .perClientTimeout(Duration.ofSeconds(60))
                .ticker(ticker)
                .build()) {
            FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(PROMPT));
            new Thread(blend, "blend").start();
            ok.awaitDone(1);
            hanging.started.await(); // the call is running, so the timeout has a thread to interrupt
            assertThat(ticker.awaitWaiter()).as("the wait for the hung call").isEqualTo(Duration.ofSeconds(60));
            ticker.advance(Duration.ofSeconds(60).minusNanos(1));
            assertThat(ticker.awaitWaiter())
                    .as("a nanosecond before the timeout")
                    .isEqualTo(Duration.ofNanos(1));
            assertThat(blend).isNotDone();
            ticker.advance(Duration.ofNanos(1));
            BlendResult result = blend.get();

            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("ok");
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("slow");
                assertThat(f.kind()).isEqualTo(ClientFailure.Kind.TIMEOUT);
                assertThat(f.cause()).hasMessageContaining("perClientTimeout PT1M");
            });
            assertThat(hanging.interrupted.await(5, TimeUnit.SECONDS))
                    .as("hung call interrupted")
                    .isTrue();
        }
    }

    @Test
    void blend_answerAfterDeadline_recordedAsDeadline() throws Exception {
        // Fake ticker: "late" would answer after 60 s of real time; the 1 s deadline fires when the test says.
        FakeTicker ticker = new FakeTicker();
        WatchedClient fast = WatchedClient.of(ScriptedClient.answering("fast", "fine"));
        WatchedClient late = WatchedClient.of(ScriptedClient.answeringAfter("late", "too late", 60_000));
        try (Blender blender = Blender.builder()
                .client(fast)
                .client(late)
                .perClientTimeout(Duration.ofSeconds(30))
                .deadline(Duration.ofSeconds(1))
                .ticker(ticker)
                .build()) {
            FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(PROMPT));
            new Thread(blend, "blend").start();
            fast.awaitDone(1);
            assertThat(ticker.awaitWaiter())
                    .as("the deadline, before the timeout")
                    .isEqualTo(Duration.ofSeconds(1));
            ticker.advance(Duration.ofSeconds(1));
            BlendResult result = blend.get();

            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("fast");
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.kind()).isEqualTo(ClientFailure.Kind.DEADLINE);
                assertThat(f.cause()).hasMessageContaining("deadline");
            });
            assertThat(late.calls())
                    .singleElement()
                    .satisfies(call -> assertThat(call).isCancelled());
        }
    }

    @Test
    void blend_noClientAnswers_throwsListingEveryFailure() throws Exception {
        FakeTicker ticker = new FakeTicker();
        WatchedClient failing = WatchedClient.of(ScriptedClient.failing("one", "boom"));
        try (Blender blender = Blender.builder()
                .client(failing)
                .client(ScriptedClient.hanging("two"))
                .perClientTimeout(Duration.ofSeconds(60))
                .ticker(ticker)
                .build()) {
            FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(PROMPT));
            new Thread(blend, "blend").start();
            failing.awaitDone(1);
            ticker.advance(ticker.awaitWaiter());

            assertThatThrownBy(blend::get)
                    .cause()
                    .isInstanceOf(NoAnswerException.class)
                    .isInstanceOf(BlenderException.class)
                    .hasMessageContaining("one: ERROR")
                    .hasMessageContaining("boom")
                    .hasMessageContaining("two: TIMEOUT")
                    .satisfies(e -> assertThat(((NoAnswerException) e).failures())
                            .extracting(ClientFailure::name)
                            .containsExactly("one", "two"));
        }
    }

    @Test
    void blend_defaultTicker_timesOutOnRealTime() {
        // Ticker.system() is the default: a client that never answers is timed out by real time passing.
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.hanging("never"))
                .perClientTimeout(Duration.ofMillis(1))
                .build()) {
            assertThatThrownBy(() -> blender.blend(PROMPT))
                    .isInstanceOf(NoAnswerException.class)
                    .satisfies(e -> assertThat(((NoAnswerException) e).failures())
                            .singleElement()
                            .satisfies(f -> assertThat(f.kind()).isEqualTo(ClientFailure.Kind.TIMEOUT)));
        }
    }

    @Test
    void blend_oneAnswer_skipsRankingAndFusion() {
        LengthRanker ranker = new LengthRanker();
        ScriptedClient judge = echo("judge");
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("only", "the answer"))
                .client(ScriptedClient.failing("gone", "down"))
                .ranker(ranker)
                .fuser(LlmFuser.builder(judge).build())
                .build()) {
            BlendResult result = blender.blend(PROMPT);

            assertThat(result.answer()).isEqualTo("the answer");
            assertThat(result.fused()).isEmpty();
            assertThat(result.ranking().orElseThrow().ranks()).containsExactly(1);
            assertThat(result.matrix()).isEmpty();
            assertThat(ranker.requestedPairs()).isEmpty();
            assertThat(judge.prompts()).isEmpty();
        }
    }

    @Test
    void blend_noFuser_answersWithTopRanked() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "short"))
                .client(ScriptedClient.answering("b", "much longer"))
                .ranker(new LengthRanker())
                .build()) {
            BlendResult result = blender.blend(PROMPT);
            assertThat(result.fused()).isEmpty();
            assertThat(result.best().client()).isEqualTo("b");
            assertThat(result.answer()).isEqualTo("much longer");
        }
    }

    @Test
    void blend_noRanker_fusesTopKInClientOrder() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "first"))
                .client(ScriptedClient.answering("b", "second"))
                .client(ScriptedClient.answering("c", "third"))
                .fuser(LlmFuser.builder(echo("judge")).build())
                .topK(2)
                .build()) {
            BlendResult result = blender.blend(PROMPT);
            assertThat(result.ranking()).isEmpty();
            assertThat(result.fused().orElseThrow())
                    .contains("Answer 1:\nfirst", "Answer 2:\nsecond")
                    .doesNotContain("third");
        }
    }

    @Test
    void blend_topKLargerThanAnswers_fusesAll() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "one"))
                .client(ScriptedClient.answering("b", "two"))
                .ranker(new LengthRanker())
                .fuser(LlmFuser.builder(echo("judge")).build())
                .topK(5)
                .build()) {
            assertThat(blender.blend(PROMPT).fusion().orElseThrow().candidatesUsed())
                    .isEqualTo(2);
        }
    }

    @Test
    void blend_fuserFails_fallsBackToBestAndRecordsIt() {
        Fuser failing =
                LlmFuser.builder(ScriptedClient.failing("judge", "overloaded")).build();
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "short"))
                .client(ScriptedClient.answering("b", "much longer"))
                .ranker(new LengthRanker())
                .fuser(failing)
                .build()) {
            BlendResult result = blender.blend(PROMPT);
            assertThat(result.answer()).isEqualTo("much longer");
            assertThat(result.fused()).isEmpty();
            assertThat(result.fusionFailure().orElseThrow().name()).isEqualTo("llm:judge");
            assertThat(result.fusionFailure().orElseThrow().cause()).hasMessageContaining("overloaded");
            assertThat(result.failures()).isEmpty();
        }
    }

    @Test
    void blend_rankerFails_keepsClientOrderAndRecordsIt() {
        Ranker broken = new LengthRanker() {
            @Override
            public PairwiseMatrix score(PairQuery query) {
                throw new InferenceException("ranker 'length': out of memory");
            }
        };
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "short"))
                .client(ScriptedClient.answering("b", "much longer"))
                .ranker(broken)
                .fuser(LlmFuser.builder(echo("judge")).build())
                .topK(1)
                .build()) {
            BlendResult result = blender.blend(PROMPT);
            assertThat(result.ranking()).isEmpty();
            assertThat(result.rankingFailure().orElseThrow().cause()).hasMessageContaining("out of memory");
            assertThat(result.fused().orElseThrow())
                    .contains("Answer 1:\nshort")
                    .doesNotContain("much longer");
        }
    }

    @Test
    void blend_closedRanker_misusePropagates() {
        Ranker closed = new LengthRanker() {
            @Override
            public PairwiseMatrix score(PairQuery query) {
                throw new IllegalStateException("ranker is closed");
            }
        };
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "x"))
                .client(ScriptedClient.answering("b", "y"))
                .ranker(closed)
                .build()) {
            assertThatThrownBy(() -> blender.blend(PROMPT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void blend_bubbleAggregation_asksOnlyTwoPairsPerComparison() {
        LengthRanker ranker = new LengthRanker();
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "aa"))
                .client(ScriptedClient.answering("b", "bbbbbb"))
                .client(ScriptedClient.answering("c", "c"))
                .client(ScriptedClient.answering("d", "dddd"))
                .ranker(ranker)
                .aggregation(Aggregation.BUBBLE)
                .seed(7)
                .build()) {
            BlendResult result = blender.blend(PROMPT);
            assertThat(ranker.requestedPairs()).hasSize(2 * (4 - 1));
            assertThat(result.best().client()).isEqualTo("b");
            assertThat(result.ranking().orElseThrow().ranks()).containsExactly(2, 1, 2, 2);
            assertThat(result.matrix().orElseThrow().computedCount()).isEqualTo(6);
        }
    }

    @Test
    void blend_candidateProvenance_keepsUsageFinishReasonAndLatency() {
        ScriptedClient client =
                ScriptedClient.answering("a", p -> Generation.of("cut", FinishReason.LENGTH, new TokenUsage(12, 34)));
        try (Blender blender = Blender.builder()
                .client(client)
                .clock(tickingClock(Duration.ofMillis(5)))
                .build()) {
            Candidate c = blender.blend(PROMPT).candidates().get(0);
            assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(c.usage()).contains(new TokenUsage(12, 34));
            assertThat(c.latency()).isPositive();
        }
    }

    @Test
    void blend_timingsComeFromTheInjectedClock() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "x"))
                .client(ScriptedClient.answering("b", "yy"))
                .ranker(new LengthRanker())
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
                .build()) {
            StageTimings t = blender.blend(PROMPT).timings();
            assertThat(List.of(t.generation(), t.ranking(), t.fusion(), t.total()))
                    .containsOnly(Duration.ZERO);
        }
    }

    @Test
    void blend_concurrentCallers_getTheSameResults() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "one"))
                .client(ScriptedClient.answering("b", "three"))
                .client(ScriptedClient.answering("c", "seventeen"))
                .ranker(new LengthRanker())
                .build()) {
            List<Future<List<Integer>>> orders = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                orders.add(callers.submit(
                        () -> blender.blend(PROMPT).ranking().orElseThrow().order()));
            }
            for (Future<List<Integer>> order : orders) {
                assertThat(order.get(10, TimeUnit.SECONDS)).containsExactly(2, 1, 0);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void close_ownedExecutor_leavesNoThreadRunning() throws Exception {
        FakeTicker ticker = new FakeTicker();
        ScriptedClient hanging = ScriptedClient.hanging("slow");
        ScriptedClient ok = ScriptedClient.answering("ok", "fine");
        WatchedClient watchedOk = WatchedClient.of(ok);
        Blender blender = Blender.builder()
                .client(watchedOk)
                .client(hanging)
                .perClientTimeout(Duration.ofSeconds(60))
                .ticker(ticker)
                .build();
        FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(PROMPT));
        new Thread(blend, "blend").start();
        watchedOk.awaitDone(1);
        hanging.started.await(); // its thread is in use, to be ended by close
        ticker.advance(ticker.awaitWaiter());
        assertThat(blend.get().failures()).extracting(ClientFailure::name).containsExactly("slow");
        blender.close();

        List<Thread> used = new ArrayList<>(ok.threads());
        used.addAll(hanging.threads());
        assertThat(used).isNotEmpty();
        for (Thread t : used) {
            t.join(5_000);
            assertThat(t.isAlive()).as("thread %s after close", t.getName()).isFalse();
        }
    }

    @Test
    void close_callerExecutor_isLeftRunning() throws Exception {
        ExecutorService mine = Executors.newFixedThreadPool(2);
        try {
            Blender blender = Blender.builder()
                    .client(ScriptedClient.answering("a", "x"))
                    .executor(mine)
                    .build();
            blender.blend(PROMPT);
            blender.close();
            assertThat(mine.isShutdown()).isFalse();
            assertThat(mine.submit(() -> 42).get(5, TimeUnit.SECONDS)).isEqualTo(42);
        } finally {
            mine.shutdownNow();
        }
    }

    @Test
    void close_doesNotCloseRankerOrFuser() {
        LengthRanker ranker = new LengthRanker();
        Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "x"))
                .ranker(ranker)
                .build();
        blender.close();
        assertThat(ranker.isClosed()).isFalse();
    }

    @Test
    void close_twice_isHarmless() {
        Blender blender =
                Blender.builder().client(ScriptedClient.answering("a", "x")).build();
        blender.close();
        blender.close();
        assertThat(blender.isClosed()).isTrue();
    }

    @Test
    void blend_afterClose_throwsIllegalState() {
        Blender blender =
                Blender.builder().client(ScriptedClient.answering("a", "x")).build();
        blender.close();
        assertThatThrownBy(() -> blender.blend(PROMPT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void blend_nullPrompt_throwsNamingIt() {
        try (Blender blender =
                Blender.builder().client(ScriptedClient.answering("a", "x")).build()) {
            assertThatThrownBy(() -> blender.blend(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("prompt");
        }
    }

    @Test
    void blend_interruptedCaller_throwsAndKeepsInterruptFlag() throws Exception {
        ScriptedClient hanging = ScriptedClient.hanging("slow");
        try (Blender blender = Blender.builder().client(hanging).build()) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> blender.blend(PROMPT))
                    .isInstanceOf(BlenderException.class)
                    .hasMessageContaining("interrupted");
            assertThat(Thread.interrupted()).isTrue();
        }
    }

    private static Clock tickingClock(Duration step) {
        AtomicLong ticks = new AtomicLong();
        Instant origin = Instant.parse("2026-01-01T00:00:00Z");
        return new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return origin.plus(step.multipliedBy(ticks.getAndIncrement()));
            }
        };
    }

    @Test
    void blend_answerPastMaxAnswerChars_isRecordedAsTheClientsFailure() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("runaway", "z".repeat(101)))
                .client(ScriptedClient.answering("fine", "Red."))
                .ranker(new LengthRanker())
                .maxAnswerChars(100)
                .build()) {
            BlendResult result = blender.blend(PROMPT);

            assertThat(result.answer()).isEqualTo("Red.");
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("runaway");
                assertThat(f.cause()).hasMessageContaining("answered 101 characters, more than maxAnswerChars 100");
            });
        }
        assertThatThrownBy(() -> Blender.builder().maxAnswerChars(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAnswerChars");
    }

    @Test
    void blend_64ClientsWithOddTexts_ranksAllAndKeepsEveryTextIntact() {
        String[] odd = {
            "",
            " ",
            "\uD800 lone high",
            "lone low \uDC00",
            "nul\u0000bell\u0007esc\u001b",
            "\u202Eتبحث עברית",
            "日本語の答え",
            "👩‍👩‍👧 family",
            "[SEP] </s> <|source|> <extra_id_0>"
        };
        Blender.Builder builder = Blender.builder().ranker(new LengthRanker()).topK(100);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            String text = odd[i % odd.length] + " #" + i;
            texts.add(text);
            builder.client(ScriptedClient.answering("llm-" + i, text));
        }
        try (Blender blender =
                builder.fuser(LlmFuser.builder(echo("judge")).build()).build()) {
            BlendResult result = blender.blend(PROMPT);

            assertThat(result.candidates())
                    .hasSize(64)
                    .extracting(Candidate::text)
                    .containsExactlyElementsOf(texts);
            assertThat(result.ranking().orElseThrow().ranks()).hasSize(64);
            assertThat(result.matrix().orElseThrow().computedCount()).isEqualTo(64 * 63);
            assertThat(result.fusion().orElseThrow().candidatesUsed()).isEqualTo(64);
            assertThat(result.failures()).isEmpty();
        }
    }

    @Test
    void blend_topKBeyondTheFusersLimit_fusesOnlyAsManyAsItTakes() {
        Fuser judge = LlmFuser.builder(echo("judge")).build();
        Fuser fussy = new Fuser() {
            @Override
            public String name() {
                return "fussy";
            }

            @Override
            public int maxCandidates() {
                return 2;
            }

            @Override
            public io.llmblender.core.fuse.Fusion fuse(Prompt prompt, List<String> ranked) {
                if (ranked.size() > 2) {
                    throw new IllegalArgumentException("at most 2, found " + ranked.size());
                }
                return judge.fuse(prompt, ranked);
            }
        };
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "red"))
                .client(ScriptedClient.answering("b", "deep ocean blue"))
                .client(ScriptedClient.answering("c", "green"))
                .ranker(new LengthRanker())
                .fuser(fussy)
                .topK(10)
                .build()) {
            BlendResult result = blender.blend(PROMPT);

            assertThat(result.fusion().orElseThrow().candidatesUsed()).isEqualTo(2);
            assertThat(result.fused().orElseThrow())
                    .contains("deep ocean blue", "green")
                    .doesNotContain("red");
        }
    }
}
