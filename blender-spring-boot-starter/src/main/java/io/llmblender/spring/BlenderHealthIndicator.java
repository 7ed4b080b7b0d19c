package io.llmblender.spring;

import io.llmblender.core.Blender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Blender's health: {@code UP} with its LLMs, ranker, fuser and mode as details while it is open,
 * {@code DOWN} once closed. With {@code blender.health.probe-upstreams=true} each check also asks every
 * upstream's {@code /models} endpoint (without the API key: any HTTP answer below 500, a 401 included, means
 * reachable) and reports each as {@code reachable} or why not; the status is {@code DOWN} when no upstream is
 * reachable (one is enough to blend). Probes are off by default: a health check then costs no HTTP call.
 * Thread-safe.
 */
public final class BlenderHealthIndicator implements HealthIndicator {

    private final Blender blender;
    private final BlenderUpstreams upstreams;
    private final BlenderProperties.Health settings;
    private final HttpClient http;

    BlenderHealthIndicator(Blender blender, BlenderUpstreams upstreams, BlenderProperties.Health settings) {
        this.blender = blender;
        this.upstreams = upstreams;
        this.settings = settings;
        this.http = settings.isProbeUpstreams()
                ? HttpClient.newBuilder()
                        .connectTimeout(settings.getProbeTimeout())
                        .build()
                : null;
    }

    @Override
    public Health health() {
        if (blender.isClosed()) {
            return Health.down().withDetail("blender", "closed").build();
        }
        Health.Builder health = Health.up().withDetail("blender", blender.toString());
        health.withDetail("llms", blender.clientNames());
        if (http != null) {
            Map<String, String> probes = new LinkedHashMap<>();
            int reachable = 0;
            for (Map.Entry<String, URI> e : upstreams.endpoints()) {
                String result = probe(e.getValue());
                probes.put(e.getKey(), result);
                if (result.equals("reachable")) {
                    reachable++;
                }
            }
            health.withDetail("upstreams", probes);
            if (reachable == 0 && !probes.isEmpty()) {
                health.down();
            }
        }
        return health.build();
    }

    private String probe(URI chatCompletions) {
        String s = chatCompletions.toString();
        URI models = URI.create(s.substring(0, s.length() - "/chat/completions".length()) + "/models");
        HttpRequest request = HttpRequest.newBuilder(models)
                .timeout(settings.getProbeTimeout())
                .GET()
                .build();
        try {
            int status =
                    http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status < 500 ? "reachable" : "HTTP " + status;
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
