package io.llmblender.cli;

import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blender serve}: starts the server from a config file and answers an OpenAI request until interrupted. */
class ServeCommandTest {

    @TempDir
    Path dir;

    @Test
    void serve_configWithTestRanker_answersChatCompletionsUntilInterrupted() throws Exception {
        try (LoopbackOpenAiServer alpha = new LoopbackOpenAiServer().reply(completion("Red.", "stop", 5, 2));
                LoopbackOpenAiServer beta = new LoopbackOpenAiServer().reply(completion("Blue.", "stop", 4, 1))) {
            Path config = dir.resolve("server.json");
            Files.writeString(
                    config,
                    "{\"llms\": [{\"name\": \"alpha\", \"base_url\": \"" + alpha.baseUrl()
                            + "\", \"model\": \"a\"}, {\"name\": \"beta\", \"base_url\": \"" + beta.baseUrl()
                            + "\", \"model\": \"b\"}], \"server\": {\"port\": 0}}");
            Path portFile = dir.resolve("port");
            StringWriter err = new StringWriter();
            AtomicInteger rc = new AtomicInteger(-1);
            Thread serving = new Thread(() -> rc.set(BlenderCli.run(
                    new PrintWriter(new StringWriter(), true),
                    new PrintWriter(err, true),
                    "serve",
                    "--config",
                    config.toString(),
                    "--ranker",
                    "test",
                    "--port-file",
                    portFile.toString())));
            serving.start();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(portFile) && serving.isAlive() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(portFile).as(err.toString()).exists();
            int port = Integer.parseInt(Files.readString(portFile).strip());
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"model\":\"blend\",\"messages\":[{\"role\":\"user\","
                                                    + "\"content\":\"Name a colour.\"}]}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(r.body());
            assertThat(body.get("choices").get(0).get("message").get("content").asText())
                    .isIn("Red.", "Blue.");
            assertThat(body.get("usage").get("total_tokens").asInt()).isEqualTo(12);
            assertThat(r.headers().firstValue("x-blender-calls")).contains("2");
            serving.interrupt();
            serving.join(10_000);
            assertThat(rc.get()).isZero();
            assertThat(err.toString())
                    .contains("serving [blend, alpha, beta] at http://127.0.0.1:" + port + "/v1")
                    .contains("random weights");
        }
    }

    @Test
    void serve_unknownConfigField_failsNamingFileAndField() throws Exception {
        Path config = dir.resolve("bad.json");
        Files.writeString(
                config, "{\"llms\": [{\"base_url\": \"http://127.0.0.1:9/v1\", \"model\": \"a\"}], \"sever\": {}}");
        StringWriter err = new StringWriter();
        int rc = BlenderCli.run(
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true),
                "serve",
                "--config",
                config.toString());
        assertThat(rc).isEqualTo(BlenderCli.FAILED);
        assertThat(err.toString())
                .contains(config.toString())
                .contains("unknown field 'sever'")
                .doesNotContain("\tat ");
    }
}
