package io.llmblender.server;

import static io.llmblender.server.Fixtures.chat;
import static io.llmblender.server.Fixtures.error;
import static io.llmblender.server.Fixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of upstream failure reaches the client and the log with a short reason of its own, and no body. */
class UpstreamFailureReasonsTest {

    @Test
    void failures_refusedNotJsonNoChoicesAndStatus_eachSayWhy() throws Exception {
        LoopbackOpenAiServer gone = new LoopbackOpenAiServer();
        String goneUrl = gone.baseUrl();
        gone.close();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (LoopbackOpenAiServer notJson = new LoopbackOpenAiServer();
                LoopbackOpenAiServer noChoices = new LoopbackOpenAiServer();
                LoopbackOpenAiServer status = new LoopbackOpenAiServer();
                OpenAiCompatibleClient refusedClient = OpenAiCompatibleClient.builder()
                        .name("refused")
                        .baseUrl(goneUrl)
                        .model("r")
                        .maxAttempts(1)
                        .build();
                OpenAiCompatibleClient notJsonClient = Fixtures.client("notjson", notJson);
                OpenAiCompatibleClient noChoicesClient = Fixtures.client("nochoices", noChoices);
                OpenAiCompatibleClient statusClient = Fixtures.client("status", status)) {
            notJson.answering(req -> LoopbackOpenAiServer.json(200, "<html>SECRET-BODY</html>"));
            noChoices.answering(req -> LoopbackOpenAiServer.json(200, "{\"choices\":[],\"note\":\"SECRET-BODY\"}"));
            status.answering(req -> LoopbackOpenAiServer.json(503, "{\"error\":{\"message\":\"SECRET-BODY\"}}"));
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (BlenderServer server = BlenderServer.builder()
                    .upstreams(List.of(refusedClient, notJsonClient, noChoicesClient, statusClient))
                    .port(0)
                    .start()) {
                Fixtures.Reply blend = post(server, "/v1/chat/completions", chat("blend", "hi"));
                assertThat(blend.status()).isEqualTo(502);
                assertThat(error(blend).get("message").asText())
                        .contains("refused error (connection refused)")
                        .contains("notjson error (answer not JSON)")
                        .contains("nochoices error (answer without choices)")
                        .contains("status error (HTTP 503)")
                        .doesNotContain("SECRET-BODY");
                Fixtures.Reply refused = post(server, "/v1/chat/completions", chat("refused", "hi"));
                assertThat(error(refused).get("message").asText()).contains("connection refused");
                Fixtures.Reply noJson = post(server, "/v1/chat/completions", chat("notjson", "hi"));
                assertThat(error(noJson).get("message").asText())
                        .contains("answer not JSON")
                        .doesNotContain("SECRET-BODY");
            } finally {
                System.setErr(original);
            }
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log)
                .contains("connection refused")
                .contains("answer not JSON")
                .contains("answer without choices")
                .contains("HTTP 503")
                .doesNotContain("SECRET-BODY");
    }
}
