package io.llmblender.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CloseGuardTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger released = new AtomicInteger();
    private final CloseGuard guard = new CloseGuard("Thing t");

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Starts a call on another thread that holds the guard until {@code finish} is counted down. */
    private Future<String> callInFlight(CountDownLatch inside, CountDownLatch finish) {
        return threads.submit(() -> guard.call(() -> {
            inside.countDown();
            awaitUninterruptibly(finish);
            return "finished";
        }));
    }

    @Test
    void call_whileOpen_runsTheBodyAndReturnsItsResult() {
        assertThat(guard.call(() -> "result")).isEqualTo("result");
        assertThat(guard.isClosed()).isFalse();
    }

    @Test
    void close_withACallInFlight_letsItFinishThenReleasesOnce_andRefusesLaterCalls() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Future<String> inFlight = callInFlight(inside, finish);
        inside.await();

        Future<?> closing = threads.submit(() -> guard.close(released::incrementAndGet));
        while (!guard.isClosed()) {
            Thread.onSpinWait();
        }

        assertThatThrownBy(() -> guard.call(() -> "late"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Thing t is closed");
        assertThatThrownBy(guard::enter)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Thing t is closed");
        assertThat(released).as("not released while a call is in flight").hasValue(0);
        assertThat(closing).isNotDone();

        finish.countDown();
        assertThat(inFlight.get()).isEqualTo("finished");
        closing.get();
        assertThat(released).hasValue(1);
    }

    @Test
    void close_twice_releasesOnce() {
        guard.close(released::incrementAndGet);
        guard.close(released::incrementAndGet);

        assertThat(released).hasValue(1);
        assertThat(guard.isClosed()).isTrue();
        assertThatThrownBy(() -> guard.call(() -> "late"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Thing t is closed");
    }

    @Test
    void close_concurrently_releasesOnce_andEveryCloseReturnsAfterTheRelease() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Future<String> inFlight = callInFlight(inside, finish);
        inside.await();

        CountDownLatch start = new CountDownLatch(1);
        Future<?>[] closes = new Future<?>[4];
        for (int i = 0; i < closes.length; i++) {
            closes[i] = threads.submit(() -> {
                awaitUninterruptibly(start);
                guard.close(released::incrementAndGet);
                return released.get();
            });
        }
        start.countDown();
        finish.countDown();

        assertThat(inFlight.get()).isEqualTo("finished");
        for (Future<?> close : closes) {
            assertThat(close.get())
                    .as("what a close saw released when it returned")
                    .isEqualTo(1);
        }
        assertThat(released).hasValue(1);
    }

    @Test
    void nestedCall_insideACallInFlight_goesAheadWhileCloseWaits() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch closeBegun = new CountDownLatch(1);
        Future<String> outer = threads.submit(() -> guard.call(() -> {
            inside.countDown();
            awaitUninterruptibly(closeBegun);
            return guard.call(() -> "nested ran");
        }));
        inside.await();
        CompletableFuture<Void> closing =
                CompletableFuture.runAsync(() -> guard.close(released::incrementAndGet), threads);
        while (!guard.isClosed()) {
            Thread.onSpinWait();
        }
        closeBegun.countDown();

        assertThat(outer.get()).isEqualTo("nested ran");
        closing.get();
        assertThat(released).hasValue(1);
    }

    @Test
    void close_fromInsideOwnCall_isRefusedInsteadOfWaitingForItself() {
        assertThatThrownBy(() -> guard.call(() -> {
                    guard.close(released::incrementAndGet);
                    return null;
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot close Thing t from inside one of its own calls");

        assertThat(guard.isClosed()).isFalse();
        assertThat(released).hasValue(0);
        guard.close(released::incrementAndGet);
        assertThat(released).hasValue(1);
    }

    @Test
    void close_whoseReleaseThrows_staysClosed_andNeverReleasesAgain() {
        assertThatThrownBy(() -> guard.close(() -> {
                    released.incrementAndGet();
                    throw new IllegalArgumentException("native failure");
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("native failure");

        guard.close(released::incrementAndGet);
        assertThat(released).hasValue(1);
        assertThatThrownBy(guard::enter).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void exceptionInACall_exitsTheCall_soCloseDoesNotWait() {
        assertThatThrownBy(() -> guard.call(() -> {
                    throw new IllegalArgumentException("bad input");
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad input");

        guard.close(released::incrementAndGet); // would wait forever if the failed call still held the guard
        assertThat(released).hasValue(1);
    }

    @Test
    void blankName_isRefused() {
        assertThatThrownBy(() -> new CloseGuard(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("what");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
