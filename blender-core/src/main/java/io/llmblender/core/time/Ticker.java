package io.llmblender.core.time;

import java.util.concurrent.CompletableFuture;

/**
 * The time source of a {@link io.llmblender.core.Blender}'s per-client timeouts and deadline: a monotonic reading in
 * nanoseconds, and a wait for the first of "this future is done" and "this ticker reached that reading".
 *
 * <p>Readings are like {@link System#nanoTime()}'s: counted from an arbitrary origin, meaningful only as
 * differences, compared as {@code a - b < 0} rather than {@code a < b} so that they may wrap around.
 *
 * <p>The default is {@link #system()}. A test passes a ticker whose time it moves itself (blender-testkit's
 * {@code FakeTicker}): a wait then ends when its future completes or when the test advances the ticker to the wait's
 * deadline, never because of how long the machine took.
 *
 * <p><b>Thread-safety.</b> Implementations must be safe to use from many threads at once: one Blender waits on its
 * ticker from every concurrent blend.
 */
public interface Ticker {

    /**
     * The real-time ticker: {@link #read()} is {@link System#nanoTime()}, and {@link #awaitDone} is the future's own
     * timed {@link CompletableFuture#get(long, java.util.concurrent.TimeUnit) get}. Stateless; one shared instance.
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
}
