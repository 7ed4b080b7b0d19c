package io.llmblender.server;

import static io.llmblender.server.Fixtures.chat;
import static io.llmblender.server.Fixtures.error;
import static io.llmblender.server.Fixtures.get;
import static io.llmblender.server.Fixtures.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One short test per limit and error: each answers a 4xx (or 502/504) in OpenAI's error shape. */
class LimitsAndErrorsTest {

    static final String KEY = "sk-limits-test";
    static final String[] AUTH = {"Authorization", "Bearer " + KEY};

    static LoopbackOpenAiServer upstream;
    static OpenAiCompatibleClient client;
    BlenderServer server;

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = new LoopbackOpenAiServer();
        client = Fixtures.client("alpha", upstream);
    }

    @AfterAll
    static void stopUpstream() {
        client.close();
        upstream.close();
    }

    @BeforeEach
    void answerPlainly() {
        Fixtures.answering(upstream, "alpha", "An answer.", 3, 2);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private BlenderServer serve(ServerLimits limits) {
        server = BlenderServer.builder()
                .upstream(client)
                .ranker(new LengthRanker())
                .limits(limits)
                .apiKey(ApiKey.plain("alice", KEY))
                .apiKey(ApiKey.plain("bob", "sk-bob").allowing(Set.of("alpha")))
                .port(0)
                .start();
        return server;
    }

    @Test
    void chat_missingOrWrongKey_is401() throws Exception {
        serve(ServerLimits.defaults());
        Fixtures.Reply none = post(server, "/v1/chat/completions", chat("blend", "hi"));
        assertThat(none.status()).isEqualTo(401);
        assertThat(error(none).get("type").asText()).isEqualTo("authentication_error");
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        Fixtures.Reply wrong =
                post(server, "/v1/chat/completions", chat("blend", "hi"), "Authorization", "Bearer sk-not-it");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(error(wrong).get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(wrong.body()).doesNotContain("sk-not-it");
        assertThat(get(server, "/v1/models").status()).isEqualTo(401);
        assertThat(get(server, "/metrics").status()).isEqualTo(401);
        assertThat(get(server, "/health").status()).isEqualTo(200);
    }

    @Test
    void chat_keyLimitedToOtherModels_is403() throws Exception {
        serve(ServerLimits.defaults());
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat("blend", "hi"), "Authorization", "Bearer sk-bob");
        assertThat(r.status()).isEqualTo(403);
        assertThat(error(r).get("param").asText()).isEqualTo("model");
        assertThat(post(server, "/v1/chat/completions", chat("alpha", "hi"), "Authorization", "Bearer sk-bob")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void models_restrictedKey_seesOnlyItsModels() throws Exception {
        serve(ServerLimits.defaults());
        String[] bob = {"Authorization", "Bearer sk-bob"};
        JsonNode list = get(server, "/v1/models", bob).json();
        assertThat(list.get("data")).hasSize(1);
        assertThat(list.at("/data/0/id").asText()).isEqualTo("alpha");
        assertThat(get(server, "/v1/models/blend", bob).status()).isEqualTo(404);
        assertThat(get(server, "/v1/models/blend", AUTH).status()).isEqualTo(200);
        Fixtures.Reply unknown = post(server, "/v1/chat/completions", chat("nope", "hi"), bob);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(error(unknown).get("message").asText()).contains("[alpha]").doesNotContain("blend");
    }

    @Test
    void start_ensembleNamedLikeAnUpstream_isRefused() {
        assertThatThrownBy(() -> BlenderServer.builder()
                        .upstream(client)
                        .ensemble(Ensemble.blend("alpha", List.of()))
                        .port(0)
                        .start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'alpha'")
                .hasMessageContaining("name of an upstream");
    }

    @Test
    void chat_bodyOverLimit_is413() throws Exception {
        serve(ServerLimits.builder().maxBodyBytes(2_000).build());
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat("blend", "x".repeat(3_000)), AUTH);
        assertThat(r.status()).isEqualTo(413);
        assertThat(error(r).get("message").asText()).contains("2000 bytes");
    }

    @Test
    void chat_tooManyMessages_is400NamingMessages() throws Exception {
        serve(ServerLimits.builder().maxMessages(2).build());
        String body = "{\"model\":\"blend\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                + "{\"role\":\"assistant\",\"content\":\"b\"},{\"role\":\"user\",\"content\":\"c\"}]}";
        Fixtures.Reply r = post(server, "/v1/chat/completions", body, AUTH);
        assertThat(r.status()).isEqualTo(400);
        assertThat(error(r).get("param").asText()).isEqualTo("messages");
        assertThat(error(r).get("message").asText()).contains("3 messages").contains("limit of 2");
    }

    @Test
    void chat_textOverLimit_is400NamingTheMessage() throws Exception {
        serve(ServerLimits.builder().maxTextChars(100).build());
        String body = "{\"model\":\"blend\",\"messages\":[{\"role\":\"system\",\"content\":\"" + "s".repeat(60)
                + "\"},{\"role\":\"user\",\"content\":\"" + "u".repeat(60) + "\"}]}";
        Fixtures.Reply r = post(server, "/v1/chat/completions", body, AUTH);
        assertThat(r.status()).isEqualTo(400);
        assertThat(error(r).get("param").asText()).isEqualTo("messages[1].content");
    }

    @Test
    void chat_moreConcurrentRequestsThanTheKeyMay_is429WithRetryAfter() throws Exception {
        upstream.answering(req -> LoopbackOpenAiServer.delayed(
                1_500,
                LoopbackOpenAiServer.json(200, LoopbackOpenAiServer.completionJson("alpha", "slow", "stop", 1, 1))));
        serve(ServerLimits.builder().maxConcurrentPerKey(1).build());
        int before = upstream.requests().size();
        CompletableFuture<Fixtures.Reply> first = CompletableFuture.supplyAsync(() -> {
            try {
                return post(server, "/v1/chat/completions", chat("alpha", "hi"), AUTH);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (upstream.requests().size() == before && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        Fixtures.Reply second = post(server, "/v1/chat/completions", chat("alpha", "hi"), AUTH);
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).contains("1");
        assertThat(error(second).get("type").asText()).isEqualTo("rate_limit_error");
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(post(server, "/v1/chat/completions", chat("alpha", "hi"), AUTH)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void chat_moreRequestsAMinuteThanTheKeyMay_is429WithRetryAfter() throws Exception {
        serve(ServerLimits.builder().maxRequestsPerMinute(2).build());
        assertThat(post(server, "/v1/chat/completions", chat("alpha", "hi"), AUTH)
                        .status())
                .isEqualTo(200);
        assertThat(post(server, "/v1/chat/completions", chat("alpha", "hi"), AUTH)
                        .status())
                .isEqualTo(200);
        Fixtures.Reply third = post(server, "/v1/chat/completions", chat("alpha", "hi"), AUTH);
        assertThat(third.status()).isEqualTo(429);
        assertThat(Integer.parseInt(third.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1, 30);
        assertThat(error(third).get("message").asText()).contains("at most 2 a minute");
        // another key has its own bucket
        assertThat(post(server, "/v1/chat/completions", chat("alpha", "hi"), "Authorization", "Bearer sk-bob")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void chat_pastTheRequestDeadline_is504AndCancelsUpstreams() throws Exception {
        upstream.answering(req -> upstream.hang());
        serve(ServerLimits.builder().requestDeadline(Duration.ofMillis(300)).build());
        long t0 = System.nanoTime();
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat("blend", "hi"), AUTH);
        assertThat(r.status()).isEqualTo(504);
        assertThat(error(r).get("message").asText()).contains("300 ms").contains("cancelled");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        Fixtures.Reply streamed = post(
                server,
                "/v1/chat/completions",
                chat("alpha", "hi").replace("{\"model\"", "{\"stream\":true,\"model\""),
                AUTH);
        assertThat(streamed.status()).isEqualTo(504);
    }

    @Test
    void chat_noUpstreamAnswers_is502NamingTheUpstreamNotItsBody() throws Exception {
        upstream.answering(req -> LoopbackOpenAiServer.json(500, "{\"error\":{\"message\":\"upstream secret\"}}"));
        serve(ServerLimits.defaults());
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat("blend", "hi"), AUTH);
        assertThat(r.status()).isEqualTo(502);
        assertThat(error(r).get("message").asText())
                .contains("alpha")
                .contains("HTTP 500")
                .doesNotContain("upstream secret");
    }

    @Test
    void chat_unknownModel_is404NamingTheModels() throws Exception {
        serve(ServerLimits.defaults());
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat("gpt-5", "hi"), AUTH);
        assertThat(r.status()).isEqualTo(404);
        JsonNode e = error(r);
        assertThat(e.get("param").asText()).isEqualTo("model");
        assertThat(e.get("code").asText()).isEqualTo("model_not_found");
        assertThat(e.get("message").asText()).contains("gpt-5").contains("[blend, alpha]");
    }

    @Test
    void chat_badJsonOrSchema_is400NamingTheField() throws Exception {
        serve(ServerLimits.defaults());
        assertThat(post(server, "/v1/chat/completions", "{\"model\":", AUTH).status())
                .isEqualTo(400);
        assertThat(post(server, "/v1/chat/completions", "", AUTH).status()).isEqualTo(400);
        Fixtures.Reply temp = post(
                server,
                "/v1/chat/completions",
                chat("blend", "hi").replace("{\"model\"", "{\"temperature\":7,\"model\""),
                AUTH);
        assertThat(error(temp).get("param").asText()).isEqualTo("temperature");
        assertThat(error(temp).get("message").asText()).contains("found 7");
        Fixtures.Reply role = post(
                server,
                "/v1/chat/completions",
                "{\"model\":\"blend\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}",
                AUTH);
        assertThat(error(role).get("param").asText()).isEqualTo("messages[0].role");
        Fixtures.Reply last = post(
                server,
                "/v1/chat/completions",
                "{\"model\":\"blend\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                        + "{\"role\":\"assistant\",\"content\":\"b\"}]}",
                AUTH);
        assertThat(error(last).get("param").asText()).isEqualTo("messages[1].role");
        Fixtures.Reply n = post(
                server, "/v1/chat/completions", chat("blend", "hi").replace("{\"model\"", "{\"n\":3,\"model\""), AUTH);
        assertThat(error(n).get("param").asText()).isEqualTo("n");
    }

    @Test
    void chat_badJson_isRefusedInPlainWordsWithItsPlace() throws Exception {
        serve(ServerLimits.defaults());
        assertThat(post(server, "/v1/chat/completions", chat("blend", "hi") + " garbage", AUTH)
                        .status())
                .isEqualTo(400);
        Fixtures.Reply trailing = post(server, "/v1/chat/completions", chat("blend", "hi") + " {}", AUTH);
        assertThat(trailing.status()).as("trailing content after the JSON body").isEqualTo(400);
        assertThat(error(trailing).get("message").asText()).contains("more after the JSON value");
        Fixtures.Reply nan = post(
                server,
                "/v1/chat/completions",
                chat("blend", "hi").replace("{\"model\"", "{\"temperature\":NaN,\"model\""),
                AUTH);
        assertThat(nan.status()).isEqualTo(400);
        assertThat(error(nan).get("message").asText())
                .contains("line 1, column")
                .contains("NaN is not a JSON number")
                .doesNotContain("Feature")
                .doesNotContain("-1");
        Fixtures.Reply cut = post(server, "/v1/chat/completions", "{\"model\": \"blend\", ", AUTH);
        assertThat(error(cut).get("message").asText())
                .contains("ends before it is complete")
                .doesNotContain("Feature")
                .doesNotContain("-1");
    }

    @Test
    void chat_stalledBody_is408SayingWhatTimedOut() throws Exception {
        serve(ServerLimits.builder().idleTimeout(Duration.ofMillis(500)).build());
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                            + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush(); // and nothing more: the body stalls
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 408").contains("idle timeout of 500 ms");
        }
    }

    @Test
    void wrongMethodOrPath_is405Or404() throws Exception {
        serve(ServerLimits.defaults());
        Fixtures.Reply method = get(server, "/v1/chat/completions", AUTH);
        assertThat(method.status()).isEqualTo(405);
        error(method);
        Fixtures.Reply path = get(server, "/v1/nothing", AUTH);
        assertThat(path.status()).isEqualTo(404);
        error(path);
    }

    @Test
    void malformedHttp_isAnsweredInTheErrorShapeByJetty() throws Exception {
        serve(ServerLimits.defaults());
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(40_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply)
                    .startsWith("HTTP/1.1 431")
                    .contains("{\"error\":{")
                    .doesNotContain("<html")
                    .doesNotContain("at org.eclipse");
        }
    }

    @Test
    void cors_offUnlessTheOriginIsConfigured() throws Exception {
        server = BlenderServer.builder()
                .upstream(client)
                .apiKey(ApiKey.plain("alice", KEY))
                .corsOrigin("https://app.example.com")
                .port(0)
                .start();
        Fixtures.Reply allowed = post(
                server,
                "/v1/chat/completions",
                chat("alpha", "hi"),
                "Authorization",
                "Bearer " + KEY,
                "Origin",
                "https://app.example.com");
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.com");
        Fixtures.Reply denied = post(
                server,
                "/v1/chat/completions",
                chat("alpha", "hi"),
                "Authorization",
                "Bearer " + KEY,
                "Origin",
                "https://evil.example");
        assertThat(denied.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        Fixtures.Reply unauthorized =
                post(server, "/v1/chat/completions", chat("alpha", "hi"), "Origin", "https://app.example.com");
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.headers().firstValue("Access-Control-Allow-Origin"))
                .isPresent();
        java.net.http.HttpResponse<String> preflight = Fixtures.HTTP.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/chat/completions"))
                        .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "https://app.example.com")
                        .header("Access-Control-Request-Method", "POST")
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
                .contains("authorization, content-type");
    }

    @Test
    void start_publicBindWithoutKeys_isRefused() {
        assertThatThrownBy(() -> BlenderServer.builder()
                        .upstream(client)
                        .host("0.0.0.0")
                        .port(0)
                        .start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0.0.0.0")
                .hasMessageContaining("without API keys");
    }

    @Test
    void healthReadyModelsAndMetrics_answer() throws Exception {
        serve(ServerLimits.defaults());
        assertThat(post(server, "/v1/chat/completions", chat("blend", "hi"), AUTH)
                        .status())
                .isEqualTo(200);
        assertThat(post(server, "/v1/chat/completions", chat("nope", "hi"), AUTH)
                        .status())
                .isEqualTo(404);
        assertThat(get(server, "/health").json().get("status").asText()).isEqualTo("ok");
        assertThat(get(server, "/ready").json().get("status").asText()).isEqualTo("ready");
        JsonNode models = get(server, "/v1/models", AUTH).json();
        assertThat(models.get("data").findValuesAsText("id")).containsExactly("blend", "alpha");
        assertThat(get(server, "/v1/models/alpha", AUTH).json().get("owned_by").asText())
                .isEqualTo("blender");
        String metrics = get(server, "/metrics", AUTH).body();
        assertThat(metrics)
                .contains("blender_server_requests_total{ensemble=\"blend\",status=\"200\"} 1.0")
                .contains("blender_server_requests_total{ensemble=\"unknown\",status=\"404\"} 1.0")
                .contains("blender_server_stage_seconds_bucket{stage=\"generation\"")
                .contains("blender_server_request_seconds_count{ensemble=\"blend\"}")
                .contains("blender_server_tokens_total{ensemble=\"blend\",type=\"prompt\"} 3.0");
    }

    @Test
    void chat_detailsRequested_addsTheBlenderObject() throws Exception {
        serve(ServerLimits.defaults());
        Fixtures.Reply r = post(
                server,
                "/v1/chat/completions",
                chat("blend", "hi").replace("{\"model\"", "{\"blender\":{\"details\":true},\"model\""),
                AUTH);
        JsonNode d = r.json().get("blender");
        assertThat(d.get("mode").asText()).isEqualTo("blend");
        assertThat(d.get("called").findValuesAsText("called")).isEmpty();
        assertThat(d.get("called").get(0).asText()).isEqualTo("alpha");
        assertThat(d.has("timings_ms")).isTrue();
        assertThat(post(server, "/v1/chat/completions", chat("blend", "hi"), AUTH)
                        .json()
                        .has("blender"))
                .isFalse();
        assertThat(List.of(r.status())).containsExactly(200);
    }
}
