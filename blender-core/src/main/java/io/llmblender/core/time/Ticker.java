package io.llmblender.core.time;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The time source of a {@link io.llmblender.core.Blender}'s per-client timeouts and deadline, and of the timers of
 * clients that take one (blender-openai's retry backoff and stream watchdog): a monotonic reading in nanoseconds, a
 * wait for the first of "this future is done" and "this ticker reached that reading", and an executor that runs a
 * task once this ticker has moved a given delay on.
 *
 * <p>Readings are like {@link System#nanoTime()}'s: counted from an arbitrary origin, meaningful only as
 * differences, compared as {@code a - b < 0} rather than {@code a < b} so that they may wrap around.
 *
 * <p>The default is {@link #system()}. A test passes a ticker whose time it moves itself (blender-testkit's
 * {@code FakeTicker}): a wait then ends when its future completes or when the test advances the ticker to the wait's
 * deadline, never because of how long the machine took; a delayed task runs when the test advances the ticker past
 * its delay.
 *
 * <p><b>Thread-safety.</b> Implementations must be safe to use from many threads at once: one Blender waits on its
 * ticker from every concurrent blend, and a client schedules its timers from HTTP threads.
 */
public interface Ticker {

    /**
     * The real-time ticker: {@link #read()} is {@link System#nanoTime()}, {@link #awaitDone} is the future's own timed
     * {@link CompletableFuture#get(long, TimeUnit) get}, and {@link #delayedExecutor} is
     * {@link CompletableFuture#delayedExecutor(long, TimeUnit)}. Stateless; one shared instance.
     *
     * @return the system ticker
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    /**
     * The current reading.
     *
     * @return nanoseconds from this ticker's origin; never decreases (up to wrap-around)
     */
    long read();

    /**
     * Waits until {@code future} is done (answered, failed or cancelled) or this ticker reaches {@code deadline},
     * whichever comes first. Returns at once when the future is already done, or when the deadline has been
     * reached ({@code read() - deadline >= 0}). Does not complete, cancel or otherwise change the future.
     *
     * @param future what to wait for, not null
     * @param deadline a {@link #read()} reading
     * @return true if the future is done when the wait ends, false if the deadline came first
     * @throws InterruptedException if the calling thread is interrupted while it waits (a wait that does not block,
     *     because the future is already done, need not check the interrupt flag)
     */
    boolean awaitDone(CompletableFuture<?> future, long deadline) throws InterruptedException;

    /**
     * An executor that runs each task given to its {@link Executor#execute execute} once this ticker has moved at
     * least {@code delay} past its reading at that call, as {@link CompletableFuture#delayedExecutor(long, TimeUnit)}
     * does on real time: each delay starts when {@code execute} is called, and a delay of zero or less makes the task
     * due at once. A task runs once and cannot be withdrawn; to cancel one, give the executor to
     * {@link CompletableFuture#runAsync(Runnable, Executor)} and cancel that future, whose task then does nothing when
     * it comes due.
     *
     * <p>Which thread runs a task is the implementation's: {@link #system()} hands it to
     * {@code CompletableFuture}'s default asynchronous pool (as {@code CompletableFuture.delayedExecutor} does: the
     * common fork-join pool, or a thread per task where that pool has no parallelism), a fake ticker runs it on the thread that advances the time. A task must therefore not block for long.
     * {@code execute} itself never blocks and never runs the task on the calling thread.
     *
     * <p>There is no default implementation: a ticker with its own time must also say how a task waits on it, or
     * timers would run on real time while the rest reads the fake.
     *
     * @param delay how long after each {@code execute} its task comes due, in {@code unit}s
     * @param unit the unit of {@code delay}, not null
     * @return an executor, safe to use from many threads at once
     */
    Executor delayedExecutor(long delay, TimeUnit unit);
}
