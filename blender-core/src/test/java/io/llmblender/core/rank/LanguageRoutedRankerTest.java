package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LanguageRoutedRankerTest {

    /** Scores by length (longer wins) or by shortness, and records the sources it was asked about. */
    private static final class Recording implements Ranker {
        final String name;
        final int sign;
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());
        boolean closed;

        Recording(String name, int sign) {
            this.name = name;
            this.sign = sign;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public PairwiseMatrix score(PairQuery query) {
            seen.add(query.source());
            PairwiseMatrix.Builder m = PairwiseMatrix.builder(query.candidates().size());
            for (CandidatePair p : query.pairs()) {
                m.set(
                        p.first(),
                        p.second(),
                        sign
                                * (query.candidates().get(p.first()).length()
                                        - query.candidates().get(p.second()).length()));
            }
            return m.build();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void hanShareCountsHanAmongLettersOnly() {
        assertThat(LanguageRoutedRanker.hanShare("静夜思")).isEqualTo(1.0);
        assertThat(LanguageRoutedRanker.hanShare("abcd")).isEqualTo(0.0);
        assertThat(LanguageRoutedRanker.hanShare("12 + 30 = 42 !?")).isEqualTo(0.0);
        // 2 Han of 6 letters; digits and punctuation do not count
        assertThat(LanguageRoutedRanker.hanShare("感冒 abcd, 2024.")).isEqualTo(2.0 / 6.0);
        // a Han character outside the BMP (U+20000) counts once
        assertThat(LanguageRoutedRanker.hanShare("\uD840\uDC00a")).isEqualTo(0.5);
        // Japanese kana are letters but not Han
        assertThat(LanguageRoutedRanker.hanShare("ひらがな")).isEqualTo(0.0);
    }

    @Test
    void chineseQueriesGoToTheChineseRankerOthersToTheDefault() {
        Recording en = new Recording("en", 1);
        Recording zh = new Recording("zh", -1);
        try (LanguageRoutedRanker r = LanguageRoutedRanker.builder()
                .defaultRanker(en)
                .chineseRanker("zh", () -> zh)
                .build()) {
            Ranking english = Rankings.rank(r, "How do I treat a cold?", List.of("Rest.", "Rest and drink fluids."));
            assertThat(english.ranks()[1]).isEqualTo(1); // longer first, as the default ranker says
            assertThat(r.chineseLoaded()).isFalse();

            Ranking chinese = Rankings.rank(r, "感冒了怎么办？", List.of("多喝水，多休息。", "休息。"));
            assertThat(chinese.ranks()[1]).isEqualTo(1); // the Chinese ranker prefers the shorter one
            assertThat(r.chineseLoaded()).isTrue();
            assertThat(en.seen).containsExactly("How do I treat a cold?");
            assertThat(zh.seen).containsExactly("感冒了怎么办？");
        }
        assertThat(zh.closed).isTrue();
        assertThat(en.closed).isFalse();
    }

    @Test
    void mixedQueriesFollowTheDocumentedRule() {
        LanguageRoutedRanker r = LanguageRoutedRanker.builder()
                .defaultRanker(new Recording("en", 1))
                .chineseRanker("zh", () -> new Recording("zh", 1))
                .build();
        // Chinese prompt, English answers: the Chinese ranker (it can read the question)
        assertThat(r.isChinese("把这句话翻译成英文：床前明月光", List.of("Moonlight before my bed", "Bright moon")))
                .isTrue();
        // English prompt, Chinese answers
        assertThat(r.isChinese("Translate 'good morning' into Chinese", List.of("早上好", "早安")))
                .isTrue();
        // English prompt with one Chinese word, English answers: the default
        assertThat(r.isChinese("What does 你好 mean in English?", List.of("It means hello.", "Hello.")))
                .isFalse();
        // Code with Chinese comments in one answer out of three English ones stays below the threshold
        assertThat(r.isChinese(
                        "Write a loop",
                        List.of("for (int i = 0; i < n; i++) {} // 循环", "Use a for loop over the items.", "while")))
                .isFalse();
        r.close();
    }

    @Test
    void thresholdIsConfigurableAndChecked() {
        LanguageRoutedRanker strict = LanguageRoutedRanker.builder()
                .defaultRanker(new Recording("en", 1))
                .chineseRanker("zh", () -> new Recording("zh", 1))
                .threshold(0.9)
                .build();
        assertThat(strict.isChinese("感冒 abcd", List.of("x"))).isFalse();
        assertThat(strict.isChinese("感冒了", List.of("x"))).isTrue();
        assertThatThrownBy(() -> LanguageRoutedRanker.builder().threshold(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be in (0, 1], found 0.0");
        assertThatThrownBy(() -> LanguageRoutedRanker.builder()
                        .chineseRanker("zh", () -> null)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("defaultRanker is required");
    }

    @Test
    void scoreAllKeepsOrderAndBatchesEachLanguage() {
        Recording en = new Recording("en", 1);
        Recording zh = new Recording("zh", -1);
        try (LanguageRoutedRanker r = LanguageRoutedRanker.builder()
                .defaultRanker(en)
                .chineseRanker("zh", () -> zh)
                .build()) {
            List<PairQuery> queries = List.of(
                    PairQuery.full("a?", List.of("x", "xx")),
                    PairQuery.full("甲？", List.of("一", "一二")),
                    PairQuery.full("b?", List.of("yy", "y")));
            List<PairwiseMatrix> out = r.scoreAll(queries);
            assertThat(out.get(0).logit(1, 0)).isEqualTo(1.0);
            assertThat(out.get(1).logit(1, 0)).isEqualTo(-1.0);
            assertThat(out.get(2).logit(0, 1)).isEqualTo(1.0);
            assertThat(en.seen).containsExactly("a?", "b?");
            assertThat(zh.seen).containsExactly("甲？");
        }
    }

    @Test
    void theChineseRankerIsCreatedOnceUnderConcurrentCallsAndAFailedLoadIsRetried() throws Exception {
        AtomicInteger created = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        LanguageRoutedRanker r = LanguageRoutedRanker.builder()
                .defaultRanker(new Recording("en", 1))
                .chineseRanker("zh", () -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw new IllegalStateException("model file missing");
                    }
                    created.incrementAndGet();
                    return new Recording("zh", 1);
                })
                .build();
        assertThatThrownBy(() -> Rankings.rank(r, "你好", List.of("好", "很好"))).hasMessage("model file missing");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Ranking>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return Rankings.rank(r, "你好", List.of("好", "很好"));
                }));
            }
            start.countDown();
            for (Future<Ranking> f : futures) {
                assertThat(f.get(30, TimeUnit.SECONDS).ranks()[1]).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(created.get()).isEqualTo(1);
        r.close();
        r.close();
        assertThatThrownBy(() -> Rankings.rank(r, "你好", List.of("好", "很好")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }
}
