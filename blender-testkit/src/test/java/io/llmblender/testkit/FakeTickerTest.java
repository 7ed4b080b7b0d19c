package io.llmblender.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

/** The fake ticker moves only when advanced; every wait here ends by an advance or a completion, never by real time. */
class FakeTickerTest {

    private static FutureTask<Boolean> waitInBackground(FakeTicker ticker, CompletableFuture<?> future, long deadline) {
        FutureTask<Boolean> wait = new FutureTask<>(() -> ticker.awaitDone(future, deadline));
        new Thread(wait, "waiter").start();
        return wait;
    }

    @Test
    void read_startsWhereToldAndMovesOnlyOnAdvance() {
        FakeTicker ticker = new FakeTicker(42);
        assertThat(ticker.read()).isEqualTo(42);
        ticker.advance(Duration.ofNanos(8));
        ticker.advance(Duration.ZERO);
        assertThat(ticker.read()).isEqualTo(50);
        assertThat(new FakeTicker().read()).isZero();
        assertThat(ticker).hasToString("FakeTicker[now=50ns, waiters=0]");
    }

    @Test
    void advance_backwardsOrNull_isRefused() {
        FakeTicker ticker = new FakeTicker();
        assertThatThrownBy(() -> ticker.advance(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a ticker only moves forward, found advance(PT-0.000000001S)");
        assertThatThrownBy(() -> ticker.advance(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("by must not be null");
        assertThat(ticker.read()).isZero();
    }

    @Test
    void awaitDone_doneFutureOrReachedDeadline_returnsAtOnce() throws Exception {
        FakeTicker ticker = new FakeTicker(100);
        assertThat(ticker.awaitDone(CompletableFuture.completedFuture("x"), 0)).isTrue();
        assertThat(ticker.awaitDone(new CompletableFuture<>(), 100)).isFalse();
        assertThat(ticker.awaitDone(new CompletableFuture<>(), 99)).isFalse();
        assertThat(ticker.waiters()).isZero();
    }

    @Test
    void awaitDone_endsWhenAdvancedToTheDeadline_notBefore() throws Exception {
        FakeTicker ticker = new FakeTicker();
        CompletableFuture<String> never = new CompletableFuture<>();
        FutureTask<Boolean> wait = waitInBackground(ticker, never, 1_000);

        assertThat(ticker.awaitWaiter()).isEqualTo(Duration.ofNanos(1_000));
        ticker.advance(Duration.ofNanos(999));
        assertThat(ticker.awaitWaiter())
                .as("still waiting one nanosecond before")
                .isEqualTo(Duration.ofNanos(1));
        assertThat(wait).isNotDone();
        ticker.advance(Duration.ofNanos(1));
        assertThat(wait.get()).isFalse();
        assertThat(never).isNotDone();
        assertThat(ticker.waiters()).isZero();
    }

    @Test
    void awaitDone_endsWhenTheFutureCompletes_withoutTimeMoving() throws Exception {
        FakeTicker ticker = new FakeTicker();
        CompletableFuture<String> answer = new CompletableFuture<>();
        FutureTask<Boolean> wait = waitInBackground(ticker, answer, 1_000);
        ticker.awaitWaiter();

        answer.complete("done");
        assertThat(wait.get()).isTrue();
        assertThat(ticker.read()).isZero();
    }

    @Test
    void awaitWaiter_reportsTheEarliestPendingDeadline() throws Exception {
        FakeTicker ticker = new FakeTicker();
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        FutureTask<Boolean> late = waitInBackground(ticker, first, 5_000);
        assertThat(ticker.awaitWaiter()).isEqualTo(Duration.ofNanos(5_000));
        FutureTask<Boolean> early = waitInBackground(ticker, second, 2_000);
        while (ticker.waiters() < 2) {
            Thread.yield(); // until the second waiter registers; no deadline can pass meanwhile: time is fake
        }
        assertThat(ticker.awaitWaiter()).isEqualTo(Duration.ofNanos(2_000));

        ticker.advance(Duration.ofNanos(2_000));
        assertThat(early.get()).isFalse();
        assertThat(ticker.awaitWaiter()).isEqualTo(Duration.ofNanos(3_000));
        first.complete("in time");
        assertThat(late.get()).isTrue();
        assertThat(ticker.waiters()).isZero();
    }

    @Test
    void awaitDone_deadlinePastTheWrapAround_stillWaitsForIt() throws Exception {
        FakeTicker ticker = new FakeTicker(Long.MAX_VALUE - 5);
        FutureTask<Boolean> wait = waitInBackground(ticker, new CompletableFuture<>(), Long.MAX_VALUE + 6); // wraps
        assertThat(ticker.awaitWaiter()).isEqualTo(Duration.ofNanos(11));
        ticker.advance(Duration.ofNanos(11));
        assertThat(wait.get()).isFalse();
        assertThat(ticker.read()).isEqualTo(Long.MIN_VALUE + 5);
    }

    @Test
    void awaitDone_interrupted_throwsAndForgetsTheWait() throws Exception {
        FakeTicker ticker = new FakeTicker();
        FutureTask<Boolean> wait = new FutureTask<>(() -> ticker.awaitDone(new CompletableFuture<>(), 1_000));
        Thread waiter = new Thread(wait, "waiter");
        waiter.start();
        ticker.awaitWaiter();
        waiter.interrupt();
        assertThatThrownBy(wait::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InterruptedException.class);
        assertThat(ticker.waiters()).isZero();
    }
}
