package io.llmblender.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one Jetty handler: routes the paths, authenticates, applies the limits, and turns
 * every failure into OpenAI's error JSON. Logs one line per request (method, path, resolved model,
 * key name, status, milliseconds), never a key, a header value or prompt text unless prompt
 * logging was switched on. CORS: no CORS header is sent unless the request's {@code Origin} is one
 * configured; then the answer allows it and a preflight {@code OPTIONS} is answered 204. Runs on Jetty's threads and blocks them while a request is answered.
 * Thread-safe.
 */
final class HttpFront extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
    private static final String CHAT = "/v1/chat/completions";
    private static final String MODELS = "/v1/models";

    private final Catalog catalog;
    private final ChatCompletions completions;
    private final KeyGate gate;
    private final ServerLimits limits;
    private final ServerMetrics metrics;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private final BooleanSupplier stopping;
    private final boolean logPrompts;
    private final Set<String> corsOrigins;
    private final AtomicInteger inFlight = new AtomicInteger();

    HttpFront(
            Catalog catalog,
            ChatCompletions completions,
            KeyGate gate,
            ServerLimits limits,
            ServerMetrics metrics,
            PrometheusMeterRegistry registry,
            BooleanSupplier ready,
            BooleanSupplier stopping,
            boolean logPrompts,
            Set<String> corsOrigins) {
        super(InvocationType.BLOCKING);
        this.catalog = catalog;
        this.completions = completions;
        this.gate = gate;
        this.limits = limits;
        this.metrics = metrics;
        this.registry = registry;
        this.ready = ready;
        this.stopping = stopping;
        this.logPrompts = logPrompts;
        this.corsOrigins = Set.copyOf(corsOrigins);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        String[] model = {ServerMetrics.UNKNOWN};
        String[] keyName = {"-"};
        int status;
        inFlight.incrementAndGet();
        try {
            String origin = request.getHeaders().get(HttpHeader.ORIGIN);
            boolean cors = origin != null && corsOrigins.contains(origin);
            if (cors) {
                response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                response.getHeaders().put(HttpHeader.VARY, "Origin");
                response.getHeaders()
                        .put(
                                "Access-Control-Expose-Headers",
                                "x-blender-mode, x-blender-chosen, x-blender-calls, retry-after");
            }
            if (cors && method.equals("OPTIONS")) {
                response.setStatus(204);
                response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST");
                response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "authorization, content-type");
                response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");
                response.write(true, java.nio.ByteBuffer.allocate(0), callback);
                status = 204;
            } else {
                status = route(request, response, callback, path, method, model, keyName);
            }
        } catch (ApiError e) {
            status = e.status;
            writeError(response, callback, e);
        } catch (RuntimeException | Error e) {
            LOG.error(
                    "{} {} failed inside the server: {}",
                    method,
                    path,
                    e.getClass().getName());
            LOG.debug("the failure", e);
            ApiError internal = ApiError.internal("the server failed to answer; see its log");
            status = internal.status;
            if (!response.isCommitted()) {
                writeError(response, callback, internal);
            } else {
                callback.failed(e);
            }
        } finally {
            inFlight.decrementAndGet();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (path.equals(CHAT)) {
            metrics.request(model[0], status, elapsed);
        }
        LOG.info(
                "{} {} model={} key={} -> {} in {} ms", method, path, model[0], keyName[0], status, elapsed.toMillis());
        return true;
    }

    /** Requests being answered now. */
    int inFlight() {
        return inFlight.get();
    }

    private int route(
            Request request,
            Response response,
            Callback callback,
            String path,
            String method,
            String[] model,
            String[] keyName) {
        switch (path) {
            case "/health" -> {
                requireMethod(method, "GET");
                return writeJson(response, callback, 200, Json.object().put("status", "ok"));
            }
            case "/ready" -> {
                requireMethod(method, "GET");
                if (!ready.getAsBoolean()) {
                    throw ApiError.unavailable("the server is not ready");
                }
                return writeJson(response, callback, 200, Json.object().put("status", "ready"));
            }
            case "/metrics" -> {
                requireMethod(method, "GET");
                authenticate(request, keyName);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                Content.Sink.write(response, true, registry.scrape(), callback);
                return 200;
            }
            case MODELS -> {
                requireMethod(method, "GET");
                ApiKey key = authenticate(request, keyName);
                ObjectNode list = Json.object().put("object", "list");
                ArrayNode data = list.putArray("data");
                for (String name : visibleModels(key)) {
                    data.add(modelObject(name));
                }
                return writeJson(response, callback, 200, list);
            }
            case CHAT -> {
                requireMethod(method, "POST");
                return chat(request, response, callback, model, keyName);
            }
            default -> {
                if (path.startsWith(MODELS + "/")) {
                    requireMethod(method, "GET");
                    ApiKey key = authenticate(request, keyName);
                    String id = path.substring(MODELS.length() + 1);
                    if (!visibleModels(key).contains(id)) {
                        throw ApiError.notFound(
                                "model",
                                "model_not_found",
                                "the model " + ChatRequest.show(id) + " does not exist here; the models are "
                                        + visibleModels(key));
                    }
                    return writeJson(response, callback, 200, modelObject(id));
                }
                throw ApiError.notFound(
                        null,
                        "unknown_url",
                        "no such endpoint: " + method + " "
                                + ChatRequest.show(path) + " (the server answers POST " + CHAT + ", GET " + MODELS
                                + ", /health, /ready, /metrics)");
            }
        }
    }

    private int chat(Request request, Response response, Callback callback, String[] model, String[] keyName) {
        if (stopping.getAsBoolean()) {
            // a request on a connection opened before the drain began: the client retries elsewhere
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            throw ApiError.unavailable("the server is stopping; retry on another instance");
        }
        // the body is read (within max_body_bytes) before the key is checked: a 401 sent with the body unread made the
        // server reset the connection, and a client could see the connection close with no answer at all
        byte[] body = readBody(request);
        ApiKey key = authenticate(request, keyName);
        JsonNode root = parse(body);
        ChatRequest chat = ChatRequest.parse(root, limits);
        Catalog.Target target = catalog.resolve(chat.model(), name -> key == null || key.allows(name));
        model[0] = target.name();
        if (key != null && !key.allows(target.name())) {
            throw ApiError.forbidden(
                    "model",
                    "the key '" + key.name() + "' may not use the model '" + target.name() + "'; it may use "
                            + key.models());
        }
        // released before the last byte goes out: a client that sends its next request as soon as it has read the
        // answer must find the slot free (issue 27: 4 threads against a limit of 4 met a 429)
        Runnable release = once(gate.acquire(key == null ? KeyGate.ANONYMOUS : key.name()));
        try {
            if (logPrompts) {
                LOG.info("prompt for model={}: {}", target.name(), chat.prompt().source());
            }
            long now = System.nanoTime();
            ChatCompletions.Deadline deadline = new ChatCompletions.Deadline(
                    now, now + limits.requestDeadline().toNanos());
            String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
            long created = System.currentTimeMillis() / 1000;
            if (chat.stream()) {
                SseWriter out = new SseWriter(response, release);
                try {
                    ChatCompletions.Streamed s = completions.stream(chat, target, deadline, out, id, created);
                    if (s.answer() != null) {
                        metrics.tokens(
                                target.name(),
                                s.answer().promptTokens(),
                                s.answer().completionTokens());
                    }
                    callback.succeeded();
                    return s.status();
                } catch (IOException e) {
                    callback.failed(e);
                    return 499; // the client went away; its upstream calls were cancelled
                } catch (ApiError e) {
                    if (!out.started()) {
                        throw e;
                    }
                    try {
                        out.data(Json.error(e));
                        out.done();
                        callback.succeeded();
                    } catch (IOException io) {
                        callback.failed(io);
                    }
                    return e.status;
                }
            }
            AtomicReference<Runnable> cancel = new AtomicReference<>();
            request.addFailureListener(failure -> {
                Runnable c = cancel.get();
                if (c != null) {
                    c.run();
                }
            });
            Answer a = completions.complete(chat, target, deadline, cancel::set);
            metrics.tokens(target.name(), a.promptTokens(), a.completionTokens());
            ChatCompletions.headers(a.mode(), a.chosen(), a.calls())
                    .forEach((k, v) -> response.getHeaders().put(k, v));
            release.run();
            return writeJson(response, callback, 200, Chunks.completion(id, created, a));
        } finally {
            release.run();
        }
    }

    /** Whether Jetty gave up reading because the connection went silent (its idle timeout). */
    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.net.SocketTimeoutException
                    || (t.getMessage() != null && t.getMessage().contains("Idle timeout"))) {
                return true;
            }
        }
        return false;
    }

    /** The model names a key may use, in catalog order: all of them without keys. */
    private java.util.List<String> visibleModels(ApiKey key) {
        return key == null
                ? catalog.names()
                : catalog.names().stream().filter(key::allows).toList();
    }

    /** Runs {@code r} the first time only; thread-safe. */
    private static Runnable once(Runnable r) {
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (ran.compareAndSet(false, true)) {
                r.run();
            }
        };
    }

    private ApiKey authenticate(Request request, String[] keyName) {
        ApiKey key = gate.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        keyName[0] = key == null ? KeyGate.ANONYMOUS : key.name();
        return key;
    }

    private byte[] readBody(Request request) {
        long declared = request.getLength();
        int max = limits.maxBodyBytes();
        if (declared > max) {
            throw ApiError.tooLarge("the request body of " + declared + " bytes is larger than the server's limit of "
                    + max + " bytes");
        }
        try (InputStream in = Request.asInputStream(request)) {
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                throw ApiError.tooLarge("the request body is larger than the server's limit of " + max + " bytes");
            }
            return body;
        } catch (IOException e) {
            if (isTimeout(e)) {
                throw ApiError.requestTimeout("the request body did not arrive within the server's idle timeout of "
                        + limits.idleTimeout().toMillis() + " ms; send the whole body at once");
            }
            throw ApiError.invalid(
                    null, "the request body could not be read: " + e.getClass().getSimpleName());
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ApiError.invalid(null, "the request body is empty; send a JSON chat-completions request");
        }
        try {
            return Json.readWhole(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + Json.problem(e));
        } catch (IOException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON");
        }
    }

    private static ObjectNode modelObject(String name) {
        return Json.object()
                .put("id", name)
                .put("object", "model")
                .put("created", 0)
                .put("owned_by", "blender");
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw ApiError.methodNotAllowed("use " + allowed + " here, found " + ChatRequest.show(method));
        }
    }

    static int writeJson(Response response, Callback callback, int status, ObjectNode body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, Json.string(body), callback);
        return status;
    }

    static void writeError(Response response, Callback callback, ApiError e) {
        if (response.isCommitted()) {
            callback.failed(e);
            return;
        }
        if (e.retryAfterSeconds != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, e.retryAfterSeconds);
        }
        if (e.status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        }
        writeJson(response, callback, e.status, Json.error(e));
    }
}
