package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyRankerTest {

    private static final PairQuery PAIR = PairQuery.full("q", List.of("short", "a longer answer"));

    /** The length prior, counting how often it is made and closed. */
    private static final class Counted {
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        Ranker make() {
            made.incrementAndGet();
            Ranker inner = Rankers.lengthPrior();
            return new Ranker() {
                @Override
                public String name() {
                    return inner.name();
                }

                @Override
                public PairwiseMatrix score(PairQuery query) {
                    return inner.score(query);
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        }
    }

    @Test
    void makesTheRankerOnFirstUse_onceUnderConcurrentCalls_andClosesIt() throws Exception {
        Counted c = new Counted();
        LazyRanker lazy = new LazyRanker("length-lazy", c::make);
        assertThat(lazy.name()).isEqualTo("length-lazy");
        assertThat(lazy.loaded()).isFalse();
        assertThat(c.made).hasValue(0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Double>> logits = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                logits.add(pool.submit(() -> {
                    start.await();
                    return lazy.score(PAIR).logit(1, 0);
                }));
            }
            start.countDown();
            for (Future<Double> f : logits) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(c.made).hasValue(1);
        assertThat(lazy.loaded()).isTrue();
        lazy.close();
        lazy.close();
        assertThat(c.closed).hasValue(1);
        assertThatThrownBy(() -> lazy.score(PAIR))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("ranker 'length-lazy' is closed");
    }

    @Test
    void aFailingSupplier_reachesTheCaller_andTheNextCallTriesAgain() {
        AtomicInteger calls = new AtomicInteger();
        LazyRanker lazy = new LazyRanker("flaky", () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("model file missing");
            }
            return Rankers.lengthPrior();
        });
        assertThatThrownBy(() -> lazy.score(PAIR)).hasMessage("model file missing");
        assertThat(lazy.loaded()).isFalse();
        assertThat(lazy.score(PAIR).logit(1, 0)).isPositive();
        assertThat(calls).hasValue(2);
    }

    @Test
    void closedBeforeUse_neverMakesTheRanker() {
        Counted c = new Counted();
        LazyRanker lazy = new LazyRanker("never", c::make);
        lazy.close();
        assertThatThrownBy(() -> lazy.scoreAll(List.of(PAIR))).isInstanceOf(IllegalStateException.class);
        assertThat(c.made).hasValue(0);
    }
}
