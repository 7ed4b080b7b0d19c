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
            try (BlenderServer server = BlenderServer.builder().upstream(client).port(0).start()) {
                String body = "{\"model\":\"alpha\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                            + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.UTF_8));
                    String line;
                    int ticks = 0;
                    while ((line = in.readLine()) != null && ticks < 3) {
                        if (line.contains("tick")) {
                            ticks++;
                        }
                    }
                    assertThat(ticks).isEqualTo(3);
                } // the client goes away here, mid-stream
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (events.isEmpty() && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(events).containsExactly("client gone");
            }
        }
    }
}
