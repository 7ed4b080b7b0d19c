package io.llmblender.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
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

    @Test
    void delayedExecutor_runsTasksWhenAdvancedPastTheirDue_inOrder_onTheAdvancingThread() {
        FakeTicker ticker = new FakeTicker(100);
        List<String> ran = new CopyOnWriteArrayList<>();
        ticker.delayedExecutor(30, TimeUnit.NANOSECONDS).execute(() -> ran.add("c@" + ticker.read()));
        Executor in10 = ticker.delayedExecutor(10, TimeUnit.NANOSECONDS);
        in10.execute(() -> ran.add("a@" + ticker.read()));
        in10.execute(() ->
                ran.add("b@" + ticker.read() + " on " + Thread.currentThread().getName()));
        assertThat(ran).as("execute only records the task").isEmpty();
        assertThat(ticker.scheduled()).isEqualTo(3);

        ticker.advance(Duration.ofNanos(9));
        assertThat(ran).isEmpty();
        ticker.advance(Duration.ofNanos(15));
        assertThat(ran)
                .as("due together: in scheduling order, each reading its due time")
                .containsExactly("a@110", "b@110 on " + Thread.currentThread().getName());
        assertThat(ticker.read()).isEqualTo(124);
        ticker.advance(Duration.ofNanos(6));
        assertThat(ran)
                .containsExactly("a@110", "b@110 on " + Thread.currentThread().getName(), "c@130");
        assertThat(ticker.scheduled()).isZero();
    }

    @Test
    void advance_aTaskThatReschedulesItself_firesAtEachPeriodWithinOneAdvance() {
        FakeTicker ticker = new FakeTicker();
        List<Long> ticks = new CopyOnWriteArrayList<>();
        Executor every25 = ticker.delayedExecutor(25, TimeUnit.MILLISECONDS);
        Runnable tick = new Runnable() {
            @Override
            public void run() {
                ticks.add(TimeUnit.NANOSECONDS.toMillis(ticker.read()));
                every25.execute(this); // a watchdog re-arming itself
            }
        };
        every25.execute(tick);
        ticker.advance(Duration.ofMillis(110));
        assertThat(ticks).containsExactly(25L, 50L, 75L, 100L);
        assertThat(ticker.read()).isEqualTo(Duration.ofMillis(110).toNanos());
        assertThat(ticker.scheduled()).as("the next tick, at 125 ms").isEqualTo(1);
    }

    @Test
    void delayedExecutor_zeroOrNegativeDelay_runsAtTheNextAdvanceEvenOfZero() throws Exception {
        FakeTicker ticker = new FakeTicker();
        List<String> ran = new CopyOnWriteArrayList<>();
        ticker.delayedExecutor(0, TimeUnit.SECONDS).execute(() -> ran.add("zero"));
        ticker.delayedExecutor(-5, TimeUnit.SECONDS).execute(() -> ran.add("negative"));
        assertThat(ticker.awaitScheduled()).isEqualTo(Duration.ZERO);
        assertThat(ran).isEmpty();
        ticker.advance(Duration.ZERO);
        assertThat(ran).containsExactly("zero", "negative");
        assertThat(ticker.read()).isZero();
        assertThatThrownBy(() -> ticker.delayedExecutor(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("unit must not be null");
    }

    @Test
    void awaitScheduled_blocksUntilATaskIsScheduled_andReportsTheEarliestDue() throws Exception {
        FakeTicker ticker = new FakeTicker();
        ticker.advance(Duration.ofNanos(5));
        FutureTask<Duration> awaited = new FutureTask<>(ticker::awaitScheduled);
        new Thread(awaited, "test").start();
        Thread scheduler = new Thread(
                () -> {
                    ticker.delayedExecutor(700, TimeUnit.NANOSECONDS).execute(() -> {});
                    ticker.delayedExecutor(300, TimeUnit.NANOSECONDS).execute(() -> {});
                },
                "code under test");
        scheduler.start();
        scheduler.join();
        assertThat(awaited.get()).isIn(Duration.ofNanos(700), Duration.ofNanos(300));
        assertThat(ticker.awaitScheduled()).isEqualTo(Duration.ofNanos(300));
        ticker.advance(Duration.ofNanos(300));
        assertThat(ticker.awaitScheduled()).isEqualTo(Duration.ofNanos(400));
        assertThat(ticker.scheduled()).isEqualTo(1);
    }

    @Test
    void advance_aTaskThrows_theOthersStillRunAndTimeReachesTheTarget() {
        FakeTicker ticker = new FakeTicker();
        List<String> ran = new CopyOnWriteArrayList<>();
        Executor in1 = ticker.delayedExecutor(1, TimeUnit.NANOSECONDS);
        in1.execute(() -> {
            throw new IllegalStateException("first");
        });
        in1.execute(() -> ran.add("between"));
        in1.execute(() -> {
            throw new IllegalArgumentException("second");
        });
        assertThatThrownBy(() -> ticker.advance(Duration.ofNanos(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("first")
                .satisfies(e -> assertThat(e.getSuppressed())
                        .singleElement()
                        .hasToString("java.lang.IllegalArgumentException: second"));
        assertThat(ran).containsExactly("between");
        assertThat(ticker.read()).isEqualTo(10);
        assertThat(ticker.scheduled()).isZero();
    }

    @Test
    void delayedExecutor_taskOfACancelledRunAsync_comesDueButDoesNothing() {
        FakeTicker ticker = new FakeTicker();
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> retry =
                CompletableFuture.runAsync(() -> ran.add("retry"), ticker.delayedExecutor(1, TimeUnit.SECONDS));
        retry.cancel(true);
        assertThat(ticker.scheduled()).as("cannot be withdrawn").isEqualTo(1);
        ticker.advance(Duration.ofSeconds(1));
        assertThat(ran).isEmpty();
        assertThat(ticker.scheduled()).isZero();
        assertThat(retry).isCancelled();
    }
}
