package io.llmblender.testkit;

import io.llmblender.core.check.Require;
import io.llmblender.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Ticker} whose time moves only when the test calls {@link #advance(Duration)}, for tests of timeouts and
 * deadlines that cannot flake on a busy machine: a "slow" client is one whose future the test leaves incomplete, and
 * its timeout fires exactly when the test advances this ticker to it, however long the machine really took.
 *
 * <pre>{@code
 * FakeTicker ticker = new FakeTicker();
 * WatchedClient fast = WatchedClient.of(ScriptedClient.answering("fast", "Red."));
 * Blender blender = Blender.builder().client(fast).client(ScriptedClient.hanging("slow"))
 *         .perClientTimeout(Duration.ofSeconds(60)).ticker(ticker).build();
 * FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(prompt));
 * new Thread(blend).start();
 * fast.awaitDone(1);                        // "fast" has answered: advancing cannot time it out
 * Duration left = ticker.awaitWaiter();     // the blend now waits for "slow": 60 s left
 * ticker.advance(left);                     // "slow" times out; no real time passes
 * BlendResult result = blend.get();
 * }</pre>
 *
 * <p>Time starts at the reading given to the constructor (0 by default) and never moves by itself. A wait in
 * {@link #awaitDone} blocks the waiting thread until its future completes (on whatever thread completes it) or until
 * {@link #advance} brings the reading to the wait's deadline; a wait whose deadline has already been reached, or whose
 * future is already done, returns at once. Advancing is permanent: a wait that starts later with a deadline in the
 * past returns at once too.
 *
 * <p><b>Thread-safety.</b> Safe to use from many threads at once; waits and advances are ordered by one lock, so a
 * wait either sees an advance or is woken by it.
 */
public final class FakeTicker implements Ticker {

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private long now;
    /** The waits in progress; guarded by {@link #lock}. */
    private final List<Waiting> waiting = new ArrayList<>();

    /** A wait in {@link #awaitDone}: its future and its deadline. */
    private record Waiting(CompletableFuture<?> future, long deadline) {}

    /** A ticker reading 0 until advanced. */
    public FakeTicker() {
        this(0L);
    }

    /** A ticker reading {@code start} until advanced; a start near {@link Long#MAX_VALUE} tests wrap-around. */
    public FakeTicker(long start) {
        this.now = start;
    }

    @Override
    public long read() {
        synchronized (lock) {
            return now;
        }
    }

    /**
     * Moves the time forward by {@code by} and wakes every wait, so that each wait whose deadline has now been reached
     * returns {@code false} (unless its future is done by then). Returns without waiting for the woken threads.
     *
     * @throws IllegalArgumentException if {@code by} is negative: this ticker is monotonic
     */
    public void advance(Duration by) {
        Require.nonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("a ticker only moves forward, found advance(" + by + ")");
        }
        synchronized (lock) {
            now += by.toNanos();
            lock.notifyAll();
        }
    }

    /**
     * Blocks until some thread waits on this ticker for a future that is not done, with a deadline not yet reached,
     * and returns how long until the earliest such deadline. A test calls it to know that the code under test has
     * read the time and is waiting, before it advances the time past the deadline; the answer says exactly which
     * timeout is pending. Returns at once when such a wait is already in progress. No time limit: it waits for as
     * long as the code under test takes to reach its wait.
     *
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public Duration awaitWaiter() throws InterruptedException {
        synchronized (lock) {
            while (true) {
                Long earliest = null;
                for (Waiting w : waiting) {
                    long left = w.deadline() - now;
                    if (!w.future().isDone() && left > 0 && (earliest == null || left < earliest)) {
                        earliest = left;
                    }
                }
                if (earliest != null) {
                    return Duration.ofNanos(earliest);
                }
                lock.wait();
            }
        }
    }

    /**
     * How many threads are waiting on this ticker now, for futures not done and deadlines not reached.
     *
     * @return zero or more
     */
    public int waiters() {
        synchronized (lock) {
            int count = 0;
            for (Waiting w : waiting) {
                if (!w.future().isDone() && w.deadline() - now > 0) {
                    count++;
                }
            }
            return count;
        }
    }

    @Override
    public boolean awaitDone(CompletableFuture<?> future, long deadline) throws InterruptedException {
        Require.nonNull(future, "future");
        if (future.isDone()) {
            return true;
        }
        // Wakes this wait (and awaitWaiter) when the future completes; the callback's own future is not needed.
        CompletableFuture<?> unused = future.whenComplete((r, e) -> {
            synchronized (lock) {
                lock.notifyAll();
            }
        });
        synchronized (lock) {
            Waiting w = new Waiting(future, deadline);
            waiting.add(w);
            lock.notifyAll();
            try {
                while (!future.isDone() && deadline - now > 0) {
                    lock.wait();
                }
                return future.isDone();
            } finally {
                waiting.remove(w);
                lock.notifyAll();
            }
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "FakeTicker[now=" + now + "ns, waiters=" + waiters() + "]";
        }
    }
}
