package io.llmblender.core.llm;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One LLM that can answer a {@link Prompt}: the unit a blend fans out to.
 *
 * <p><b>Implementing.</b> Implement {@link #name()} and {@link #generate(Prompt)}. Clients with a
 * natively asynchronous transport (an HTTP client, say) should also override
 * {@link #generateAsync(Prompt, Executor)}. Failures are reported as
 * {@link io.llmblender.core.error.LlmCallException} carrying {@link #name()}; any other exception
 * is also recorded by a blend, as a failure of this client.
 *
 * <p><b>Thread-safety.</b> Implementations must be safe to call from many threads at once: one
 * client instance is shared by every concurrent blend.
 *
 * <p><b>Ownership.</b> A {@link io.llmblender.core.Blender} never closes a client it was given;
 * whoever created a client that holds resources releases them.
 */
public interface LlmClient {

    /**
     * Wraps a function as a client: a local model, an SDK the library does not know, or a
     * stand-in for tests and examples. The client's {@link #generate(Prompt)} calls the function
     * on the calling thread.
     *
     * <pre>{@code
     * LlmClient echo = LlmClient.of("echo", prompt -> Generation.of(prompt.instruction()));
     * }</pre>
     *
     * @param name the client's name, not blank
     * @param generate the function; must be thread-safe and must not return {@code null}
     * @return the client
     * @throws IllegalArgumentException if the name is blank
     */
    static LlmClient of(String name, Function<Prompt, Generation> generate) {
        return new FunctionClient(name, generate);
    }

    /**
     * A short name for this client, unique within a blend: it labels candidates, failures and
     * routing decisions.
     *
     * @return the name, never blank
     */
    String name();

    /**
     * Asks the LLM, blocking until it answers. Should respond to thread interruption by giving up
     * (a blend interrupts calls it no longer waits for).
     *
     * @param prompt what to ask, not null
     * @return the answer, never {@code null}
     * @throws io.llmblender.core.error.LlmCallException if the call fails
     */
    Generation generate(Prompt prompt);

    /**
     * Asks the LLM without blocking the caller. Cancelling the returned future gives up the call.
     *
     * <p>The default runs {@link #generate(Prompt)} as a task on {@code executor}; cancelling the
     * future interrupts that task's thread. When the executor rejects the task, the future
     * completes exceptionally with the {@link RejectedExecutionException}.
     *
     * @param prompt what to ask, not null
     * @param executor where blocking work may run; an implementation with its own asynchronous
     *     transport may ignore it
     * @return a future of the answer; completes exceptionally when the call fails
     */
    default CompletableFuture<Generation> generateAsync(Prompt prompt, Executor executor) {
        CompletableFuture<Generation> result = new CompletableFuture<>();
        FutureTask<Void> task = new FutureTask<>(() -> {
            try {
                result.complete(generate(prompt));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
            return null;
        });
        // Cancelling the returned future interrupts the call; this callback has no result of its own.
        CompletableFuture<Generation> unused = result.whenComplete((answer, error) -> {
            if (result.isCancelled()) {
                task.cancel(true);
            }
        });
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}
