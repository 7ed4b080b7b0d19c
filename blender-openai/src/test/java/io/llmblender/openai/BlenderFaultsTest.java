package io.llmblender.openai;

import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static io.llmblender.testkit.LoopbackOpenAiServer.json;
import static io.llmblender.testkit.LoopbackOpenAiServer.reset;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.Candidate;
import io.llmblender.core.ClientFailure;
import io.llmblender.core.llm.Prompt;
import io.llmblender.testkit.FakeTicker;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import io.llmblender.testkit.WatchedClient;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A Blender over five real HTTP clients on loopback, each failing its own way: one slower than its timeout, one
 * answering 500 then succeeding, one answering 429 with Retry-After then succeeding, one resetting every connection,
 * one healthy. The blend returns in bounded time with every failure reported, the slow call's connection is closed
 * rather than left open, and close leaves no thread of the Blender behind. The Blender's timeout runs on a
 * {@link FakeTicker}: the slow client times out when the test advances it, once the others have answered or failed,
 * so a busy machine cannot push the retried clients past it (their retries and backoffs are real time).
 */
class BlenderFaultsTest {

    private static OpenAiCompatibleClient client(String name, LoopbackOpenAiServer server) {
        return OpenAiCompatibleClient.builder()
                .name(name)
                .baseUrl(server.baseUrl())
                .model("m")
                .maxAttempts(3)
                .initialBackoff(Duration.ofMillis(50))
                .requestTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Test
    void blend_fiveClientsFailingDifferently_returnsInBoundedTimeAndReportsEachFailure() throws Exception {
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch slowDisconnected = new CountDownLatch(1);
        LoopbackOpenAiServer.Reply trickle = exchange -> {
            slowStarted.countDown();
            // A body of JSON white space, one byte at a time: never complete; the write fails once the client hangs up.
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (int i = 0; i < 600; i++) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(20);
                }
            } catch (IOException e) {
                slowDisconnected.countDown();
            }
        };
        try (LoopbackOpenAiServer slow = new LoopbackOpenAiServer().reply(trickle);
                LoopbackOpenAiServer flaky = new LoopbackOpenAiServer()
                        .reply(
                                json(500, "{\"error\":{\"message\":\"try again\"}}"),
                                completion("flaky recovered after a retry", "stop", 5, 5));
                LoopbackOpenAiServer limited = new LoopbackOpenAiServer()
                        .reply(
                                json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "1"),
                                completion("limited answered after waiting", "stop", 5, 5));
                LoopbackOpenAiServer resetting = new LoopbackOpenAiServer().reply(reset());
                LoopbackOpenAiServer healthy = new LoopbackOpenAiServer().reply(completion("healthy", "stop", 5, 1))) {
            List<OpenAiCompatibleClient> clients = List.of(
                    client("slow", slow),
                    client("flaky", flaky),
                    client("limited", limited),
                    client("resetting", resetting),
                    client("healthy", healthy));
            List<WatchedClient> others = clients.subList(1, clients.size()).stream()
                    .map(WatchedClient::of)
                    .toList();
            FakeTicker ticker = new FakeTicker();
            Blender blender = Blender.builder()
                    .client(clients.get(0))
                    .clients(others)
                    .ranker(new LengthRanker())
                    .perClientTimeout(Duration.ofSeconds(3))
                    .deadline(Duration.ofSeconds(4))
                    .ticker(ticker)
                    .build();
            FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(Prompt.of("Name a colour.")));
            new Thread(blend, "blend").start();
            for (WatchedClient other : others) {
                other.awaitDone(1);
            }
            slowStarted.await(); // the slow call is on the wire, so timing it out has a connection to close
            // Bounded: all that is left is the slow call, with its full per-client timeout (before the deadline); the
            // blend returns once the ticker reaches it.
            assertThat(ticker.awaitWaiter()).isEqualTo(Duration.ofSeconds(3));
            ticker.advance(Duration.ofSeconds(3));
            BlendResult result = blend.get();

            assertThat(result.candidates())
                    .extracting(Candidate::client)
                    .containsExactly("flaky", "limited", "healthy");
            Map<String, ClientFailure.Kind> failures =
                    result.failures().stream().collect(Collectors.toMap(ClientFailure::name, ClientFailure::kind));
            assertThat(failures)
                    .containsOnly(
                            Map.entry("slow", ClientFailure.Kind.TIMEOUT),
                            Map.entry("resetting", ClientFailure.Kind.ERROR));
            assertThat(result.failures())
                    .filteredOn(f -> f.name().equals("resetting"))
                    .singleElement()
                    .satisfies(f -> assertThat(f.cause()).hasMessageContaining("3 attempts"));
            assertThat(flaky.requests()).hasSize(2);
            assertThat(limited.requests()).hasSize(2);
            assertThat(result.best().client()).isEqualTo("limited"); // the longest answer, by LengthRanker
            assertThat(slowDisconnected.await(10, TimeUnit.SECONDS))
                    .as("the timed-out call's connection is closed")
                    .isTrue();

            blender.close();
            clients.forEach(OpenAiCompatibleClient::close);
            assertThat(threads("blender-\\d+-client-\\d+"))
                    .as("threads of the Blender after close")
                    .isEmpty();
            assertThat(threads("blender-http-.*"))
                    .as("HTTP worker threads after the clients' close")
                    .isEmpty();
        }
    }

    private static List<String> threads(String namePattern) throws InterruptedException {
        List<String> alive = List.of();
        for (int i = 0; i < 50; i++) {
            alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .filter(n -> n.matches(namePattern))
                    .toList();
            if (alive.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        return alive;
    }
}
