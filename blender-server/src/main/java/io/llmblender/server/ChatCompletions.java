package io.llmblender.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.BlendMode;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Candidate;
import io.llmblender.core.ClientFailure;
import io.llmblender.core.NoAnswerException;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.core.rank.RankingCost;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.openai.OpenAiCompatibleClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one checked chat request with its target: a blend, a route or a pass-through, whole or
 * streamed. Every upstream call of a request is cancelled when the request deadline passes and,
 * for streams, when a write to the client fails (the client went away). Thread-safe: holds only
 * shared, thread-safe parts; each call works on its own request.
 */
final class ChatCompletions {

    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletions.class);
    private static final long POLL_MILLIS = 20;

    private final ExecutorService executor;
    private final ServerMetrics metrics;
    private final ServerLimits limits;
    private final Catalog catalog;

    ChatCompletions(Catalog catalog, ExecutorService executor, ServerMetrics metrics, ServerLimits limits) {
        this.catalog = catalog;
        this.executor = executor;
        this.metrics = metrics;
        this.limits = limits;
    }

    /** The deadline of one request, in {@link System#nanoTime()} terms. */
    record Deadline(long startNanos, long endNanos) {
        long remainingNanos() {
            return endNanos - System.nanoTime();
        }

        boolean passed() {
            return remainingNanos() <= 0;
        }

        long elapsedMillis() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        }
    }

    // ------------------------------------------------------------------ whole answers

    Answer complete(ChatRequest request, Catalog.Target target, Deadline deadline, Consumer<Runnable> onClientGone) {
        if (target.isUpstream()) {
            metrics.upstreamCall(target.name());
            CompletableFuture<Generation> f = target.upstream().generateAsync(request.prompt(), executor);
            onClientGone.accept(() -> f.cancel(true));
            Generation g = await(f, upstreamDeadline(deadline), "the upstream '" + target.name() + "'", target.name());
            return passThrough(target.name(), g, request.details());
        }
        Future<BlendResult> f = executor.submit(() -> target.blender().blend(request.prompt()));
        onClientGone.accept(() -> f.cancel(true));
        BlendResult r = await(f, deadline, "the ensemble '" + target.name() + "'", null);
        return answer(r, request.details());
    }

    /**
     * The deadline of one upstream call answered alone (pass-through): the request's, or the upstreams' timeout when
     * that ends first, as a blend waits for each upstream.
     */
    private Deadline upstreamDeadline(Deadline deadline) {
        long timeoutEnd = deadline.startNanos() + catalog.perClientTimeout().toNanos();
        return timeoutEnd - deadline.endNanos() < 0 ? new Deadline(deadline.startNanos(), timeoutEnd) : deadline;
    }

    private <T> T await(Future<T> f, Deadline deadline, String what, String upstream) {
        try {
            return f.get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            boolean byTimeout = deadline.endNanos() - deadline.startNanos()
                    < limits.requestDeadline().toNanos();
            if (upstream != null) {
                metrics.upstreamFailure(upstream, byTimeout ? "timeout" : "deadline");
            }
            if (byTimeout) {
                throw ApiError.deadline(what + " did not answer within the upstream timeout of "
                        + catalog.perClientTimeout().toMillis() + " ms; its call was cancelled");
            }
            throw ApiError.deadline(
                    "the request deadline of " + limits.requestDeadline().toMillis() + " ms passed before " + what
                            + " answered; its upstream calls were cancelled");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("the server is stopping");
        } catch (CancellationException e) {
            throw ApiError.unavailable("the request was cancelled");
        } catch (ExecutionException e) {
            throw failure(e.getCause(), upstream);
        }
    }

    /**
     * An upstream or blend failure as a client sees it: names, kinds and statuses, no bodies. 504 when every upstream
     * asked timed out or met the deadline (pass-through and blend alike), else 502.
     */
    private ApiError failure(Throwable cause, String upstream) {
        if (cause instanceof NoAnswerException na) {
            List<String> why = new ArrayList<>();
            boolean allTimedOut = !na.failures().isEmpty();
            boolean anyDeadline = false;
            for (ClientFailure f : na.failures()) {
                String kind = kindOf(f);
                metrics.upstreamFailure(f.name(), kind);
                why.add(f.name() + " " + describe(kind, f.cause()));
                allTimedOut &= kind.equals("timeout") || kind.equals("deadline");
                anyDeadline |= kind.equals("deadline");
            }
            LOG.warn("no upstream answered: {}", String.join("; ", why));
            if (!allTimedOut) {
                return ApiError.upstream("no upstream answered: " + String.join("; ", why));
            }
            return ApiError.deadline((anyDeadline
                            ? "the request deadline of "
                                    + limits.requestDeadline().toMillis()
                                    + " ms passed before any upstream answered (answers are awaited "
                                    + BlenderServer.answerWait(limits.requestDeadline())
                                            .toMillis()
                                    + " ms, the rest is for ranking and fusion)"
                            : "no upstream answered within the upstream timeout of "
                                    + catalog.perClientTimeout().toMillis() + " ms")
                    + "; their calls were cancelled: " + String.join("; ", why));
        }
        if (upstream != null) {
            if (timedOut(cause)) {
                metrics.upstreamFailure(upstream, "timeout");
                return ApiError.deadline("the upstream '" + upstream + "' failed: " + describe("timeout", cause));
            }
            metrics.upstreamFailure(upstream, "error");
            LOG.warn("the upstream '{}' failed: {}", upstream, describe("error", cause));
            return ApiError.upstream("the upstream '" + upstream + "' failed: " + describe("error", cause));
        }
        LOG.error("a blend failed unexpectedly", cause);
        return ApiError.internal("the ensemble failed inside the server; see its log");
    }

    /** The failure's kind in lower case; an error caused by a timeout (e.g. the client's own) counts as one. */
    private static String kindOf(ClientFailure f) {
        String kind = f.kind().name().toLowerCase(Locale.ROOT);
        return kind.equals("error") && timedOut(f.cause()) ? "timeout" : kind;
    }

    /** Whether a timeout, the JDK's or an HTTP one, caused this failure. */
    static boolean timedOut(Throwable cause) {
        return cause != null && QuietUpstream.reason(cause).equals("timeout");
    }

    /**
     * The kind of a failure and its short reason, e.g. {@code error (HTTP 503)}, {@code error (connection refused)},
     * {@code error (answer not JSON)}, {@code timeout}: for clients and the log alike, never a body or a secret.
     */
    private static String describe(String kind, Throwable cause) {
        if (cause == null) {
            return kind;
        }
        String reason = QuietUpstream.reason(cause);
        boolean same = reason.equals(kind) || (kind.equals("deadline") && reason.equals("timeout"));
        return same ? kind : kind + " (" + reason + ")";
    }

    private static Answer passThrough(String name, Generation g, boolean details) {
        TokenUsage u = g.usage().orElse(null);
        ObjectNode d = null;
        if (details) {
            d = Json.object();
            d.put("mode", "pass-through");
            d.putArray("called").add(name);
        }
        return new Answer(
                g.text(),
                name,
                "pass-through",
                name,
                1,
                u == null ? 0 : u.promptTokens(),
                u == null ? 0 : u.completionTokens(),
                u == null ? 1 : 0,
                g.finishReason(),
                d);
    }

    Answer answer(BlendResult r, boolean details) {
        metrics.blend(r);
        long prompt = 0;
        long completion = 0;
        int calls = r.called().size();
        int reported = 0;
        for (Candidate c : r.candidates()) {
            if (c.usage().isPresent()) {
                prompt += c.usage().get().promptTokens();
                completion += c.usage().get().completionTokens();
                reported++;
            }
        }
        for (String name : r.called()) {
            metrics.upstreamCall(name);
        }
        for (ClientFailure f : r.failures()) {
            LOG.warn("the upstream '{}' failed, answered without it: {}", f.name(), describe(kindOf(f), f.cause()));
        }
        // an LLM fuser's call is an upstream call like the candidates': counted, its tokens summed
        String fusingLlm = r.fusion().flatMap(f -> f.llm()).orElse(null);
        if (fusingLlm != null) {
            calls++;
            metrics.upstreamCall(fusingLlm);
            TokenUsage fu = r.fusion().flatMap(f -> f.usage()).orElse(null);
            if (fu != null) {
                prompt += fu.promptTokens();
                completion += fu.completionTokens();
                reported++;
            }
        } else if (r.fusionFailure().isPresent() && r.fusionFailure().get().cause() instanceof LlmCallException) {
            calls++; // the fusing LLM was asked and failed
        }
        // an LLM judge's calls are upstream calls too: counted, their tokens summed
        for (RankingCost cost : r.rankingCosts()) {
            calls += cost.calls();
            reported += cost.calls() - cost.unreportedCalls();
            prompt += cost.promptTokens();
            completion += cost.completionTokens();
            metrics.upstreamCalls(cost.llm(), cost.calls());
        }
        Candidate best = r.best();
        String model = r.fusion().map(f -> f.llm().orElse(f.fuserName())).orElse(best.client());
        FinishReason finish = r.fusion().map(f -> f.finishReason()).orElse(best.finishReason());
        return new Answer(
                r.answer(),
                model,
                r.mode().name().toLowerCase(Locale.ROOT),
                best.client(),
                calls,
                prompt,
                completion,
                calls - reported,
                finish,
                details ? details(r) : null);
    }

    private static ObjectNode details(BlendResult r) {
        ObjectNode d = Json.object();
        d.put("mode", r.mode().name().toLowerCase(Locale.ROOT));
        ArrayNode called = d.putArray("called");
        r.called().forEach(called::add);
        ArrayNode ranked = d.putArray("ranking");
        List<Candidate> order = r.ranked();
        for (int i = 0; i < order.size(); i++) {
            Candidate c = order.get(i);
            ObjectNode n = ranked.addObject();
            n.put("client", c.client());
            n.put("rank", i + 1);
            int index = r.candidates().indexOf(c);
            r.ranking().ifPresent(k -> n.put("score", k.scores()[index]));
            n.put("latency_ms", c.latency().toMillis());
        }
        r.rankerName().ifPresent(n -> d.put("ranker", n));
        r.fusion().ifPresent(f -> d.put("fuser", f.fuserName()));
        r.route().ifPresent(route -> {
            ObjectNode n = d.putObject("route");
            n.put("chosen", route.chosen());
            n.put("confidence", route.confidence());
        });
        ArrayNode failures = d.putArray("failures");
        for (ClientFailure f : r.failures()) {
            failures.addObject()
                    .put("client", f.name())
                    .put("kind", f.kind().name().toLowerCase(Locale.ROOT))
                    .put("reason", QuietUpstream.reason(f.cause()))
                    .put("elapsed_ms", f.elapsed().toMillis());
        }
        r.rankingFailure()
                .ifPresent(f -> failures.addObject().put("ranker", f.name()).put("kind", "error"));
        r.fusionFailure()
                .ifPresent(f -> failures.addObject().put("fuser", f.name()).put("kind", "error"));
        ObjectNode t = d.putObject("timings_ms");
        t.put("routing", r.timings().routing().toMillis());
        t.put("generation", r.timings().generation().toMillis());
        t.put("ranking", r.timings().ranking().toMillis());
        t.put("fusion", r.timings().fusion().toMillis());
        t.put("total", r.timings().total().toMillis());
        return d;
    }

    // ------------------------------------------------------------------ streams

    /** What a stream ended with, for the access log and metrics. */
    record Streamed(int status, Answer answer) {}

    /**
     * Streams the answer. Before the stream has begun, failures are thrown as {@link ApiError}
     * (the caller answers them whole); after, they go as an error event followed by
     * {@code [DONE]}. An {@link IOException} means the client went away; its upstream calls are
     * already cancelled then.
     */
    Streamed stream(
            ChatRequest request, Catalog.Target target, Deadline deadline, SseWriter out, String id, long created)
            throws IOException {
        if (target.isUpstream()) {
            return streamUpstreams(request, List.of(target.upstream()), "pass-through", deadline, out, id, created);
        }
        BlendMode mode = target.ensemble().mode();
        if (mode == BlendMode.ROUTE || mode == BlendMode.ADAPTIVE) {
            RouteDecision decision = routeOrNull(request.prompt());
            if (decision != null && (mode == BlendMode.ROUTE || decision.confidence() >= target.threshold())) {
                List<LlmClient> order = new ArrayList<>();
                for (String name : decision.topK(decision.names().size())) {
                    order.add(catalog.upstream(name));
                }
                return streamUpstreams(request, order, "route", deadline, out, id, created);
            }
        }
        return streamBlend(request, target, deadline, out, id, created);
    }

    private RouteDecision routeOrNull(Prompt prompt) {
        long t0 = System.nanoTime();
        try {
            RouteDecision d = catalog.router().route(prompt.source());
            metrics.stage("routing", Duration.ofNanos(System.nanoTime() - t0));
            return d;
        } catch (RuntimeException e) {
            LOG.warn("routing failed, blending instead: {}", e.getClass().getSimpleName());
            return null;
        }
    }

    private Streamed streamUpstreams(
            ChatRequest request,
            List<LlmClient> order,
            String mode,
            Deadline deadline,
            SseWriter out,
            String id,
            long created)
            throws IOException {
        int calls = 0;
        List<String> failed = new ArrayList<>();
        boolean allTimedOut = true;
        for (LlmClient client : order) {
            if (calls > 0 && deadline.passed()) {
                break;
            }
            calls++;
            metrics.upstreamCall(client.name());
            BlockingQueue<String> tokens = new LinkedBlockingQueue<>();
            CompletableFuture<Generation> f = client instanceof OpenAiCompatibleClient oc
                    ? oc.generateStreaming(request.prompt(), tokens::add)
                    : client.generateAsync(request.prompt(), executor);
            boolean began = false;
            try {
                while (true) {
                    String token = tokens.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    if (token != null) {
                        if (!began) {
                            began = true;
                            out.start(headers(mode, client.name(), calls));
                            out.data(Chunks.delta(id, created, client.name(), "assistant", "", null));
                        }
                        out.data(Chunks.delta(id, created, client.name(), null, token, null));
                        continue;
                    }
                    if (f.isDone() && tokens.isEmpty()) {
                        break;
                    }
                    if (deadline.passed()) {
                        f.cancel(true);
                        metrics.upstreamFailure(client.name(), "deadline");
                        ApiError e = ApiError.deadline("the request deadline of "
                                + limits.requestDeadline().toMillis() + " ms passed while '" + client.name()
                                + "' was answering; its call was cancelled");
                        if (!out.started()) {
                            throw e;
                        }
                        out.data(Json.error(e));
                        out.done();
                        return new Streamed(504, null);
                    }
                }
            } catch (IOException e) {
                f.cancel(true);
                throw e;
            } catch (InterruptedException e) {
                f.cancel(true);
                Thread.currentThread().interrupt();
                throw ApiError.unavailable("the server is stopping");
            }
            Generation g;
            try {
                g = f.join();
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                String kind = timedOut(cause) ? "timeout" : "error";
                allTimedOut &= kind.equals("timeout");
                metrics.upstreamFailure(client.name(), kind);
                failed.add(client.name() + " " + describe(kind, cause));
                LOG.warn("the upstream '{}' failed: {}", client.name(), describe(kind, cause));
                if (began) {
                    ApiError err = ApiError.upstream(
                            "the upstream '" + client.name() + "' failed mid-stream: " + describe("error", cause));
                    out.data(Json.error(err));
                    out.done();
                    return new Streamed(502, null);
                }
                continue; // nothing sent yet: the next most probable upstream may answer
            }
            if (!began) {
                out.start(headers(mode, client.name(), calls));
                out.data(Chunks.delta(id, created, client.name(), "assistant", "", null));
                if (!(client instanceof OpenAiCompatibleClient) && !g.text().isEmpty()) {
                    out.data(Chunks.delta(id, created, client.name(), null, g.text(), null));
                }
            }
            TokenUsage u = g.usage().orElse(null);
            // the calls that failed before this one reported no usage (nothing was generated for the client)
            Answer a = new Answer(
                    g.text(),
                    client.name(),
                    mode,
                    client.name(),
                    calls,
                    u == null ? 0 : u.promptTokens(),
                    u == null ? 0 : u.completionTokens(),
                    u == null ? calls : calls - 1,
                    g.finishReason(),
                    null);
            finish(request, out, id, created, a);
            return new Streamed(200, a);
        }
        String message = "no upstream answered: " + String.join("; ", failed);
        throw allTimedOut ? ApiError.deadline(message) : ApiError.upstream(message);
    }

    private Streamed streamBlend(
            ChatRequest request, Catalog.Target target, Deadline deadline, SseWriter out, String id, long created)
            throws IOException {
        Future<BlendResult> f = executor.submit(() -> target.blender().blend(request.prompt()));
        out.start(Map.of("x-blender-mode", target.ensemble().mode().name().toLowerCase(Locale.ROOT)));
        long keepAlive = limits.keepAlive().toNanos();
        long nextComment = System.nanoTime() + keepAlive;
        BlendResult r;
        try {
            while (true) {
                long wait = Math.min(nextComment - System.nanoTime(), deadline.remainingNanos());
                try {
                    r = f.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
                    break;
                } catch (TimeoutException e) {
                    if (deadline.passed()) {
                        f.cancel(true);
                        ApiError err = ApiError.deadline("the request deadline of "
                                + limits.requestDeadline().toMillis() + " ms passed before the ensemble '"
                                + target.name() + "' answered; its upstream calls were cancelled");
                        out.data(Json.error(err));
                        out.done();
                        return new Streamed(504, null);
                    }
                    out.comment();
                    nextComment = System.nanoTime() + keepAlive;
                }
            }
        } catch (IOException e) {
            f.cancel(true);
            throw e;
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("the server is stopping");
        } catch (ExecutionException e) {
            ApiError err = failure(e.getCause(), null);
            out.data(Json.error(err));
            out.done();
            return new Streamed(err.status, null);
        }
        Answer a = answer(r, request.details());
        out.data(Chunks.delta(id, created, a.model(), "assistant", "", null));
        out.data(Chunks.delta(id, created, a.model(), null, a.text(), null));
        finish(request, out, id, created, a);
        return new Streamed(200, a);
    }

    private static void finish(ChatRequest request, SseWriter out, String id, long created, Answer a)
            throws IOException {
        // a blended stream's headers leave before the ranking exists: what was chosen goes in the last chunk
        ObjectNode last = Chunks.delta(id, created, a.model(), null, null, a.finishReason());
        ObjectNode ext = a.details() != null ? a.details().deepCopy() : Json.object();
        ext.put("mode", a.mode());
        ext.put("chosen", a.chosen());
        ext.put("calls", a.calls());
        last.set("blender", ext);
        out.data(last);
        if (request.includeUsage()) {
            out.data(Chunks.usageChunk(id, created, a));
        }
        out.done();
    }

    /**
     * A name as a header value: as it is when it is printable ASCII, else RFC 8187's ext-value,
     * {@code UTF-8''} and the UTF-8 bytes percent-encoded ({@code 文心一言} is
     * {@code UTF-8''%E6%96%87%E5%BF%83%E4%B8%80%E8%A8%80}); HTTP headers carry no other characters reliably.
     */
    static String headerValue(String name) {
        if (name.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && !name.startsWith("UTF-8''")) {
            return name;
        }
        StringBuilder out = new StringBuilder("UTF-8''");
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static Map<String, String> headers(String mode, String chosen, int calls) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-blender-mode", mode);
        h.put("x-blender-chosen", headerValue(chosen));
        h.put("x-blender-calls", Integer.toString(calls));
        return h;
    }
}
