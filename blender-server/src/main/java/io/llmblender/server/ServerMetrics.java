package io.llmblender.server;

import io.llmblender.core.BlendResult;
import io.llmblender.core.ClientFailure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/**
 * The server's meters, named for Prometheus: {@code blender_server_requests_total{ensemble,status}},
 * {@code blender_server_request_seconds{ensemble}} and {@code blender_server_stage_seconds{stage}}
 * (histograms), {@code blender_server_upstream_calls_total{client}} (every call: candidates, routes,
 * pass-through and an LLM fuser's), {@code blender_server_upstream_failures_total{client,kind}} and
 * {@code blender_server_tokens_total{ensemble,type}} (the tokens upstreams reported; calls that reported none add
 * nothing). Tag values are only configured names and
 * fixed words (a model name no ensemble or upstream has is counted as {@code unknown}), so a
 * caller cannot grow the series. Thread-safe (Micrometer's meters are).
 */
final class ServerMetrics {

    static final String UNKNOWN = "unknown";

    private final MeterRegistry registry;

    ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void request(String ensemble, int status, Duration elapsed) {
        Counter.builder("blender.server.requests")
                .description("Requests by ensemble and HTTP status")
                .tag("ensemble", ensemble)
                .tag("status", Integer.toString(status))
                .register(registry)
                .increment();
        Timer.builder("blender.server.request")
                .description("Request latency, end to end")
                .tag("ensemble", ensemble)
                .publishPercentileHistogram()
                .register(registry)
                .record(elapsed);
    }

    void stage(String stage, Duration elapsed) {
        Timer.builder("blender.server.stage")
                .description("Latency of one stage of a blend")
                .tag("stage", stage)
                .publishPercentileHistogram()
                .register(registry)
                .record(elapsed);
    }

    void upstreamFailure(String client, String kind) {
        Counter.builder("blender.server.upstream.failures")
                .description("Upstream calls that failed, by client and kind")
                .tag("client", client)
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    /** One call of an upstream: a candidate, a route, a pass-through or an LLM fuser's call. */
    void upstreamCall(String client) {
        upstreamCalls(client, 1);
    }

    /** {@code count} calls to one upstream, e.g. an LLM judge's calls of one ranking. */
    void upstreamCalls(String client, int count) {
        Counter.builder("blender.server.upstream.calls")
                .description("Calls made to each upstream, fusing calls included")
                .tag("client", client)
                .register(registry)
                .increment(count);
    }

    void tokens(String ensemble, long prompt, long completion) {
        if (prompt > 0) {
            Counter.builder("blender.server.tokens")
                    .description("Tokens the upstreams reported")
                    .tag("ensemble", ensemble)
                    .tag("type", "prompt")
                    .register(registry)
                    .increment((double) prompt);
        }
        if (completion > 0) {
            Counter.builder("blender.server.tokens")
                    .description("Tokens the upstreams reported")
                    .tag("ensemble", ensemble)
                    .tag("type", "completion")
                    .register(registry)
                    .increment((double) completion);
        }
    }

    /** The stages and failures of one blend. */
    void blend(BlendResult r) {
        stage("routing", r.timings().routing());
        stage("generation", r.timings().generation());
        stage("ranking", r.timings().ranking());
        stage("fusion", r.timings().fusion());
        for (ClientFailure f : r.failures()) {
            upstreamFailure(f.name(), f.kind().name().toLowerCase(Locale.ROOT));
        }
    }
}
