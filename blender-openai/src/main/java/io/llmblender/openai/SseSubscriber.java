package io.llmblender.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.core.time.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Reads a chat-completions stream line by line: {@code data: {chunk}} events until
 * {@code data: [DONE]}. Hands each content delta to the caller's listener and assembles the
 * whole generation. A stream that ends before {@code [DONE]} is an error. Activity is timed on the client's
 * {@link Ticker}. A line that cannot be read (not JSON, an error object) stops the stream at once and completes
 * {@link #failed()}: cancelling the subscription alone would leave the HTTP body future pending until the watchdog.
 */
final class SseSubscriber implements Flow.Subscriber<String> {

    private final Consumer<String> onToken;
    private final Ticker ticker;
    private final StringBuilder text = new StringBuilder();
    private FinishReason finishReason = FinishReason.UNKNOWN;
    private TokenUsage usage;
    private boolean done;
    private boolean anyToken;
    private volatile RuntimeException failure;
    private final CompletableFuture<Void> failed = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    /** The ticker's reading at the last line; meaningful only once {@link #started} is set. */
    private volatile long lastActivityNanos;
    /** Set once the stream started; a flag, because 0 is a reading like any other on a ticker. */
    private volatile boolean started;

    SseSubscriber(Consumer<String> onToken, Ticker ticker) {
        this.onToken = onToken;
        this.ticker = ticker;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        lastActivityNanos = ticker.read();
        started = true;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        lastActivityNanos = ticker.read();
        if (done || failure != null || !line.startsWith("data:")) {
            return; // blank separators, comments (":"), "event:" and "id:" lines carry nothing we use
        }
        String data = line.substring(5).trim();
        if (data.equals("[DONE]")) {
            done = true;
            return;
        }
        try {
            JsonNode chunk = Wire.parse(data);
            TokenUsage u = Wire.usage(chunk);
            if (u != null) {
                usage = u;
            }
            JsonNode choices = chunk.path("choices");
            if (!choices.isArray() || choices.isEmpty()) {
                return; // a usage-only chunk
            }
            JsonNode choice = choices.get(0);
            JsonNode content = choice.path("delta").path("content");
            if (content.isTextual() && !content.asText().isEmpty()) {
                text.append(content.asText());
                anyToken = true;
                onToken.accept(content.asText());
            }
            String reason = Wire.textOrNull(choice.path("finish_reason"));
            if (reason != null) {
                finishReason = Wire.finishReason(reason);
            }
        } catch (RuntimeException e) {
            failure = e instanceof Wire.MalformedAnswer
                    ? new Wire.MalformedAnswer("malformed stream chunk: " + e.getMessage(), e)
                    : e;
            subscription.cancel();
            failed.completeExceptionally(failure);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        // the HTTP client completes the body exceptionally with this error itself
    }

    @Override
    public void onComplete() {
        // finish() reads the outcome
    }

    /**
     * How long the stream has been silent, on the ticker, or 0 before it started (the response
     * headers are bounded by the request timeout instead).
     */
    long idleNanos() {
        if (!started) {
            return 0;
        }
        return ticker.read() - lastActivityNanos;
    }

    /** Stops reading a stalled stream. */
    void abort() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    /**
     * Completes exceptionally, with the reason, when a line could not be read; never completes normally. The
     * caller fails the call with it at once, as the body future does not complete after a cancel.
     */
    CompletableFuture<Void> failed() {
        return failed;
    }

    /** Whether a token already reached the listener: then the call must not be retried. */
    boolean anyToken() {
        return anyToken;
    }

    /** The assembled generation, once the body completed. */
    Generation finish() {
        if (failure != null) {
            throw failure;
        }
        if (!done) {
            throw new Wire.MalformedAnswer(
                    "the stream ended before [DONE] after " + text.length() + " characters", null);
        }
        return Generation.of(text.toString(), finishReason, usage);
    }
}
