package io.llmblender.openai;

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
import io.llmblender.testkit.FakeTicker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import io.llmblender.testkit.WatchedClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Blender over real OpenAI-compatible servers on loopback. The Blender's timeouts run on a {@link FakeTicker}: they
 * fire when a test advances it, never because the machine was slow (the HTTP client's own request timeout stays on
 * real time, and is far away).
 */
class BlenderOverHttpTest {

    private final List<LoopbackOpenAiServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(LoopbackOpenAiServer::close);
    }

    private OpenAiCompatibleClient clientFor(String name, LoopbackOpenAiServer.Reply reply) throws Exception {
        LoopbackOpenAiServer server = new LoopbackOpenAiServer().reply(reply);
        servers.add(server);
        return OpenAiCompatibleClient.builder()
                .name(name)
                .baseUrl(server.baseUrl())
                .model(name)
                .maxAttempts(1)
                .build();
    }

    @Test
    void blend_threeServersOfDifferentLatencyAndOneFailing_keepsAnswersAndRecordsFailure() throws Exception {
        try (Blender blender = Blender.builder()
                .client(clientFor("fast", completion("Fast answer.", "stop", 5, 3)))
                .client(clientFor("medium", delayed(150, completion("Medium answer.", "stop", 5, 3))))
                .client(clientFor("slow", delayed(400, completion("Slow answer.", "stop", 5, 3))))
                .client(clientFor("broken", json(500, "{\"error\":{\"message\":\"internal error\"}}")))
                .perClientTimeout(Duration.ofSeconds(10))
                .ticker(new FakeTicker()) // never advanced: however slow the servers are, no client times out
                .build()) {
            BlendResult result = blender.blend(Prompt.of("Answer."));

            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("fast", "medium", "slow");
            assertThat(result.candidates())
                    .extracting(Candidate::text)
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
        FakeTicker ticker = new FakeTicker();
        WatchedClient fast = WatchedClient.of(clientFor("fast", completion("ok", "stop", 1, 1)));
        WatchedClient stuck = WatchedClient.of(OpenAiCompatibleClient.builder()
                .name("stuck")
                .baseUrl(hanging.baseUrl())
                .model("m")
                .build());
        try (Blender blender = Blender.builder()
                .client(fast)
                .client(stuck)
                .deadline(Duration.ofMillis(300))
                .ticker(ticker)
                .build()) {
            FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(Prompt.of("Answer.")));
            new Thread(blend, "blend").start();
            fast.awaitDone(1); // the fast server has answered: advancing can only cut off the stuck one
            assertThat(ticker.awaitWaiter()).as("the wait for the stuck server").isEqualTo(Duration.ofMillis(300));
            ticker.advance(Duration.ofMillis(300));
            BlendResult result = blend.get();

            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("fast");
            assertThat(result.failures())
                    .singleElement()
                    .extracting(ClientFailure::kind)
                    .isEqualTo(ClientFailure.Kind.DEADLINE);
            assertThat(stuck.calls())
                    .singleElement()
                    .satisfies(call -> assertThat(call).isCancelled());
        }
    }
}
