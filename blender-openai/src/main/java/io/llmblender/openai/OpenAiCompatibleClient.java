package io.llmblender.openai;

import io.llmblender.core.check.Require;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.Sampling;
import io.llmblender.core.time.Ticker;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link LlmClient} for any server speaking the OpenAI chat-completions wire format: OpenAI,
 * vLLM, llama.cpp's server, Ollama's {@code /v1}, Together, Groq, OpenRouter.
 *
 * <pre>{@code
 * LlmClient llama = OpenAiCompatibleClient.builder()
 *         .name("llama3")
 *         .baseUrl("http://localhost:11434/v1")   // Ollama
 *         .model("llama3")
 *         .build();
 * LlmClient gpt = OpenAiCompatibleClient.builder()
 *         .name("gpt-4o").baseUrl("https://api.openai.com/v1").model("gpt-4o")
 *         .apiKeyFromEnv("OPENAI_API_KEY")
 *         .build();
 * }</pre>
 *
 * <p><b>Requests.</b> {@code POST {baseUrl}/chat/completions} with the prompt's
 * {@link Prompt#messages() messages} (after the configured system prompt, unless the prompt has
 * its own), the model, and the sampling options: the prompt's {@link Prompt#sampling()} where it
 * sets one, else the default given to the builder, else none (the server's default). The API key, when
 * there is one, goes in an {@code Authorization: Bearer} header; extra headers are sent as given.
 *
 * <p><b>Streaming.</b> {@link #generateStreaming(Prompt, Consumer)} asks for a server-sent event
 * stream, with its token usage ({@code "stream_options": {"include_usage": true}}), and hands each content delta to a listener as it arrives; the future completes with the
 * whole generation at {@code data: [DONE]}. A stream that ends before {@code [DONE]} fails, and
 * so does one that stays silent for longer than the request timeout. A {@code data:} line that is not a JSON
 * chunk (or is an error object) fails the call at once as a malformed stream chunk, without a retry.
 *
 * <p><b>Failures and retries.</b> HTTP 429 and 5xx answers and I/O errors (refused or reset
 * connections, a server that does not answer within the request timeout) are retried, up to
 * {@code maxAttempts} attempts in all and within the {@code retryBudget} counted from the first
 * attempt. The wait before a retry honours the server's {@code Retry-After} header (seconds or an
 * HTTP date) when present, otherwise doubles from {@code initialBackoff} up to {@code maxBackoff}
 * with random jitter (half the delay fixed, half random). Other 4xx answers, malformed JSON and an
 * answer without choices are not retried, nor is a stream that already delivered tokens. Every
 * failure is an {@link LlmCallException} carrying this client's name, the HTTP status when there
 * was one, and a short excerpt of the answer's body; never the API key nor a header value (a
 * server that echoes one in its error body gets it replaced by {@code [redacted]}).
 *
 * <p><b>Time.</b> The stream watchdog, the waits between attempts and the retry budget run on the builder's
 * {@link Builder#ticker(Ticker) ticker}, real time by default; a test gives a fake one and they move only when it
 * advances. The request timeout on the answer's headers is the JDK HttpClient's own and always real time.
 *
 * <p><b>Cancellation.</b> Cancelling a future this client returned cancels the request in flight
 * and any pending retry; this is how a {@link io.llmblender.core.Blender} gives up on a call at
 * its deadline. An interrupted {@link #generate(Prompt)} cancels its request too.
 *
 * <p><b>Thread-safety.</b> Immutable once built and safe to share across threads; requests are
 * independent.
 *
 * <p><b>Resources.</b> Unless given an {@link HttpClient}, the client makes one whose worker threads
 * (daemon threads named {@code blender-http-<name>-N}) it owns; {@link #close()} stops them and, on
 * Java 21 and later, closes the HttpClient and its connections. On Java 17 the JDK keeps one
 * selector thread per HttpClient until the client is garbage collected. A given HttpClient is
 * never closed. Calls after close fail.
 */
public final class OpenAiCompatibleClient implements LlmClient, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompatibleClient.class);

    private final String name;
    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final Map<String, String> headers;
    private final Duration requestTimeout;
    private final String systemPrompt;
    private final Options options;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration retryBudget;
    private final Random random;
    private final Ticker ticker;
    private final HttpClient http;
    private final ExecutorService ownedExecutor;

    private OpenAiCompatibleClient(Builder b) {
        this.name = b.name;
        this.endpoint = b.endpoint;
        this.model = b.model;
        this.apiKey = b.apiKey;
        this.headers = Map.copyOf(b.headers);
        this.requestTimeout = b.requestTimeout != null ? b.requestTimeout : Builder.DEFAULT_REQUEST_TIMEOUT;
        this.systemPrompt = b.systemPrompt;
        this.options = Options.NONE.overriddenBy(b.sampling.build());
        this.maxAttempts = b.maxAttempts != null ? b.maxAttempts : Builder.DEFAULT_MAX_ATTEMPTS;
        this.initialBackoff = b.initialBackoff();
        this.maxBackoff = b.maxBackoff();
        this.retryBudget = b.retryBudget != null ? b.retryBudget : Builder.DEFAULT_RETRY_BUDGET;
        this.random = b.random;
        this.ticker = b.ticker != null ? b.ticker : Ticker.system();
        if (b.httpClient != null) {
            this.http = b.httpClient;
            this.ownedExecutor = null;
        } else {
            AtomicInteger count = new AtomicInteger();
            String prefix = "blender-http-" + b.name + "-";
            this.ownedExecutor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, prefix + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            Duration connectTimeout = b.connectTimeout != null ? b.connectTimeout : Builder.DEFAULT_CONNECT_TIMEOUT;
            this.http = HttpClient.newBuilder()
                    .connectTimeout(connectTimeout)
                    .executor(ownedExecutor)
                    .build();
        }
    }

    /**
     * Starts configuring a client.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * The endpoint this client posts to: {@code {baseUrl}/chat/completions}.
     *
     * @return the URI
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Asks for a completion, blocking until it arrives or fails; retries as described in the class
     * Javadoc.
     *
     * @param prompt what to ask
     * @return the answer
     * @throws LlmCallException if the call fails or the thread is interrupted (the request is
     *     then cancelled and the interrupt flag set again)
     */
    @Override
    public Generation generate(Prompt prompt) {
        return await(call(prompt, null));
    }

    /**
     * Asks for a completion without blocking. The executor is not used: the JDK HttpClient is
     * asynchronous itself. Cancelling the future cancels the request.
     *
     * @param prompt what to ask
     * @param executor ignored
     * @return a future of the answer, failing with {@link LlmCallException}
     */
    @Override
    public CompletableFuture<Generation> generateAsync(Prompt prompt, Executor executor) {
        return call(prompt, null);
    }

    /**
     * Asks for a streamed completion: each content delta goes to {@code onToken} as it arrives,
     * on an HttpClient thread, in order; the future completes with the whole generation.
     * Cancelling the future stops the stream.
     *
     * @param prompt what to ask
     * @param onToken receives each piece of text as it arrives; must not block for long
     * @return a future of the whole answer, failing with {@link LlmCallException}
     */
    public CompletableFuture<Generation> generateStreaming(Prompt prompt, Consumer<String> onToken) {
        return call(prompt, Require.nonNull(onToken, "onToken"));
    }

    private CompletableFuture<Generation> call(Prompt prompt, Consumer<String> onToken) {
        Require.nonNull(prompt, "prompt");
        byte[] body = Wire.requestBody(model, prompt, systemPrompt, options, onToken != null);
        Call call = new Call(body, onToken);
        call.attempt(1);
        return call.result;
    }

    private Generation await(CompletableFuture<Generation> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new LlmCallException(name, "interrupted while waiting for the answer", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LlmCallException) {
                throw (LlmCallException) e.getCause();
            }
            throw new LlmCallException(name, String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** One logical call: its attempts, their retries, and the request in flight. */
    private final class Call {

        final CompletableFuture<Generation> result = new CompletableFuture<>();
        final AtomicReference<CompletableFuture<?>> inFlight = new AtomicReference<>();
        final byte[] body;
        final Consumer<String> onToken;
        final long startNanos = ticker.read();

        Call(byte[] body, Consumer<String> onToken) {
            this.body = body;
            this.onToken = onToken;
            // Forwards the caller's cancellation to the attempt in flight; nothing waits on this callback.
            CompletableFuture<Generation> unused = result.whenComplete((g, e) -> {
                CompletableFuture<?> f = inFlight.get();
                if (result.isCancelled() && f != null) {
                    f.cancel(true);
                }
            });
        }

        void attempt(int attempt) {
            if (result.isDone()) {
                return;
            }
            HttpRequest request = request();
            SseSubscriber sse = onToken == null ? null : new SseSubscriber(onToken, ticker);
            CompletableFuture<Generation> response;
            if (sse == null) {
                response = http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                        .thenApply(r -> {
                            String body = redact(r.body());
                            if (r.statusCode() / 100 != 2) {
                                throw new Wire.HttpFailure(
                                        r.statusCode(),
                                        body,
                                        r.headers().firstValue("Retry-After").orElse(null));
                            }
                            return Wire.parseCompletion(body);
                        });
            } else {
                HttpResponse.BodyHandler<Generation> handler = info -> info.statusCode() / 100 == 2
                        ? BodySubscribers.fromLineSubscriber(sse, SseSubscriber::finish, StandardCharsets.UTF_8, null)
                        : BodySubscribers.<String, Generation>mapping(
                                BodySubscribers.ofString(StandardCharsets.UTF_8), text -> {
                                    throw new Wire.HttpFailure(
                                            info.statusCode(),
                                            redact(text),
                                            info.headers()
                                                    .firstValue("Retry-After")
                                                    .orElse(null));
                                });
                response = http.sendAsync(request, handler).thenApply(HttpResponse::body);
                CompletableFuture<Generation> body = response;
                // a malformed line fails the call now; the cancelled body would never complete
                CompletableFuture<Void> unusedFailed = sse.failed().whenComplete((v, e) -> {
                    if (e != null) {
                        body.completeExceptionally(e);
                    }
                });
                watchIdle(sse, response);
            }
            inFlight.set(response);
            if (result.isCancelled()) {
                response.cancel(true);
                return;
            }
            // The outcome travels through result; this callback only moves it there.
            CompletableFuture<Generation> unused = response.whenComplete((generation, error) -> {
                if (error == null) {
                    result.complete(generation);
                } else {
                    onFailure(attempt, unwrap(error), sse != null && sse.anyToken());
                }
            });
        }

        /** Fails a stream that stays silent for longer than the request timeout. */
        private void watchIdle(SseSubscriber sse, CompletableFuture<Generation> response) {
            long period = Math.max(1, requestTimeout.toMillis() / 4);
            // A timer tick: it fails the response itself when the stream went silent, so nobody awaits it.
            CompletableFuture<Void> unused = CompletableFuture.runAsync(
                    () -> {
                        if (response.isDone()) {
                            return;
                        }
                        if (sse.idleNanos() > requestTimeout.toNanos()) {
                            sse.abort();
                            response.completeExceptionally(new HttpTimeoutException("stream silent"));
                        } else {
                            watchIdle(sse, response);
                        }
                    },
                    ticker.delayedExecutor(period, TimeUnit.MILLISECONDS));
        }

        private void onFailure(int attempt, Throwable error, boolean tokensDelivered) {
            if (result.isDone()) {
                return;
            }
            int status = error instanceof Wire.HttpFailure failure ? failure.status : -1;
            boolean retryable = !tokensDelivered
                    && (error instanceof IOException
                            || (error instanceof Wire.HttpFailure failure && failure.retryable()));
            String what = describe(error);
            if (!retryable) {
                result.completeExceptionally(new LlmCallException(name, status, what + attemptsSuffix(attempt), error));
                return;
            }
            if (attempt >= maxAttempts) {
                result.completeExceptionally(new LlmCallException(
                        name, status, what + attemptsSuffix(attempt) + " (maxAttempts " + maxAttempts + ")", error));
                return;
            }
            Duration delay = delayBefore(attempt + 1, error);
            Duration spent = Duration.ofNanos(ticker.read() - startNanos);
            if (spent.plus(delay).compareTo(retryBudget) > 0) {
                result.completeExceptionally(new LlmCallException(
                        name,
                        status,
                        what + attemptsSuffix(attempt) + "; a retry in " + delay.toMillis()
                                + " ms would exceed retryBudget " + retryBudget,
                        error));
                return;
            }
            // the status or the kind only: an error body may echo the prompt, and logs must not hold prompt text
            LOG.info(
                    "LLM client '{}': {}; retry {} of {} in {} ms",
                    name,
                    status > 0 ? "HTTP " + status : error.getClass().getSimpleName(),
                    attempt,
                    maxAttempts - 1,
                    delay.toMillis());
            Executor later = ticker.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS);
            CompletableFuture<Void> wait = CompletableFuture.runAsync(() -> attempt(attempt + 1), later);
            inFlight.set(wait);
        }

        private String attemptsSuffix(int attempt) {
            return attempt == 1 ? "" : " after " + attempt + " attempts";
        }

        private HttpRequest request() {
            HttpRequest.Builder r = HttpRequest.newBuilder(endpoint)
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .header("Accept", onToken == null ? "application/json" : "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(r::header);
            if (apiKey != null) {
                r.header("Authorization", "Bearer " + apiKey);
            }
            return r.build();
        }
    }

    private String describe(Throwable error) {
        if (error instanceof Wire.HttpFailure) {
            return error.getMessage() + " from " + endpoint;
        }
        if (error instanceof HttpTimeoutException) {
            return ("stream silent".equals(error.getMessage())
                            ? "stream from " + endpoint + " silent for longer than"
                            : "no answer from " + endpoint + " within")
                    + " requestTimeout " + requestTimeout;
        }
        if (error instanceof IOException) {
            return "connection to " + endpoint + " failed: " + error;
        }
        if (error instanceof Wire.MalformedAnswer) {
            return "unusable answer from " + endpoint + ": " + error.getMessage();
        }
        return "call to " + endpoint + " failed: " + error;
    }

    /** The wait before attempt {@code next}: the server's Retry-After, else jittered exponential backoff. */
    Duration delayBefore(int next, Throwable error) {
        if (error instanceof Wire.HttpFailure failure && failure.retryAfter != null) {
            Duration asked = parseRetryAfter(failure.retryAfter);
            if (asked != null) {
                return asked;
            }
        }
        long base = initialBackoff.toMillis() << Math.min(20, next - 2);
        long capped = Math.min(base, maxBackoff.toMillis());
        long half = capped / 2;
        Random r = random != null ? random : ThreadLocalRandom.current();
        return Duration.ofMillis(half + (half == 0 ? 0 : (long) (r.nextDouble() * (capped - half + 1))));
    }

    /** Seconds ({@code "3"}) or an HTTP date; null when unreadable. Negative waits count as none. */
    static Duration parseRetryAfter(String value) {
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return Duration.ofSeconds(Math.max(0, seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof IOException
                && e.getCause() instanceof RuntimeException
                && (e.getCause() instanceof Wire.HttpFailure || e.getCause() instanceof Wire.MalformedAnswer)) {
            return e.getCause(); // the HttpClient wraps exceptions thrown by body subscribers
        }
        return e;
    }

    /**
     * Name, endpoint and model; never the API key or header values.
     *
     * @return a description safe to log
     */
    /**
     * The text with this client's API key and extra header values replaced by {@code [redacted]}:
     * servers and proxies sometimes echo credentials in error bodies, which end up in exception
     * messages and logs.
     */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        if (apiKey != null && out.contains(apiKey)) {
            out = out.replace(apiKey, "[redacted]");
        }
        for (String value : headers.values()) {
            if (value.length() >= 8 && out.contains(value)) {
                out = out.replace(value, "[redacted]");
            }
        }
        return out;
    }

    /**
     * Stops the worker threads of the HttpClient this client made (and, on Java 21 and later,
     * closes that HttpClient with its connections). Calls in flight fail. Does nothing for a given
     * HttpClient. Idempotent.
     */
    @Override
    public void close() {
        if (ownedExecutor == null) {
            return;
        }
        ownedExecutor.shutdownNow();
        if (http instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("closing the HttpClient of '{}' failed: {}", name, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleClient[" + name + ", " + endpoint + ", model=" + model
                + (apiKey != null ? ", with API key" : "") + "]";
    }

    /**
     * Configures an {@link OpenAiCompatibleClient}. Setters validate at once and name the bad
     * field and value (never a key's value); {@link #build()} checks the rest. Not thread-safe.
     *
     * <p>Each setter may be called at most once; a second call throws {@link IllegalStateException}
     * naming the setting and both values (Caffeine style). The value is validated first: an invalid
     * value is refused with its own exception even on a second call. The API key is the exception
     * to showing values: {@link #apiKey(String)} and {@link #apiKeyFromEnv(String)} set the same
     * setting, and a second call names it without either key. {@link #header(String, String)} adds
     * a header and may be called many times.
     */
    public static final class Builder {

        private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        private static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
        private static final int DEFAULT_MAX_ATTEMPTS = 4;
        private static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
        private static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(8);
        private static final Duration DEFAULT_RETRY_BUDGET = Duration.ofSeconds(60);

        private String name;
        private String baseUrl;
        private URI endpoint;
        private String model;
        private String apiKey;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration connectTimeout;
        private Duration requestTimeout;
        private String systemPrompt;
        /** The default sampling options, under {@link Sampling}'s rules: one range per option for a prompt's and ours. */
        private final Sampling.Builder sampling = Sampling.builder();

        private Integer maxAttempts;
        private Duration initialBackoff;
        private Duration maxBackoff;
        private Duration retryBudget;
        private Random random;
        private Ticker ticker;
        private HttpClient httpClient;

        private Builder() {}

        /**
         * The client's name in blends. Required.
         *
         * @param name not blank
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder name(String name) {
            Require.nonBlank(name, "name");
            Require.unset(this.name, "name", name, Require::quote);
            this.name = name;
            return this;
        }

        /**
         * The API's base URL, up to and including the version segment, e.g.
         * {@code https://api.openai.com/v1} or {@code http://localhost:11434/v1}. Required.
         * {@code /chat/completions} is appended.
         *
         * @param baseUrl an absolute http or https URL
         * @return this builder
         * @throws IllegalArgumentException if the URL is not absolute http(s)
         * @throws IllegalStateException if called a second time
         */
        public Builder baseUrl(String baseUrl) {
            Require.nonBlank(baseUrl, "baseUrl");
            String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
            try {
                URI uri = new URI(base + "/chat/completions");
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                    throw new IllegalArgumentException(
                            "baseUrl must be an absolute http or https URL, found " + Require.quote(baseUrl));
                }
                Require.unset(this.baseUrl, "baseUrl", baseUrl, Require::quote);
                this.baseUrl = baseUrl;
                this.endpoint = uri;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("baseUrl is not a valid URL, found " + Require.quote(baseUrl), e);
            }
            return this;
        }

        /**
         * The model to ask for, as the server names it. Required.
         *
         * @param model not blank
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder model(String model) {
            Require.nonBlank(model, "model");
            Require.unset(this.model, "model", model, Require::quote);
            this.model = model;
            return this;
        }

        /**
         * The API key, sent as {@code Authorization: Bearer}. Default: none (local servers). Never
         * logged or put in a message.
         *
         * @param apiKey not blank
         * @return this builder
         * @throws IllegalStateException if called a second time, or after {@link #apiKeyFromEnv(String)}
         *     (the message shows neither key)
         */
        public Builder apiKey(String apiKey) {
            Require.nonNull(apiKey, "apiKey");
            if (apiKey.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank");
            }
            Require.unsetSecret(this.apiKey, "apiKey");
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Reads the API key from an environment variable now.
         *
         * @param variable the variable's name, e.g. {@code OPENAI_API_KEY}
         * @return this builder
         * @throws IllegalStateException if the variable is unset or blank (the message names the
         *     variable, not a value); if called a second time, or after {@link #apiKey(String)} (the
         *     message shows neither key)
         */
        public Builder apiKeyFromEnv(String variable) {
            Require.nonBlank(variable, "variable");
            String value = System.getenv(variable);
            if (value == null || value.isBlank()) {
                throw new IllegalStateException("environment variable " + variable + " holds no API key");
            }
            Require.unsetSecret(this.apiKey, "apiKey");
            this.apiKey = value;
            return this;
        }

        /**
         * An extra header sent with every request, e.g. {@code OpenAI-Organization} or
         * OpenRouter's {@code HTTP-Referer}. Values are never logged.
         *
         * @param header the header name, not blank
         * @param value its value
         * @return this builder
         */
        public Builder header(String header, String value) {
            Require.nonBlank(header, "header");
            Require.nonNull(value, "header value");
            headers.put(header, value);
            return this;
        }

        /**
         * How long to wait for a TCP connection. Default: 10 seconds. Ignored when an
         * {@link #httpClient(HttpClient)} is given.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder connectTimeout(Duration timeout) {
            Require.positive(timeout, "connectTimeout");
            Require.unset(this.connectTimeout, "connectTimeout", timeout);
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * How long one attempt may wait for the answer's headers, and how long a stream may stay
         * silent between two lines. Default: 60 seconds.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder requestTimeout(Duration timeout) {
            Require.positive(timeout, "requestTimeout");
            Require.unset(this.requestTimeout, "requestTimeout", timeout);
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * A system message sent before prompts that have none. Default: none.
         *
         * @param systemPrompt not blank
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder systemPrompt(String systemPrompt) {
            Require.nonBlank(systemPrompt, "systemPrompt");
            Require.unset(this.systemPrompt, "systemPrompt", systemPrompt, Require::quote);
            this.systemPrompt = systemPrompt;
            return this;
        }

        /**
         * Sampling temperature, the default for prompts whose {@link Sampling} sets none. Default:
         * the server's. Checked as {@link Sampling.Builder#temperature} checks it.
         *
         * @param temperature in [0, 2]
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if called a second time
         */
        public Builder temperature(double temperature) {
            sampling.temperature(temperature);
            return this;
        }

        /**
         * Nucleus sampling mass, the default for prompts whose {@link Sampling} sets none.
         * Default: the server's. Checked as {@link Sampling.Builder#topP} checks it.
         *
         * @param topP in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if called a second time
         */
        public Builder topP(double topP) {
            sampling.topP(topP);
            return this;
        }

        /**
         * The most tokens an answer may have, the default for prompts whose {@link Sampling} sets
         * none. Default: the server's. Checked as {@link Sampling.Builder#maxTokens} checks it.
         *
         * @param maxTokens positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if called a second time
         */
        public Builder maxTokens(int maxTokens) {
            sampling.maxTokens(maxTokens);
            return this;
        }

        /**
         * A sampling seed, for servers that honour it, the default for prompts whose
         * {@link Sampling} sets none. Default: none.
         *
         * @param seed any value
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder seed(long seed) {
            sampling.seed(seed);
            return this;
        }

        /**
         * Stop sequences, the default for prompts whose {@link Sampling} sets none. Default: none.
         * Checked as {@link Sampling.Builder#stop} checks them.
         *
         * @param stop one to {@value Sampling#MAX_STOP} non-empty strings; copied
         * @return this builder
         * @throws IllegalArgumentException if empty, too many, or holding an empty or null sequence
         * @throws IllegalStateException if called a second time
         */
        public Builder stop(List<String> stop) {
            sampling.stop(stop);
            return this;
        }

        /**
         * Attempts per call, the first included. Default: 4.
         *
         * @param maxAttempts at least 1
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder maxAttempts(int maxAttempts) {
            Require.positive(maxAttempts, "maxAttempts");
            Require.unset(this.maxAttempts, "maxAttempts", maxAttempts);
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * The wait before the first retry when the server gives no {@code Retry-After}; doubled for
         * each further retry, up to {@link #maxBackoff(Duration)}, with jitter. Default: 500 ms.
         *
         * @param backoff positive
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder initialBackoff(Duration backoff) {
            Require.positive(backoff, "initialBackoff");
            Require.unset(this.initialBackoff, "initialBackoff", backoff);
            this.initialBackoff = backoff;
            return this;
        }

        /**
         * The longest wait between attempts without {@code Retry-After}. Default: 8 seconds.
         *
         * @param backoff positive
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder maxBackoff(Duration backoff) {
            Require.positive(backoff, "maxBackoff");
            Require.unset(this.maxBackoff, "maxBackoff", backoff);
            this.maxBackoff = backoff;
            return this;
        }

        /**
         * The time, from the first attempt, after which no retry starts: a retry whose wait would
         * end past it fails the call instead. Default: 60 seconds.
         *
         * @param budget positive
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder retryBudget(Duration budget) {
            Require.positive(budget, "retryBudget");
            Require.unset(this.retryBudget, "retryBudget", budget);
            this.retryBudget = budget;
            return this;
        }

        /**
         * The source of backoff jitter, for reproducible tests. Default: {@link ThreadLocalRandom}.
         *
         * @param random a thread-safe random
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder random(Random random) {
            Require.nonNull(random, "random");
            Require.unset(this.random, "random", random);
            this.random = random;
            return this;
        }

        /**
         * The time the client's own timers run on: the stream watchdog (a stream silent for longer than the
         * {@link #requestTimeout(Duration) request timeout} fails), the wait between attempts, and the
         * {@link #retryBudget(Duration) retry budget}. Default: {@link Ticker#system()}, real time. A test passes
         * blender-testkit's {@code FakeTicker}: the watchdog then fires and retries start only when the test advances
         * it, on the advancing thread. The HttpClient's own wait for the answer's headers, bounded by the request
         * timeout, cannot be moved and stays on real time.
         *
         * @param ticker thread-safe, as every {@link Ticker} is
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder ticker(Ticker ticker) {
            Require.nonNull(ticker, "ticker");
            Require.unset(this.ticker, "ticker", ticker);
            this.ticker = ticker;
            return this;
        }

        /**
         * The HTTP client to send with, e.g. one with a proxy or custom TLS. Default: a new one
         * with the connect timeout. The caller keeps ownership.
         *
         * @param httpClient the client
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder httpClient(HttpClient httpClient) {
            Require.nonNull(httpClient, "httpClient");
            Require.unset(this.httpClient, "httpClient", httpClient);
            this.httpClient = httpClient;
            return this;
        }

        /**
         * Makes the client.
         *
         * @return the client
         * @throws IllegalStateException if name, baseUrl or model is missing, or
         *     {@code initialBackoff > maxBackoff}
         */
        public OpenAiCompatibleClient build() {
            if (name == null) {
                throw new IllegalStateException("name is required");
            }
            if (endpoint == null) {
                throw new IllegalStateException("baseUrl is required for client '" + name + "'");
            }
            if (model == null) {
                throw new IllegalStateException("model is required for client '" + name + "'");
            }
            if (initialBackoff().compareTo(maxBackoff()) > 0) {
                throw new IllegalStateException(
                        "initialBackoff " + initialBackoff() + " exceeds maxBackoff " + maxBackoff());
            }
            return new OpenAiCompatibleClient(this);
        }

        /** The initial backoff set, or the default 500 ms. */
        private Duration initialBackoff() {
            return initialBackoff != null ? initialBackoff : DEFAULT_INITIAL_BACKOFF;
        }

        /** The longest backoff set, or the default 8 seconds. */
        private Duration maxBackoff() {
            return maxBackoff != null ? maxBackoff : DEFAULT_MAX_BACKOFF;
        }
    }
}
