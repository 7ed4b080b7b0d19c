package io.llmblender.server;

import static io.llmblender.server.Fixtures.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link BlenderServer#close()} drains: requests in flight are answered in full, new ones are turned away. */
class GracefulStopTest {

    @Test
    void close_requestInFlightLongerThanTheOldTwoSeconds_isAnsweredInFull() throws Exception {
        try (LoopbackOpenAiServer up = new LoopbackOpenAiServer();
                OpenAiCompatibleClient alpha = Fixtures.client("alpha", up)) {
            up.answering(req -> LoopbackOpenAiServer.delayed(
                    3_000,
                    LoopbackOpenAiServer.json(
                            200, LoopbackOpenAiServer.completionJson("alpha", "Slow but sure.", "stop", 1, 1))));
            BlenderServer server = BlenderServer.builder()
                    .upstream(alpha)
                    .shutdownGrace(Duration.ofSeconds(20))
                    .port(0)
                    .start();
            int port = server.port();
            CompletableFuture<Fixtures.Reply> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return Fixtures.post(server, "/v1/chat/completions", chat("alpha", "hi"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (up.requests().isEmpty() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(up.requests()).as("the request reached the upstream").hasSize(1);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close); // what SIGTERM's hook does
            until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean refused = false;
            while (!refused && System.nanoTime() < until) {
                try {
                    new java.net.Socket("127.0.0.1", port).close();
                    Thread.sleep(10); // still accepting: the drain has not begun yet
                } catch (ConnectException e) {
                    refused = true;
                } catch (java.net.SocketException e) {
                    // the listening socket closing under a connect in progress resets it: refused as well
                    refused = true;
                }
            }
            assertThat(refused).as("no new connection once the drain began").isTrue();

            Fixtures.Reply r = inFlight.get(30, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().at("/choices/0/message/content").asText()).isEqualTo("Slow but sure.");
            closing.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shutdownGrace_negative_isRefusedNamingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> BlenderServer.builder().shutdownGrace(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shutdownGrace")
                .hasMessageContaining("PT-1S");
    }
}
