package io.llmblender.testkit;

import io.llmblender.core.check.Require;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Any {@link LlmClient}, with the futures of its calls kept for the test: a test on a {@link FakeTicker} waits with
 * {@link #awaitDone(int)} until the fast clients have answered before it advances the time, so that advancing can
 * only time out the slow ones.
 *
 * <p>Calls go to the wrapped client unchanged: {@link #generateAsync} returns the wrapped client's own future (so
 * cancelling it cancels that call) and only records it; {@link #name()} and {@link #generate} are the wrapped
 * client's. Thread-safe as far as the wrapped client is.
 */
public final class WatchedClient implements LlmClient {

    private final LlmClient client;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final List<CompletableFuture<Generation>> calls = new ArrayList<>();

    private WatchedClient(LlmClient client) {
        this.client = client;
    }

    /** Watches {@code client}'s asynchronous calls. */
    public static WatchedClient of(LlmClient client) {
        return new WatchedClient(Require.nonNull(client, "client"));
    }

    @Override
    public String name() {
        return client.name();
    }

    @Override
    public Generation generate(Prompt prompt) {
        return client.generate(prompt);
    }

    /** The wrapped client's {@code generateAsync}, its future recorded (a {@code null} future is not). */
    @Override
    public CompletableFuture<Generation> generateAsync(Prompt prompt, Executor executor) {
        CompletableFuture<Generation> future = client.generateAsync(prompt, executor);
        if (future != null) {
            synchronized (lock) {
                calls.add(future);
                lock.notifyAll();
            }
            // Wakes awaitDone once the call is done; the callback's own future is not needed.
            CompletableFuture<Generation> unused = future.whenComplete((g, e) -> {
                synchronized (lock) {
                    lock.notifyAll();
                }
            });
        }
        return future;
    }

    /** The futures {@link #generateAsync} handed out, in call order. */
    public List<CompletableFuture<Generation>> calls() {
        synchronized (lock) {
            return List.copyOf(calls);
        }
    }

    /**
     * Blocks until at least {@code count} asynchronous calls were made and the first {@code count} are done
     * (answered, failed or cancelled). When it returns, those futures report {@code isDone()}. No time limit.
     *
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public void awaitDone(int count) throws InterruptedException {
        Require.positive(count, "count");
        synchronized (lock) {
            while (calls.size() < count || !calls.subList(0, count).stream().allMatch(CompletableFuture::isDone)) {
                lock.wait();
            }
        }
    }

    @Override
    public String toString() {
        return "WatchedClient[" + client.name() + "]";
    }
}
