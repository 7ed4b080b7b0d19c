package io.llmblender.openai;

import io.llmblender.testkit.LoopbackOpenAiServer;
import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static io.llmblender.testkit.LoopbackOpenAiServer.delayed;
import static io.llmblender.testkit.LoopbackOpenAiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.Candidate;
import io.llmblender.core.ClientFailure;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.Prompt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A Blender over real OpenAI-compatible servers on loopback. */
class BlenderOverHttpTest {

    private final List<LoopbackOpenAiServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(LoopbackOpenAiServer::close);
    }

    private OpenAiCompatibleClient clientFor(String name, LoopbackOpenAiServer.Reply reply) throws Exception {
        LoopbackOpenAiServer server = new LoopbackOpenAiServer().reply(reply);
        servers.add(server);
        return OpenAiCompatibleClient.builder().name(name).baseUrl(server.baseUrl()).model(name)
                .maxAttempts(1).build();
    }

    @Test
    void blend_threeServersOfDifferentLatencyAndOneFailing_keepsAnswersAndRecordsFailure() throws Exception {
        try (Blender blender = Blender.builder()
                .client(clientFor("fast", completion("Fast answer.", "stop", 5, 3)))
                .client(clientFor("medium", delayed(150, completion("Medium answer.", "stop", 5, 3))))
                .client(clientFor("slow", delayed(400, completion("Slow answer.", "stop", 5, 3))))
                .client(clientFor("broken", json(500, "{\"error\":{\"message\":\"internal error\"}}")))
                .perClientTimeout(Duration.ofSeconds(10))
                .build()) {
            BlendResult result = blender.blend(Prompt.of("Answer."));

            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("fast", "medium", "slow");
            assertThat(result.candidates()).extracting(Candidate::text)
                    .containsExactly("Fast answer.", "Medium answer.", "Slow answer.");
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("broken");
                assertThat(f.kind()).isEqualTo(ClientFailure.Kind.ERROR);
                assertThat(f.cause()).isInstanceOf(LlmCallException.class).hasMessageContaining("HTTP 500");
            });
        }
    }

    @Test
    void blend_serverPastDeadline_cancelledAndRecorded() throws Exception {
        LoopbackOpenAiServer hanging = new LoopbackOpenAiServer();
        servers.add(hanging);
        hanging.reply(hanging.hang());
        try (Blender blender = Blender.builder()
                .client(clientFor("fast", completion("ok", "stop", 1, 1)))
                .client(OpenAiCompatibleClient.builder().name("stuck").baseUrl(hanging.baseUrl()).model("m").build())
                .deadline(Duration.ofMillis(300))
                .build()) {
            BlendResult result = blender.blend(Prompt.of("Answer."));
            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("fast");
            assertThat(result.failures()).singleElement().extracting(ClientFailure::kind)
                    .isEqualTo(ClientFailure.Kind.DEADLINE);
        }
    }
}
