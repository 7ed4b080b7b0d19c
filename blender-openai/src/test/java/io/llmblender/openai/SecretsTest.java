package io.llmblender.openai;

import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static io.llmblender.testkit.LoopbackOpenAiServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.NoAnswerException;
import io.llmblender.core.llm.Prompt;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * API keys and header values never reach exception messages, toString or logs, even when a server echoes them back.
 * Logs are captured from standard error, where slf4j-simple writes them.
 */
class SecretsTest {

    private static final String KEY = "sk-live-SECRET-0123456789abcdef";
    private static final String ORG = "org-secret-value-987654";

    private static OpenAiCompatibleClient client(LoopbackOpenAiServer server) {
        return OpenAiCompatibleClient.builder()
                .name("echoing")
                .baseUrl(server.baseUrl())
                .model("m")
                .apiKey(KEY)
                .header("OpenAI-Organization", ORG)
                .maxAttempts(2)
                .initialBackoff(Duration.ofMillis(10))
                .build();
    }

    private static String echo(int status) {
        return "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + " for organization " + ORG + "\"}}";
    }

    @Test
    void failedCall_serverEchoesTheKey_exceptionChainHasItRedacted() throws Exception {
        try (LoopbackOpenAiServer server = new LoopbackOpenAiServer().reply(json(401, echo(401)))) {
            OpenAiCompatibleClient client = client(server);
            Throwable e = catchThrowable(() -> client.generate(Prompt.of("Hi")));

            assertThat(e).hasMessageContaining("HTTP 401").hasMessageContaining("[redacted]");
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(KEY).doesNotContain(ORG);
                assertThat(t.toString()).doesNotContain(KEY).doesNotContain(ORG);
            }
            assertThat(client.toString())
                    .doesNotContain(KEY)
                    .doesNotContain(ORG)
                    .contains("with API key");
            assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Bearer " + KEY);
        }
    }

    @Test
    void blend_retriesAndFailuresLogged_neverShowTheKey() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (LoopbackOpenAiServer failing = new LoopbackOpenAiServer().reply(json(500, echo(500)));
                LoopbackOpenAiServer healthy = new LoopbackOpenAiServer().reply(completion("Red.", "stop", 3, 1));
                Blender blender = Blender.builder()
                        .client(client(failing))
                        .client(OpenAiCompatibleClient.builder()
                                .name("healthy")
                                .baseUrl(healthy.baseUrl())
                                .model("m")
                                .apiKey(KEY)
                                .build())
                        .build()) {
            BlendResult result = blender.blend(Prompt.of("Name a colour."));

            assertThat(result.answer()).isEqualTo("Red.");
            assertThat(result.failures())
                    .singleElement()
                    .satisfies(f -> assertThat(f.toString())
                            .contains("HTTP 500")
                            .doesNotContain(KEY)
                            .doesNotContain(ORG));
            assertThat(result.toString()).doesNotContain(KEY);
            assertThat(blender.toString()).doesNotContain(KEY);
        } finally {
            System.setErr(original);
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).as("the capture works").contains("LLM client failed").contains("retry");
        assertThat(logs).doesNotContain(KEY).doesNotContain(ORG);
    }

    @Test
    void noAnswer_messageListsFailuresWithoutTheKey() throws Exception {
        try (LoopbackOpenAiServer failing = new LoopbackOpenAiServer().reply(json(403, echo(403)));
                Blender blender = Blender.builder().client(client(failing)).build()) {
            Throwable e = catchThrowable(() -> blender.blend(Prompt.of("Hi")));

            assertThat(e)
                    .isInstanceOf(NoAnswerException.class)
                    .hasMessageContaining("echoing")
                    .hasMessageNotContaining(KEY)
                    .hasMessageNotContaining(ORG);
        }
    }
}
