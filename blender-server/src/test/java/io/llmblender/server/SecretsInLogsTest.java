package io.llmblender.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Caller keys, upstream keys and prompt text never reach the log (captured) nor a response body. */
class SecretsInLogsTest {

    static final String CALLER_KEY = "sk-caller-LEAK-1111";
    static final String WRONG_KEY = "sk-wrong-LEAK-2222";
    static final String UPSTREAM_KEY = "sk-upstream-LEAK-3333";
    static final String PROMPT = "my PROMPT-LEAK-4444 question";

    @Test
    void requests_rightWrongAndFailing_logNoKeyAndNoPrompt() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        List<String> bodies = new ArrayList<>();
        try (LoopbackOpenAiServer up = Fixtures.upstream("alpha", "Fine.", 1, 1);
                LoopbackOpenAiServer failing = new LoopbackOpenAiServer();
                OpenAiCompatibleClient alpha = OpenAiCompatibleClient.builder()
                        .name("alpha")
                        .baseUrl(up.baseUrl())
                        .model("alpha")
                        .apiKey(UPSTREAM_KEY)
                        .maxAttempts(1)
                        .build();
                OpenAiCompatibleClient beta = OpenAiCompatibleClient.builder()
                        .name("beta")
                        .baseUrl(failing.baseUrl())
                        .model("beta")
                        .apiKey(UPSTREAM_KEY)
                        .maxAttempts(2)
                        .initialBackoff(Duration.ofMillis(10))
                        .maxBackoff(Duration.ofMillis(20))
                        .requestTimeout(Duration.ofSeconds(5))
                        .build()) {
            // an upstream that fails and echoes what it was sent, key and prompt included
            failing.answering(req -> LoopbackOpenAiServer.json(
                    500,
                    "{\"error\":{\"message\":\"bad " + req.header("Authorization") + " "
                            + req.body().replace("\"", "'") + "\"}}"));
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (BlenderServer server = BlenderServer.builder()
                    .upstream(alpha)
                    .upstream(beta)
                    .apiKey(ApiKey.plain("alice", CALLER_KEY))
                    .port(0)
                    .start()) {
                String auth = "Bearer " + CALLER_KEY;
                bodies.add(Fixtures.post(
                                server, "/v1/chat/completions", Fixtures.chat("blend", PROMPT), "Authorization", auth)
                        .body());
                bodies.add(Fixtures.post(
                                server, "/v1/chat/completions", Fixtures.chat("beta", PROMPT), "Authorization", auth)
                        .body());
                bodies.add(Fixtures.post(
                                server,
                                "/v1/chat/completions",
                                Fixtures.chat("blend", PROMPT),
                                "Authorization",
                                "Bearer " + WRONG_KEY)
                        .body());
                bodies.add(Fixtures.post(
                                server, "/v1/chat/completions", Fixtures.chat("nope", PROMPT), "Authorization", auth)
                        .body());
                bodies.add(Fixtures.post(
                                server,
                                "/v1/chat/completions",
                                Fixtures.chat("alpha", PROMPT).replace("{\"model\"", "{\"stream\":true,\"model\""),
                                "Authorization",
                                auth)
                        .body());
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log)
                .contains("POST /v1/chat/completions model=blend key=alice -> 200")
                .contains("model=beta key=alice -> 502")
                .contains("-> 401")
                .contains("HTTP 500; retry 1 of 1");
        for (String secret : List.of(CALLER_KEY, WRONG_KEY, UPSTREAM_KEY, "PROMPT-LEAK-4444")) {
            assertThat(log).as("the log").doesNotContain(secret);
        }
        for (String body : bodies) {
            assertThat(body)
                    .doesNotContain(CALLER_KEY)
                    .doesNotContain(WRONG_KEY)
                    .doesNotContain(UPSTREAM_KEY);
        }
    }
}
