package io.llmblender.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.core.route.Router;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Real parts for the server's tests: loopback upstreams, clients for them, a fixed router, HTTP calls. */
final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The tiny PairRanker committed under models/ (random weights: ranks at random, but runs the real code). */
    static final Path TINY_RANKER = Path.of("..", "models", "pairranker");

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Fixtures() {}

    /** A loopback upstream that answers {@code answer} whole, or streamed word by word when asked to stream. */
    static LoopbackOpenAiServer upstream(String model, String answer, int promptTokens, int completionTokens)
            throws IOException {
        return answering(new LoopbackOpenAiServer(), model, answer, promptTokens, completionTokens);
    }

    /** Makes {@code s} answer as {@link #upstream} does. */
    static LoopbackOpenAiServer answering(
            LoopbackOpenAiServer s, String model, String answer, int promptTokens, int completionTokens) {
        s.answering(req -> req.body().contains("\"stream\":true")
                ? LoopbackOpenAiServer.sse(true, chunks(model, answer))
                : LoopbackOpenAiServer.json(
                        200,
                        LoopbackOpenAiServer.completionJson(model, answer, "stop", promptTokens, completionTokens)));
        return s;
    }

    /** The answer cut into SSE chunk payloads, one per word, in OpenAI's shape. */
    static String[] chunks(String model, String answer) {
        String[] words = answer.split("(?<= )");
        String[] out = new String[words.length + 1];
        for (int i = 0; i < words.length; i++) {
            out[i] = chunk(model, JSON.valueToTree(words[i]).toString(), "null");
        }
        out[words.length] = chunk(model, null, "\"stop\"");
        return out;
    }

    static String chunk(String model, String quotedContent, String finish) {
        return "{\"id\":\"chatcmpl-up\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + model + "\",\"choices\":[{\"index\":0,\"delta\":{"
                + (quotedContent == null ? "" : "\"content\":" + quotedContent) + "},\"finish_reason\":" + finish
                + "}]}";
    }

    /** A streaming reply that sends one chunk every {@code periodMillis} and records when the client went away. */
    static LoopbackOpenAiServer.Reply endlessStream(String model, long periodMillis, List<String> events) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (int i = 0; i < 2_000; i++) {
                    out.write(("data: " + chunk(model, "\"tick" + i + " \"", "null") + "\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(periodMillis);
                }
                events.add("finished");
            } catch (IOException e) {
                events.add("client gone");
            }
        };
    }

    static OpenAiCompatibleClient client(String name, LoopbackOpenAiServer upstream) {
        return OpenAiCompatibleClient.builder()
                .name(name)
                .baseUrl(upstream.baseUrl())
                .model(name)
                .maxAttempts(1)
                .requestTimeout(Duration.ofSeconds(20))
                .build();
    }

    /** A router that always gives the same distribution. */
    static Router router(List<String> names, double... probabilities) {
        return new Router() {
            @Override
            public List<String> llmNames() {
                return names;
            }

            @Override
            public RouteDecision route(String query) {
                return RouteDecision.of(names, probabilities.clone());
            }
        };
    }

    /** What one HTTP exchange returned. */
    record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    static Reply post(BlenderServer server, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    static Reply get(BlenderServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    static String chat(String model, String text) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":" + JSON.valueToTree(text)
                + "}]}";
    }

    /** Asserts OpenAI's error shape and returns the error object. */
    static JsonNode error(Reply r) throws IOException {
        JsonNode e = r.json().get("error");
        org.assertj.core.api.Assertions.assertThat(e).as(r.body()).isNotNull();
        org.assertj.core.api.Assertions.assertThat(e.get("message").isTextual()).isTrue();
        org.assertj.core.api.Assertions.assertThat(e.get("type").isTextual()).isTrue();
        org.assertj.core.api.Assertions.assertThat(e.has("param")).isTrue();
        org.assertj.core.api.Assertions.assertThat(e.has("code")).isTrue();
        return e;
    }
}
