package io.llmblender.core.time;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Ticker#system()}: {@link System#nanoTime()}, the future's timed get, and
 * {@link CompletableFuture#delayedExecutor(long, TimeUnit)}. Stateless.
 */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }

    @Override
    public boolean awaitDone(CompletableFuture<?> future, long deadline) throws InterruptedException {
        if (future.isDone()) {
            return true;
        }
        try {
            future.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return future.isDone();
        } catch (ExecutionException | CancellationException e) {
            return true; // done, exceptionally: the caller reads the outcome from the future
        }
    }

    @Override
    public Executor delayedExecutor(long delay, TimeUnit unit) {
        return CompletableFuture.delayedExecutor(delay, unit);
    }

    @Override
    public String toString() {
        return "Ticker.system()";
    }
}
