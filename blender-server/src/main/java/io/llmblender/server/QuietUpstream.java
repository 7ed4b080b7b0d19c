package io.llmblender.server;

import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
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
        String reason = reason(cause);
        if (cause instanceof LlmCallException l && l.httpStatus().isPresent()) {
            return new QuietFailure(
                    name(), l.httpStatus().getAsInt(), reason, reason + " (the body is withheld from logs)");
        }
        return new QuietFailure(name(), -1, reason, reason + " (details withheld from logs)");
    }

    /** A failure with only a short, secret-free reason: no body, no URL, no prompt. */
    static final class QuietFailure extends LlmCallException {
        private static final long serialVersionUID = 1L;
        final String reason;

        QuietFailure(String name, int status, String reason, String message) {
            super(name, status, message, null);
            this.reason = reason;
        }
    }

    /**
     * Why an upstream call failed, in a few words that hold no secret, no body and no prompt text: {@code HTTP 503},
     * {@code timeout}, {@code connection refused}, {@code connection failed (EOFException)}, {@code answer not JSON},
     * {@code answer without choices}, {@code malformed stream chunk}, {@code stream ended before [DONE]}, ...
     */
    static String reason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof QuietFailure q) {
                return q.reason;
            }
            if (t instanceof LlmCallException l && l.httpStatus().isPresent()) {
                return "HTTP " + l.httpStatus().getAsInt();
            }
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
                return "timeout";
            }
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof IOException) {
                return "connection failed (" + t.getClass().getSimpleName() + ")";
            }
            if (t instanceof CancellationException) {
                return "cancelled";
            }
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t.getClass().getName().endsWith("MalformedAnswer")) {
                return malformed(message);
            }
            if (message.contains("more than maxAnswerChars")) {
                return "answer too long";
            }
            if (message.contains("answered null")) {
                return "no answer";
            }
        }
        return "error (" + error.getClass().getSimpleName() + ")";
    }

    /** The kind of an answer blender-openai could not use, from its message's fixed wording. */
    private static String malformed(String message) {
        if (message.startsWith("malformed stream chunk")) {
            return "malformed stream chunk";
        }
        if (message.contains("ended before [DONE]")) {
            return "stream ended before [DONE]";
        }
        if (message.contains("not valid JSON") || message.contains("expected a JSON object")) {
            return "answer not JSON";
        }
        if (message.contains("no choices")) {
            return "answer without choices";
        }
        if (message.contains("answered an error")) {
            return "error object instead of an answer";
        }
        if (message.contains("no message object")) {
            return "answer without a message";
        }
        return "unusable answer";
    }

    @Override
    public String toString() {
        return "QuietUpstream[" + name() + "]";
    }
}
