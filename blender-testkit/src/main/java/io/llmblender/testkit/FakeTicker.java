package io.llmblender.testkit;

import io.llmblender.core.check.Require;
import io.llmblender.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

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
 * <p><b>Delayed tasks.</b> A task given to a {@link #delayedExecutor} is due {@code delay} after the reading at its
 * {@code execute}, and runs only inside {@link #advance}, on the advancing thread, never by itself: advance moves the
 * time step by step to each task due by its target, in order of due time (tasks due together in the order they were
 * scheduled), reads that task's due time while it runs it, and runs tasks scheduled meanwhile too when they come due
 * before the target. A task due at once (a delay of zero or less) runs at the next advance, even
 * {@code advance(Duration.ZERO)}. {@link #awaitScheduled()} lets a test wait until the code under test has scheduled
 * a task, as {@link #awaitWaiter()} lets it wait for a wait.
 *
 * <p><b>Thread-safety.</b> Safe to use from many threads at once; waits, schedules and each step of an advance are
 * ordered by one lock, so a wait either sees an advance or is woken by it. Advances are serialized: a second thread's
 * advance starts when the first one's has run its tasks (a task may itself advance; that advance runs nested).
 */
public final class FakeTicker implements Ticker {

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private long now;
    /** The waits in progress; guarded by {@link #lock}. */
    private final List<Waiting> waiting = new ArrayList<>();
    /** The delayed tasks not yet run; guarded by {@link #lock}. */
    private final List<Scheduled> scheduled = new ArrayList<>();
    /** Held through a whole {@link #advance}, so that advances and the tasks they run do not interleave. */
    private final Object advancing = new Object();

    /** A wait in {@link #awaitDone}: its future and its deadline. */
    private record Waiting(CompletableFuture<?> future, long deadline) {}

    /** A delayed task and the reading at which it is due; {@link #scheduled} keeps them in scheduling order. */
    private record Scheduled(Runnable task, long due) {}

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
     * Moves the time forward by {@code by}, running on this thread every delayed task that comes due by then (see the
     * class Javadoc for the order), and wakes every wait, so that each wait whose deadline has now been reached returns
     * {@code false} (unless its future is done by then). Returns when the time reads its target and the due tasks have
     * run, without waiting for the woken threads.
     *
     * <p>A task that throws does not stop the advance: the rest still run, the time still reaches its target, and the
     * first exception is then rethrown with any later ones {@linkplain Throwable#addSuppressed suppressed}.
     *
     * @throws IllegalArgumentException if {@code by} is negative: this ticker is monotonic
     */
    public void advance(Duration by) {
        Require.nonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("a ticker only moves forward, found advance(" + by + ")");
        }
        synchronized (advancing) {
            long target;
            synchronized (lock) {
                target = now + by.toNanos();
            }
            Throwable failure = null;
            while (true) {
                Scheduled next;
                synchronized (lock) {
                    next = earliest();
                    if (next == null || next.due() - target > 0) {
                        if (target - now > 0) {
                            now = target; // a nested advance may already have gone further
                        }
                        lock.notifyAll();
                        break;
                    }
                    scheduled.remove(next);
                    if (next.due() - now > 0) {
                        now = next.due();
                    }
                    lock.notifyAll();
                }
                try {
                    next.task().run();
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
    }

    /** The task due first (the first scheduled among those due together), or null; the caller holds the lock. */
    private Scheduled earliest() {
        Scheduled first = null;
        for (Scheduled t : scheduled) {
            if (first == null || t.due() - first.due() < 0) {
                first = t; // the list is in scheduling order: a tie keeps the earlier
            }
        }
        return first;
    }

    /**
     * An executor whose tasks come due {@code delay} after the reading at each {@code execute} and run on the thread
     * that {@linkplain #advance advances} this ticker past that point; {@code execute} only records the task. A task
     * cannot be withdrawn (see {@link Ticker#delayedExecutor}); one given through a cancelled
     * {@link CompletableFuture#runAsync(Runnable, Executor) runAsync} still counts in {@link #scheduled()} until it
     * comes due, and then does nothing.
     *
     * @throws NullPointerException if {@code unit} is null
     */
    @Override
    public Executor delayedExecutor(long delay, TimeUnit unit) {
        Require.nonNull(unit, "unit");
        long delayNanos = Math.max(0L, unit.toNanos(delay));
        return task -> {
            Require.nonNull(task, "task");
            synchronized (lock) {
                scheduled.add(new Scheduled(task, now + delayNanos));
                lock.notifyAll();
            }
        };
    }

    /**
     * Blocks until at least one delayed task is scheduled and not yet run, and returns how long until the earliest
     * comes due ({@link Duration#ZERO} when it is due already and waits only for an advance). A test calls it to know
     * that the code under test has armed its timer (a retry's backoff, a watchdog) before it advances the time past
     * it; the answer says exactly how far. Returns at once when such a task is already scheduled. No time limit.
     *
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public Duration awaitScheduled() throws InterruptedException {
        synchronized (lock) {
            while (scheduled.isEmpty()) {
                lock.wait();
            }
            return Duration.ofNanos(Math.max(0L, earliest().due() - now));
        }
    }

    /**
     * How many delayed tasks are scheduled and not yet run.
     *
     * @return zero or more
     */
    public int scheduled() {
        synchronized (lock) {
            return scheduled.size();
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
