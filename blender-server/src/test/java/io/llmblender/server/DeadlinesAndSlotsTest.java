package io.llmblender.server;

import static io.llmblender.server.Fixtures.chat;
import static io.llmblender.server.Fixtures.error;
import static io.llmblender.server.Fixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request deadline, upstream timeouts and per-key slots, over real HTTP on loopback. */
class DeadlinesAndSlotsTest {

    LoopbackOpenAiServer fastUp;
    LoopbackOpenAiServer hungUp;
    LoopbackOpenAiServer brokenUp;
    OpenAiCompatibleClient fast;
    OpenAiCompatibleClient hung;
    OpenAiCompatibleClient broken;
    BlenderServer server;

    @BeforeEach
    void upstreams() throws Exception {
        fastUp = Fixtures.upstream("fast", "A fast answer.", 3, 4);
        hungUp = new LoopbackOpenAiServer();
        hungUp.answering(req -> hungUp.hang());
        brokenUp = new LoopbackOpenAiServer();
        brokenUp.answering(req -> LoopbackOpenAiServer.json(500, "{\"error\":{\"message\":\"down\"}}"));
        fast = Fixtures.client("fast", fastUp);
        hung = Fixtures.client("hung", hungUp);
        broken = Fixtures.client("broken", brokenUp);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable c : List.<AutoCloseable>of(fast, hung, broken, fastUp, hungUp, brokenUp)) {
            try {
                c.close();
            } catch (Exception e) {
                // already closed
            }
        }
    }

    private void serve(Duration requestDeadline, Duration upstreamTimeout) {
        server = BlenderServer.builder()
                .upstreams(List.of(fast, hung, broken))
                .ensemble(Ensemble.blend("blend", List.of("fast", "hung")))
                .ensemble(Ensemble.blend("slow", List.of("hung")))
                .ensemble(Ensemble.blend("down", List.of("broken")))
                .ranker(new LengthRanker())
                .perClientTimeout(upstreamTimeout)
                .limits(ServerLimits.builder().requestDeadline(requestDeadline).build())
                .port(0)
                .start();
    }

    @Test
    void blend_deadlineBelowTimeout_answersWithWhatArrived() throws Exception {
        serve(Duration.ofSeconds(2), Duration.ofSeconds(60));
        Fixtures.Reply r = post(
                server,
                "/v1/chat/completions",
                chat("blend", "hi").replace("{\"model\"", "{\"blender\":{\"details\":true},\"model\""));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("A fast answer.");
        assertThat(r.headers().firstValue("x-blender-chosen")).contains("fast");
        assertThat(body.at("/blender/failures/0/client").asText()).isEqualTo("hung");
        assertThat(body.at("/blender/failures/0/kind").asText()).isEqualTo("deadline");

        Fixtures.Reply streamed = post(
                server,
                "/v1/chat/completions",
                chat("blend", "hi").replace("{\"model\"", "{\"stream\":true,\"model\""));
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.body()).contains("A fast answer.").doesNotContain("\"error\"");
    }

    @Test
    void hungUpstream_passThroughAndBlend_bothAnswer504() throws Exception {
        serve(Duration.ofSeconds(1), Duration.ofSeconds(60));
        Fixtures.Reply passThrough = post(server, "/v1/chat/completions", chat("hung", "hi"));
        Fixtures.Reply blend = post(server, "/v1/chat/completions", chat("slow", "hi"));
        assertThat(passThrough.status()).as(passThrough.body()).isEqualTo(504);
        assertThat(blend.status()).as(blend.body()).isEqualTo(504);
        assertThat(error(blend).get("message").asText())
                .contains("1000 ms")
                .contains("hung deadline")
                .doesNotContain("deadline (timeout)");
    }

    @Test
    void hungUpstream_timeoutBelowDeadline_passThroughAndBlendBothAnswer504NamingTheTimeout() throws Exception {
        serve(Duration.ofSeconds(30), Duration.ofMillis(500));
        Fixtures.Reply passThrough = post(server, "/v1/chat/completions", chat("hung", "hi"));
        Fixtures.Reply blend = post(server, "/v1/chat/completions", chat("slow", "hi"));
        assertThat(passThrough.status()).as(passThrough.body()).isEqualTo(504);
        assertThat(blend.status()).as(blend.body()).isEqualTo(504);
        assertThat(error(passThrough).get("message").asText()).contains("upstream timeout of 500 ms");
        assertThat(error(blend).get("message").asText()).contains("upstream timeout of 500 ms");
    }

    @Test
    void failingUpstream_passThroughAndBlend_bothAnswer502() throws Exception {
        serve(Duration.ofSeconds(30), Duration.ofSeconds(20));
        Fixtures.Reply passThrough = post(server, "/v1/chat/completions", chat("broken", "hi"));
        Fixtures.Reply blend = post(server, "/v1/chat/completions", chat("down", "hi"));
        assertThat(passThrough.status()).as(passThrough.body()).isEqualTo(502);
        assertThat(blend.status()).as(blend.body()).isEqualTo(502);
        assertThat(error(passThrough).get("message").asText()).contains("HTTP 500");
        assertThat(error(blend).get("message").asText()).contains("HTTP 500");
    }

    @Test
    void keySlot_freeAgainWhenTheClientHasReadTheAnswer() throws Exception {
        fastUp.answering(req -> LoopbackOpenAiServer.sse(
                true,
                Fixtures.chunk("fast", "\"Hi.\"", "\"stop\""),
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}"));
        // the server's work after the answer (here: counting its tokens) takes a while, as on a busy machine
        PrometheusMeterRegistry slowMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) {
            @Override
            public Counter newCounter(Meter.Id id) {
                Counter c = super.newCounter(id);
                if (!id.getName().equals("blender.server.tokens")) {
                    return c;
                }
                return new Counter() {
                    @Override
                    public void increment(double amount) {
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        c.increment(amount);
                    }

                    @Override
                    public double count() {
                        return c.count();
                    }

                    @Override
                    public Meter.Id getId() {
                        return c.getId();
                    }
                };
            }
        };
        server = BlenderServer.builder()
                .upstream(fast)
                .meterRegistry(slowMetrics)
                .limits(ServerLimits.builder().maxConcurrentPerKey(1).build())
                .port(0)
                .start();
        String body = chat("fast", "hi").replace("{\"model\"", "{\"stream\":true,\"model\"");
        // one caller, one request at a time: the next starts as soon as the previous answer was read
        for (int i = 0; i < 5; i++) {
            String reply = exchange(body);
            assertThat(reply).as("request " + i).startsWith("HTTP/1.1 200").contains("[DONE]");
        }
    }

    /** One request on its own connection, read to the end; returns the whole response. */
    private String exchange(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Connection: close\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                all.write(buf, 0, n);
                String sofar = all.toString(StandardCharsets.UTF_8);
                // stop at the answer's end, as a client does, not at the connection's close
                if (sofar.contains("[DONE]")
                        || (sofar.contains("\"usage\"") && sofar.trim().endsWith("}"))
                        || sofar.contains("\"error\"")) {
                    break;
                }
            }
            return all.toString(StandardCharsets.UTF_8);
        }
    }
}
