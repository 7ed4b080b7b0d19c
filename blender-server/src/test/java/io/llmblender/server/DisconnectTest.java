package io.llmblender.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A client that goes away mid-stream cancels its upstream calls: the upstream sees its connection closed. */
class DisconnectTest {

    @Test
    void stream_clientDisconnects_upstreamCallIsCancelled() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (LoopbackOpenAiServer upstream = new LoopbackOpenAiServer();
                OpenAiCompatibleClient client = Fixtures.client("alpha", upstream)) {
            upstream.answering(req -> Fixtures.endlessStream("alpha", 20, events));
            try (BlenderServer server =
                    BlenderServer.builder().upstream(client).port(0).start()) {
                int ticks = streamThenHangUp(server, "alpha", line -> line.contains("tick"), 3);
                assertThat(ticks).isEqualTo(3); // the client went away mid-stream
                awaitEvents(events, 1);
                assertThat(events).containsExactly("client gone");
            }
        }
    }

    /**
     * Posts a streamed request for {@code model} over a raw socket, reads lines until {@code wanted} of them match,
     * then closes the socket (the client hangs up mid-stream).
     *
     * @return how many matching lines were read before the stream ended or the socket closed
     */
    private static int streamThenHangUp(
            BlenderServer server, String model, java.util.function.Predicate<String> matches, int wanted)
            throws java.io.IOException {
        String body =
                "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                            + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int seen = 0;
            while ((line = in.readLine()) != null && seen < wanted) {
                if (matches.test(line)) {
                    seen++;
                }
            }
            return seen;
        }
    }

    /** Waits up to 10 s for at least {@code count} upstream events. */
    private static void awaitEvents(List<String> events, int count) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (events.size() < count && System.nanoTime() < until) {
            Thread.sleep(20);
        }
    }

    /** An upstream that sends headers, then a space every 20 ms (valid leading JSON whitespace), noting a hang-up. */
    static LoopbackOpenAiServer.Reply dribble(List<String> events) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (int i = 0; i < 1_500; i++) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(20);
                }
                events.add("finished");
            } catch (java.io.IOException e) {
                events.add("client gone");
            }
        };
    }

    @Test
    void blendedStream_clientDisconnectsDuringKeepAlives_upstreamCallsAreCancelled() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (LoopbackOpenAiServer a = new LoopbackOpenAiServer();
                LoopbackOpenAiServer b = new LoopbackOpenAiServer();
                OpenAiCompatibleClient ca = Fixtures.client("alpha", a);
                OpenAiCompatibleClient cb = Fixtures.client("beta", b)) {
            a.answering(req -> dribble(events));
            b.answering(req -> dribble(events));
            try (BlenderServer server = BlenderServer.builder()
                    .upstream(ca)
                    .upstream(cb)
                    .port(0)
                    .limits(ServerLimits.builder()
                            .keepAlive(Duration.ofMillis(50))
                            .build())
                    .start()) {
                int comments = streamThenHangUp(server, "blend", line -> line.startsWith(": keep-alive"), 2);
                assertThat(comments).isEqualTo(2); // gone while the answers are still coming
                awaitEvents(events, 2);
                assertThat(events).containsExactly("client gone", "client gone");
            }
        }
    }

    @Test
    void slowClient_sendingHeadersForeverIsCutAtTheIdleTimeout() throws Exception {
        try (LoopbackOpenAiServer a = Fixtures.upstream("alpha", "Hi.", 1, 1);
                OpenAiCompatibleClient ca = Fixtures.client("alpha", a);
                BlenderServer server = BlenderServer.builder()
                        .upstream(ca)
                        .port(0)
                        .limits(ServerLimits.builder()
                                .idleTimeout(Duration.ofMillis(300))
                                .build())
                        .start();
                Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            long t0 = System.nanoTime();
            byte[] rest = s.getInputStream().readAllBytes(); // returns when the server closes the connection
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(new String(rest, StandardCharsets.UTF_8)).doesNotContain("200 OK");
        }
    }
}
