package io.llmblender.djl;

import io.llmblender.core.check.Require;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The one close discipline of the DJL models (PairRanker, GenFuser, the router's sentence models
 * and head): calls already running when {@link #close(Runnable)} begins finish normally; calls
 * that start after it throw {@link IllegalStateException} ("<i>what</i> is closed"); the native
 * memory is freed exactly once, after the last call in flight has left; closing again does nothing.
 *
 * <p>Use: {@link #enter()} before a call touches native memory and {@link #exit()} in a
 * {@code finally} after it (or {@link #call(Supplier)}, which does both), and
 * {@link #close(Runnable)} with what frees the memory.
 *
 * <p>Thread-safe. Calls hold a shared lock, so any number run at once; close marks the guard
 * closed, so that every call starting from then on throws at once, and then takes the exclusive
 * lock, so it waits for the calls in flight. A thread may enter again inside its own call, and
 * such a nested call goes ahead even once close has begun, since it is part of a call in flight.
 * A thread that closes from inside its own call would wait for itself: that is refused with an
 * {@link IllegalStateException} instead.
 */
public final class CloseGuard {

    private final String what;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Set when close begins, before it waits: from then on every call is refused. */
    private volatile boolean closed;
    /** Set under the exclusive lock by the close that frees the memory. */
    private boolean released;

    /**
     * A guard for one owner of native memory, open.
     *
     * @param what how the owner is named in the exception for a call after close, e.g.
     *     {@code "PairRanker my-ranker"}: the message is {@code what + " is closed"}
     * @throws IllegalArgumentException if {@code what} is blank
     */
    public CloseGuard(String what) {
        this.what = Require.nonBlank(what, "what");
    }

    /**
     * Starts a call: from now until the matching {@link #exit()} the memory stays open.
     *
     * @throws IllegalStateException if close has begun and this thread is not already inside a
     *     call (then there is no {@link #exit()} to call)
     */
    public void enter() {
        if (closed && lock.getReadHoldCount() == 0) {
            // refused at once: taking the shared lock would wait behind the close waiting for the exclusive one
            throw new IllegalStateException(what + " is closed");
        }
        lock.readLock().lock();
        if (closed && lock.getReadHoldCount() == 1) {
            lock.readLock().unlock();
            throw new IllegalStateException(what + " is closed");
        }
    }

    /**
     * Ends a call started by {@link #enter()} on this thread.
     *
     * @throws IllegalMonitorStateException if this thread has no call in progress
     */
    public void exit() {
        lock.readLock().unlock();
    }

    /**
     * Runs one call between {@link #enter()} and {@link #exit()}.
     *
     * @param <T> the call's result type
     * @param body the call
     * @return what the call returns
     * @throws IllegalStateException if the guard is closed; the call then does not run
     */
    public <T> T call(Supplier<T> body) {
        enter();
        try {
            return body.get();
        } finally {
            exit();
        }
    }

    /**
     * Whether {@link #close(Runnable)} has begun. A call may still be in flight while it waits.
     *
     * @return true once closing has begun
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes: refuses every later call, waits for the calls in flight to finish, then runs
     * {@code release}, once for the guard's life. Idempotent: a close after another returns
     * once the memory is freed, without running its own {@code release}; of concurrent closes
     * one runs its {@code release}. If {@code release} throws, the guard stays closed, the
     * exception propagates, and no later close runs {@code release} again.
     *
     * @param release what frees the native memory
     * @throws IllegalStateException if this thread is inside a call of this guard
     */
    public void close(Runnable release) {
        Require.nonNull(release, "release");
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("cannot close " + what + " from inside one of its own calls");
        }
        closed = true;
        lock.writeLock().lock();
        try {
            if (!released) {
                released = true;
                release.run();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "CloseGuard[" + what + (closed ? ", closed]" : ", open]");
    }
}
