package io.llmblender.server;

import static io.llmblender.server.Fixtures.chat;
import static io.llmblender.server.Fixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Usage, call counts and the answering model, as clients and operators see them over HTTP. */
class UsageAndCallsTest {

    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        closing.add(c);
        return c;
    }

    /** An upstream that streams as OpenAI does: the usage chunk only when the request asks for it. */
    private LoopbackOpenAiServer openAiStyle(String model, String answer, int prompt, int completion) throws Exception {
        LoopbackOpenAiServer s = keep(new LoopbackOpenAiServer());
        s.answering(req -> {
            if (!req.body().contains("\"stream\":true")) {
                return LoopbackOpenAiServer.json(
                        200, LoopbackOpenAiServer.completionJson(model, answer, "stop", prompt, completion));
            }
            List<String> chunks = new ArrayList<>(List.of(Fixtures.chunks(model, answer)));
            if (req.body().contains("\"include_usage\":true")) {
                chunks.add("{\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                        + completion + "}}");
            }
            return LoopbackOpenAiServer.sse(true, chunks.toArray(String[]::new));
        });
        return s;
    }

    private static String streamed(String model) {
        return chat(model, "hi")
                .replace("{\"model\"", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\"");
    }

    /** The data of the stream's last chunk before [DONE]. */
    private static JsonNode lastChunk(Fixtures.Reply r) throws Exception {
        String last = null;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: {")) {
                last = line.substring(6);
            }
        }
        return Fixtures.JSON.readTree(last);
    }

    @Test
    void streamedPassThrough_asksTheUpstreamForUsageAndReportsIt() throws Exception {
        LoopbackOpenAiServer up = openAiStyle("alpha", "Hello there.", 5, 2);
        OpenAiCompatibleClient alpha = keep(Fixtures.client("alpha", up));
        BlenderServer server =
                keep(BlenderServer.builder().upstream(alpha).port(0).start());
        Fixtures.Reply r = post(server, "/v1/chat/completions", streamed("alpha"));
        assertThat(r.status()).isEqualTo(200);
        JsonNode usage = lastChunk(r).get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).as(r.body()).isEqualTo(5);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(2);
        assertThat(Fixtures.get(server, "/metrics").body())
                .contains("blender_server_tokens_total{ensemble=\"alpha\",type=\"prompt\"} 5.0");
    }

    @Test
    void upstreamThatReportsNoUsage_isNotAnsweredAsZero() throws Exception {
        LoopbackOpenAiServer up = keep(Fixtures.upstream("alpha", "Hello there.", 5, 2)); // streams without usage
        OpenAiCompatibleClient alpha = keep(Fixtures.client("alpha", up));
        BlenderServer server =
                keep(BlenderServer.builder().upstream(alpha).port(0).start());
        Fixtures.Reply r = post(server, "/v1/chat/completions", streamed("alpha"));
        assertThat(r.status()).isEqualTo(200);
        JsonNode last = lastChunk(r);
        assertThat(last.has("usage")).as(r.body()).isTrue();
        assertThat(last.get("usage").isNull()).as("unknown, not zeros: " + last).isTrue();
    }

    @Test
    void llmFuser_itsCallIsCountedInCallsUsageAndMetrics_andModelNamesTheUpstream() throws Exception {
        LoopbackOpenAiServer aUp = openAiStyle("a", "Short.", 1, 10);
        LoopbackOpenAiServer bUp = openAiStyle("b", "A longer one.", 2, 20);
        LoopbackOpenAiServer goodUp = openAiStyle("good", "The fused answer, longest of all.", 4, 40);
        OpenAiCompatibleClient a = keep(Fixtures.client("a", aUp));
        OpenAiCompatibleClient b = keep(Fixtures.client("b", bUp));
        OpenAiCompatibleClient good = keep(Fixtures.client("good", goodUp));
        BlenderServer server = keep(BlenderServer.builder()
                .upstreams(List.of(a, b, good))
                .ranker(new LengthRanker())
                .fuser(LlmFuser.builder(good).build())
                .port(0)
                .start());

        Fixtures.Reply whole = post(server, "/v1/chat/completions", chat("blend", "hi"));
        assertThat(whole.status()).as(whole.body()).isEqualTo(200);
        assertThat(whole.headers().firstValue("x-blender-calls")).contains("4");
        JsonNode body = whole.json();
        assertThat(body.get("model").asText()).isEqualTo("good");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(1 + 2 + 4 + 4);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(10 + 20 + 40 + 40);
        assertThat(body.at("/usage").has("blender_unreported_calls")).isFalse();

        Fixtures.Reply stream = post(server, "/v1/chat/completions", streamed("blend"));
        assertThat(stream.headers().firstValue("x-blender-chosen"))
                .as("sent before the ranking")
                .isEmpty();
        JsonNode finish = null;
        for (String line : stream.body().split("\n")) {
            if (line.contains("\"finish_reason\":\"stop\"")) {
                finish = Fixtures.JSON.readTree(line.substring(6));
            }
        }
        assertThat(finish).as(stream.body()).isNotNull();
        assertThat(finish.at("/blender/chosen").asText()).isEqualTo("good");
        assertThat(finish.at("/blender/calls").asInt()).isEqualTo(4);
        assertThat(finish.at("/blender/mode").asText()).isEqualTo("blend");
        assertThat(lastChunk(stream).at("/usage/prompt_tokens").asInt()).isEqualTo(11);
        assertThat(lastChunk(stream).get("model").asText()).isEqualTo("good");

        assertThat(aUp.requests().size()
                        + bUp.requests().size()
                        + goodUp.requests().size())
                .isEqualTo(8);
        String metrics = Fixtures.get(server, "/metrics").body();
        assertThat(metrics).contains("blender_server_upstream_calls_total{client=\"good\"} 4.0");
        assertThat(metrics).contains("blender_server_tokens_total{ensemble=\"blend\",type=\"prompt\"} 22.0");
    }

    @Test
    void llmJudgeRanker_itsCallsAreCountedInCallsUsageAndMetrics() throws Exception {
        OpenAiCompatibleClient a = keep(Fixtures.client("a", openAiStyle("a", "Short.", 1, 10)));
        OpenAiCompatibleClient b = keep(Fixtures.client("b", openAiStyle("b", "A longer one.", 2, 20)));
        LoopbackOpenAiServer judgeUp = openAiStyle("judge", "Both are fine. [[A]]", 7, 3);
        OpenAiCompatibleClient judge = keep(Fixtures.client("judge", judgeUp));
        io.llmblender.core.rank.LlmJudgeRanker ranker =
                keep(io.llmblender.core.rank.LlmJudgeRanker.builder(judge).build());
        BlenderServer server = keep(BlenderServer.builder()
                .upstreams(List.of(a, b))
                .ranker(ranker)
                .port(0)
                .start());

        Fixtures.Reply r = post(server, "/v1/chat/completions", chat("blend", "hi"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // two candidates, and the judge asked about the one pair in both orders
        assertThat(judgeUp.requests()).hasSize(2);
        assertThat(r.headers().firstValue("x-blender-calls")).contains("4");
        JsonNode body = r.json();
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(1 + 2 + 2 * 7);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(10 + 20 + 2 * 3);
        assertThat(body.at("/usage").has("blender_unreported_calls")).isFalse();
        String metrics = Fixtures.get(server, "/metrics").body();
        assertThat(metrics).contains("blender_server_upstream_calls_total{client=\"judge\"} 2.0");
        assertThat(metrics).contains("blender_server_tokens_total{ensemble=\"blend\",type=\"prompt\"} 17.0");
    }

    @Test
    void nonAsciiUpstreamName_isPercentEncodedInHeaders_andControlCharactersAreRefused() throws Exception {
        LoopbackOpenAiServer up = openAiStyle("wenxin", "Hello.", 1, 1);
        OpenAiCompatibleClient wenxin = keep(Fixtures.client("文心一言", up));
        BlenderServer server =
                keep(BlenderServer.builder().upstream(wenxin).port(0).start());
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat("blend", "hi"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-blender-chosen")).contains("UTF-8''%E6%96%87%E5%BF%83%E4%B8%80%E8%A8%80");
        assertThat(r.json().get("model").asText()).isEqualTo("文心一言");

        OpenAiCompatibleClient split = keep(Fixtures.client("evil\r\nX-Injected: 1", up));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> BlenderServer.builder().upstream(split).port(0).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control characters");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(
                        "{\"llms\": [{\"name\": \"a\\nb\", \"base_url\": \"http://127.0.0.1:9/v1\", \"model\": \"m\"}]}",
                        "s.json"))
                .hasMessageContaining("'llms[0].name'")
                .hasMessageContaining("control characters");
    }

    @Test
    void router_forSomeUpstreams_routesAmongThemWhileAnotherUpstreamServesPassThrough() throws Exception {
        OpenAiCompatibleClient a = keep(Fixtures.client("a", openAiStyle("a", "From a.", 1, 1)));
        OpenAiCompatibleClient b = keep(Fixtures.client("b", openAiStyle("b", "From b.", 1, 1)));
        OpenAiCompatibleClient added = keep(Fixtures.client("added", openAiStyle("added", "From added.", 1, 1)));
        BlenderServer server = keep(BlenderServer.builder()
                .upstreams(List.of(a, b, added))
                .router(Fixtures.router(List.of("a", "b"), 0.9, 0.1)) // trained before 'added' existed
                .port(0)
                .start());
        Fixtures.Reply routed = post(server, "/v1/chat/completions", chat("route", "hi"));
        assertThat(routed.status()).as(routed.body()).isEqualTo(200);
        assertThat(routed.headers().firstValue("x-blender-chosen")).contains("a");
        Fixtures.Reply passThrough = post(server, "/v1/chat/completions", chat("added", "hi"));
        assertThat(passThrough.json().at("/choices/0/message/content").asText()).isEqualTo("From added.");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlenderServer.builder()
                        .upstreams(List.of(a, added))
                        .router(Fixtures.router(List.of("a", "b"), 0.9, 0.1))
                        .port(0)
                        .start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the upstream 'b' is not configured");
    }
}
