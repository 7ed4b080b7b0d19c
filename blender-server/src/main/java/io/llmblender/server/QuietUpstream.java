package io.llmblender.server;

import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * An upstream as the server's Blenders see it: the same calls, but a failure carries only the
 * client's name, the HTTP status and the kind of error, never the upstream's answer body, which
 * may echo the prompt (or worse) and which a Blender writes to its log. Cancelling a call cancels
 * the upstream's. Thread-safe as the client it wraps.
 */
final class QuietUpstream implements LlmClient {

    private final LlmClient delegate;

    QuietUpstream(LlmClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Generation generate(Prompt prompt) {
        try {
            return delegate.generate(prompt);
        } catch (RuntimeException e) {
            throw quiet(e);
        }
    }

    @Override
    public CompletableFuture<Generation> generateAsync(Prompt prompt, Executor executor) {
        CompletableFuture<Generation> inner = delegate.generateAsync(prompt, executor);
        CompletableFuture<Generation> outer = new CompletableFuture<>();
        // Both callbacks only forward: the outer future carries the result and the inner one the cancellation.
        CompletableFuture<Generation> unusedForward = inner.whenComplete((g, e) -> {
            if (e == null) {
                outer.complete(g);
            } else {
                outer.completeExceptionally(quiet(e));
            }
        });
        CompletableFuture<Generation> unusedCancel = outer.whenComplete((g, e) -> {
            if (outer.isCancelled()) {
                inner.cancel(true);
            }
        });
        return outer;
    }

    private RuntimeException quiet(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof TimeoutException) {
            return new LlmCallException(name(), "timed out");
        }
        String kind = cause.getClass().getSimpleName();
        if (cause instanceof LlmCallException l && l.httpStatus().isPresent()) {
            return new LlmCallException(
                    name(),
                    l.httpStatus().getAsInt(),
                    "HTTP " + l.httpStatus().getAsInt() + " (the body is withheld from logs)",
                    null);
        }
        return new LlmCallException(name(), "failed (" + kind + "; details withheld from logs)");
    }

    @Override
    public String toString() {
        return "QuietUpstream[" + name() + "]";
    }
}
