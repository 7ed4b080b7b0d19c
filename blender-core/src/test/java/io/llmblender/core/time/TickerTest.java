package io.llmblender.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Ticker#system()}: real time, the default of every Blender. No assertion here bounds how long a wait took. */
class TickerTest {

    private static final Ticker SYSTEM = Ticker.system();

    @Test
    void system_readsNanoTime_andNeverGoesBack() {
        long before = System.nanoTime();
        long read = SYSTEM.read();
        long after = System.nanoTime();
        assertThat(read - before).isNotNegative();
        assertThat(after - read).isNotNegative();
        assertThat(SYSTEM).isSameAs(Ticker.system()).hasToString("Ticker.system()");
    }

    @Test
    void system_doneFuture_returnsTrueEvenPastItsDeadline() throws Exception {
        long past = SYSTEM.read() - Duration.ofHours(1).toNanos();
        assertThat(SYSTEM.awaitDone(CompletableFuture.completedFuture("x"), past))
                .isTrue();
        assertThat(SYSTEM.awaitDone(CompletableFuture.failedFuture(new IllegalStateException("boom")), past))
                .isTrue();
        CompletableFuture<String> cancelled = new CompletableFuture<>();
        cancelled.cancel(true);
        assertThat(SYSTEM.awaitDone(cancelled, past)).isTrue();
    }

    @Test
    void system_deadlineReached_returnsFalseAndLeavesTheFutureAlone() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        assertThat(SYSTEM.awaitDone(never, SYSTEM.read())).isFalse();
        assertThat(SYSTEM.awaitDone(never, SYSTEM.read() + Duration.ofMillis(1).toNanos()))
                .isFalse();
        assertThat(never).isNotDone();
    }

    @Test
    void system_futureCompletedByAnotherThread_endsTheWait() throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        CountDownLatch waiting = new CountDownLatch(1);
        FutureTask<Boolean> wait = new FutureTask<>(() -> {
            waiting.countDown();
            return SYSTEM.awaitDone(answer, SYSTEM.read() + Duration.ofHours(1).toNanos());
        });
        new Thread(wait, "waiter").start();
        waiting.await();
        answer.completeExceptionally(new IllegalStateException("failed, but done"));
        assertThat(wait.get()).isTrue();
    }

    @Test
    void system_interruptedWhileWaiting_throws() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> SYSTEM.awaitDone(
                            new CompletableFuture<>(),
                            SYSTEM.read() + Duration.ofHours(1).toNanos()))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void system_delayedExecutor_runsTheTaskLaterOnAnotherThread() throws Exception {
        Executor later = SYSTEM.delayedExecutor(1, TimeUnit.MILLISECONDS);
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        long before = SYSTEM.read();
        later.execute(() -> ran.complete(Thread.currentThread()));
        assertThat(ran.get()).isNotSameAs(Thread.currentThread());
        assertThat(SYSTEM.read() - before)
                .as("not before its delay")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1).toNanos());
        assertThatThrownBy(() -> SYSTEM.delayedExecutor(1, null)).isInstanceOf(NullPointerException.class);
    }
}
