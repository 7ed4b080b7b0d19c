package io.llmblender.openai;

import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static io.llmblender.testkit.LoopbackOpenAiServer.json;
import static io.llmblender.testkit.LoopbackOpenAiServer.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.Sampling;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.testkit.FakeTicker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleClientTest {

    private static final String KEY = "sk-test-SECRET-123";
    private static final ObjectMapper JSON = new ObjectMapper();
    private LoopbackOpenAiServer server;

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackOpenAiServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiCompatibleClient.Builder client() {
        return client(server.baseUrl(), Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMillis(20));
    }

    /** As {@link #client()}, with the settings some tests change (a builder setter may be called only once). */
    private static OpenAiCompatibleClient.Builder client(
            String baseUrl, Duration requestTimeout, Duration initialBackoff, Duration maxBackoff) {
        return OpenAiCompatibleClient.builder()
                .name("gpt")
                .baseUrl(baseUrl)
                .model("gpt-4o-mini")
                .apiKey(KEY)
                .initialBackoff(initialBackoff)
                .maxBackoff(maxBackoff)
                .requestTimeout(requestTimeout)
                .random(new Random(1));
    }

    @Test
    void generate_openAiAnswer_parsesTextReasonAndUsage() {
        server.reply(completion("Hello there!", "stop", 9, 12));
        Generation g = client().build().generate(Prompt.of("Say hello."));
        assertThat(g.text()).isEqualTo("Hello there!");
        assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(g.usage()).contains(new TokenUsage(9, 12));
    }

    @Test
    void generate_sendsWireFormatRequest() throws Exception {
        server.reply(completion("ok", "stop", 1, 1));
        client().header("OpenAI-Organization", "org-1")
                .temperature(0.2)
                .topP(0.9)
                .maxTokens(64)
                .seed(7)
                .stop(List.of("\n\n"))
                .build()
                .generate(Prompt.of("Translate.", "Bonjour").withSystem("Be brief."));

        LoopbackOpenAiServer.Request r = server.requests().get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v1/chat/completions");
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("OpenAI-Organization")).isEqualTo("org-1");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.path("messages").toString())
                .isEqualTo(
                        "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Translate.\\nBonjour\"}]");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("seed").asLong()).isEqualTo(7);
        assertThat(body.path("stop").toString()).isEqualTo("[\"\\n\\n\"]");
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void generate_promptSampling_overridesTheBuildersOptionByOption() throws Exception {
        server.reply(completion("ok", "stop", 1, 1));
        client().temperature(0.2)
                .topP(0.9)
                .maxTokens(64)
                .seed(7)
                .build()
                .generate(Prompt.of("Translate.")
                        .withSampling(Sampling.builder()
                                .temperature(1.3)
                                .maxTokens(5)
                                .stop(List.of("END"))
                                .build()));
        JsonNode body = JSON.readTree(server.requests().get(0).body());
        assertThat(body.path("temperature").asDouble()).isEqualTo(1.3);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(5);
        assertThat(body.path("stop").toString()).isEqualTo("[\"END\"]");
        assertThat(body.path("top_p").asDouble())
                .as("not set by the prompt: the builder's")
                .isEqualTo(0.9);
        assertThat(body.path("seed").asLong()).isEqualTo(7);
    }

    @Test
    void generate_noKeyNoOptions_sendsNeitherAuthorizationNorSamplingFields() throws Exception {
        server.reply(completion("ok", "stop", 1, 1));
        OpenAiCompatibleClient.builder()
                .name("local")
                .baseUrl(server.baseUrl() + "/")
                .model("llama3")
                .build()
                .generate(Prompt.of("hi"));
        LoopbackOpenAiServer.Request r = server.requests().get(0);
        assertThat(r.path()).isEqualTo("/v1/chat/completions");
        assertThat(r.header("Authorization")).isNull();
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.has("temperature") || body.has("max_tokens") || body.has("stop"))
                .isFalse();
    }

    @Test
    void generate_builderSystemPrompt_onlyWhenPromptHasNone() throws Exception {
        server.reply(completion("ok", "stop", 1, 1));
        OpenAiCompatibleClient c = client().systemPrompt("You are terse.").build();
        c.generate(Prompt.of("a"));
        c.generate(Prompt.of("b").withSystem("Own system."));
        assertThat(JSON.readTree(server.requests().get(0).body())
                        .path("messages")
                        .get(0)
                        .path("content")
                        .asText())
                .isEqualTo("You are terse.");
        JsonNode second = JSON.readTree(server.requests().get(1).body()).path("messages");
        assertThat(second).hasSize(2);
        assertThat(second.get(0).path("content").asText()).isEqualTo("Own system.");
    }

    @Test
    void generate_chatPrompt_sendsEveryTurnWithRoles() throws Exception {
        server.reply(completion("ok", "stop", 1, 1));
        client().build()
                .generate(Prompt.chat(List.of(
                        ChatMessage.user("hi"), ChatMessage.assistant("hello"), ChatMessage.user("how are you?"))));
        assertThat(JSON.readTree(server.requests().get(0).body())
                        .path("messages")
                        .toString())
                .isEqualTo("[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"},"
                        + "{\"role\":\"user\",\"content\":\"how are you?\"}]");
    }

    @Test
    void generate_vllmAnswer_parses() {
        // vLLM's OpenAI server adds stop_reason and prompt_logprobs and reports "length" at max_tokens.
        server.reply(json(
                200,
                "{\"id\":\"cmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
                        + "\"model\":\"meta-llama/Llama-3-8b\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"Paris is\",\"tool_calls\":[]},\"logprobs\":null,\"finish_reason\":\"length\","
                        + "\"stop_reason\":null}],\"usage\":{\"prompt_tokens\":5,\"total_tokens\":7,\"completion_tokens\":2},"
                        + "\"prompt_logprobs\":null}"));
        Generation g = client().build().generate(Prompt.of("Capital of France?"));
        assertThat(g.text()).isEqualTo("Paris is");
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.usage()).contains(new TokenUsage(5, 2));
    }

    @Test
    void generate_ollamaAnswer_parses() {
        server.reply(json(
                200,
                "{\"id\":\"chatcmpl-405\",\"object\":\"chat.completion\",\"created\":1720000000,"
                        + "\"model\":\"llama3\",\"system_fingerprint\":\"fp_ollama\",\"choices\":[{\"index\":0,\"message\":"
                        + "{\"role\":\"assistant\",\"content\":\"Hi!\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,\"total_tokens\":14}}"));
        Generation g = client().build().generate(Prompt.of("hi"));
        assertThat(g.text()).isEqualTo("Hi!");
        assertThat(g.usage()).contains(new TokenUsage(11, 3));
    }

    @Test
    void generate_toolCallWithNullContent_isEmptyTextWithToolCallsReason() {
        server.reply(json(
                200,
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
                        + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                        + "\"finish_reason\":\"tool_calls\"}]}"));
        Generation g = client().build().generate(Prompt.of("call a tool"));
        assertThat(g.text()).isEmpty();
        assertThat(g.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(g.usage()).isEmpty();
    }

    @Test
    void generateStreaming_deliversTokensInOrderAndAssemblesAnswer() throws Exception {
        server.reply(
                sse(
                        true,
                        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
                        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}",
                        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo!\"},\"finish_reason\":null}]}",
                        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2,\"total_tokens\":6}}"));
        List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
        Generation g =
                client().build().generateStreaming(Prompt.of("hi"), tokens::add).get(10, TimeUnit.SECONDS);

        assertThat(tokens).containsExactly("Hel", "lo!");
        assertThat(g.text()).isEqualTo("Hello!");
        assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(g.usage()).contains(new TokenUsage(4, 2));
        LoopbackOpenAiServer.Request r = server.requests().get(0);
        assertThat(JSON.readTree(r.body()).path("stream").asBoolean()).isTrue();
        assertThat(JSON.readTree(r.body()).at("/stream_options/include_usage").asBoolean())
                .as("OpenAI sends a stream's usage only when asked")
                .isTrue();
        assertThat(r.header("Accept")).isEqualTo("text/event-stream");
    }

    @Test
    void generateStreaming_streamEndsBeforeDone_fails() {
        server.reply(
                sse(false, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"},\"finish_reason\":null}]}"));
        CompletableFuture<Generation> f = client().build().generateStreaming(Prompt.of("hi"), t -> {});
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(LlmCallException.class)
                .hasMessageContaining("ended before [DONE]");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void generateStreaming_malformedChunkThenSilence_failsAtOnceWithoutRetry() throws Exception {
        // the upstream stays silent after the bad line, and the ticker never moves: only the bad line can end the call
        server.reply(server.sseThenStall("{not json"));
        FakeTicker ticker = new FakeTicker();
        CompletableFuture<Generation> f = client().ticker(ticker).build().generateStreaming(Prompt.of("hi"), t -> {});
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("malformed stream chunk");
        assertThat(server.requests()).as("not retried").hasSize(1);
    }

    @Test
    void generateStreaming_streamStallsAfterHeaders_failsInsteadOfHanging() throws Exception {
        // The token's line is the stream's last: no later line can reach the watchdog once the token has arrived.
        CountDownLatch stalled = new CountDownLatch(1);
        server.reply(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n"
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            stalled.await(30, TimeUnit.SECONDS);
        });
        FakeTicker ticker = new FakeTicker();
        List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch token = new CountDownLatch(1);
        try {
            CompletableFuture<Generation> f = client().ticker(ticker).build().generateStreaming(Prompt.of("hi"), t -> {
                tokens.add(t);
                token.countDown();
            });
            assertThat(token.await(20, TimeUnit.SECONDS)).isTrue();

            ticker.advance(Duration.ofSeconds(5));
            assertThat(f).as("silent for exactly requestTimeout, not longer").isNotDone();
            ticker.advance(Duration.ofSeconds(5)); // the watchdog fires on this thread, at its next tick
            assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(LlmCallException.class)
                    .hasMessageContaining("silent for longer than requestTimeout PT5S");
            assertThat(tokens).containsExactly("Hel");
            assertThat(server.requests())
                    .as("no retry after tokens were delivered")
                    .hasSize(1);
            assertThat(ticker.scheduled())
                    .as("the watchdog stopped with the stream")
                    .isZero();
        } finally {
            stalled.countDown();
        }
    }

    @Test
    void generateStreaming_errorStatus_carriesStatusAndBody() {
        server.reply(json(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}"));
        CompletableFuture<Generation> f = client().build().generateStreaming(Prompt.of("hi"), t -> {});
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("Incorrect API key")
                .satisfies(e -> assertThat(((LlmCallException) e).httpStatus()).hasValue(401));
    }

    @Test
    void generate_500ThenSuccess_retries() {
        server.reply(json(500, "{\"error\":{\"message\":\"boom\"}}"), completion("recovered", "stop", 1, 1));
        assertThat(client().build().generate(Prompt.of("hi")).text()).isEqualTo("recovered");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void generate_429WithRetryAfter_retriesAfterIt() {
        server.reply(
                json(429, "{\"error\":{\"message\":\"rate limited\"}}", "Retry-After", "0"),
                completion("ok", "stop", 1, 1));
        assertThat(client().build().generate(Prompt.of("hi")).text()).isEqualTo("ok");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void generate_retryAfterBeyondBudget_failsAtOnceSayingSo() {
        server.reply(json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "120"));
        assertThatThrownBy(() ->
                        client().retryBudget(Duration.ofSeconds(5)).build().generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("HTTP 429")
                .hasMessageContaining("retry in 120000 ms would exceed retryBudget PT5S");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void generate_persistent503_stopsAtMaxAttempts() {
        server.reply(json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        assertThatThrownBy(() -> client().maxAttempts(3).build().generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("LLM client 'gpt'")
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("overloaded")
                .hasMessageContaining("after 3 attempts");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void generate_400_notRetriedAndCarriesStatusAndExcerpt() {
        server.reply(json(400, "{\"error\":{\"message\":\"Unrecognized request argument: fooo\"}}"));
        assertThatThrownBy(() -> client().build().generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("Unrecognized request argument")
                .satisfies(e -> assertThat(((LlmCallException) e).httpStatus()).hasValue(400))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void generate_longErrorBody_isCutToAnExcerpt() {
        server.reply(json(404, "x".repeat(100_000)));
        assertThatThrownBy(() -> client().build().generate(Prompt.of("hi")))
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(500));
    }

    @Test
    void generate_malformedJson_failsWithoutRetry() {
        server.reply(json(200, "{\"choices\": [ {\"message\": "));
        assertThatThrownBy(() -> client().build().generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("not valid JSON");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void generate_emptyChoices_fails() {
        server.reply(json(200, "{\"id\":\"x\",\"choices\":[]}"));
        assertThatThrownBy(() -> client().build().generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("no choices");
    }

    @Test
    void generate_errorObjectWith200_fails() {
        server.reply(json(200, "{\"error\":{\"message\":\"model not loaded\"}}"));
        assertThatThrownBy(() -> client().build().generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("model not loaded");
    }

    @Test
    void generate_connectionReset_retriedThenReported() {
        server.reply(LoopbackOpenAiServer.reset());
        assertThatThrownBy(() -> client().maxAttempts(2).build().generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("after 2 attempts")
                .satisfies(e -> assertThat(((LlmCallException) e).httpStatus()).isEmpty());
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void generate_connectionRefused_reported() throws Exception {
        String deadUrl = server.baseUrl();
        server.close();
        assertThatThrownBy(() -> client(deadUrl, Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMillis(20))
                        .maxAttempts(2)
                        .build()
                        .generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("connection to");
    }

    @Test
    void generate_serverNeverAnswers_timesOutClearly() {
        server.reply(server.hang());
        assertThatThrownBy(() -> client(
                                server.baseUrl(), Duration.ofMillis(300), Duration.ofMillis(10), Duration.ofMillis(20))
                        .maxAttempts(1)
                        .build()
                        .generate(Prompt.of("hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("within requestTimeout PT0.3S");
    }

    @Test
    void generateAsync_cancelled_stopsRetrying() throws Exception {
        server.reply(json(503, "{}"));
        FakeTicker ticker = new FakeTicker();
        CompletableFuture<Generation> f = client(
                        server.baseUrl(), Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofMillis(300))
                .maxAttempts(10)
                .ticker(ticker)
                .build()
                .generateAsync(Prompt.of("hi"), Runnable::run);
        assertThat(ticker.awaitScheduled())
                .as("the first 503 is in: its retry waits a jittered backoff on the ticker")
                .isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
        f.cancel(true);
        ticker.advance(Duration.ofSeconds(3)); // past the pending backoff and the eight more maxAttempts allows
        assertThat(f.isCancelled()).isTrue();
        assertThat(ticker.scheduled())
                .as("the retry came due, did nothing and armed none")
                .isZero();

        // A fence: a request sent after the advance; one the cancelled call sent during it would have come first.
        assertThatThrownBy(() -> client().maxAttempts(1).build().generate(Prompt.of("fence")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("HTTP 503");
        assertThat(server.requests().stream().filter(r -> r.body().contains("\"hi\"")))
                .as("the cancelled call's requests")
                .hasSizeLessThanOrEqualTo(2)
                .hasSize(1);
    }

    @Test
    void retryBudget_isCountedOnTheTicker() throws Exception {
        server.reply(json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "1"));
        FakeTicker ticker = new FakeTicker();
        CompletableFuture<Generation> f = client().retryBudget(Duration.ofMillis(1500))
                .ticker(ticker)
                .build()
                .generateAsync(Prompt.of("hi"), Runnable::run);
        assertThat(ticker.awaitScheduled())
                .as("nothing spent yet: the retry after Retry-After fits the budget")
                .isEqualTo(Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1)); // the second attempt starts, 1 s into the call
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("HTTP 429")
                .hasMessageContaining("after 2 attempts; a retry in 1000 ms would exceed retryBudget PT1.5S");
        assertThat(server.requests()).hasSize(2);
        assertThat(ticker.scheduled()).isZero();
    }

    @Test
    void sharedClient_manyThreads_allAnswered() throws Exception {
        server.reply(completion("ok", "stop", 1, 1));
        OpenAiCompatibleClient c = client().build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Generation>> fs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                fs.add(pool.submit(() -> c.generate(Prompt.of("hi"))));
            }
            for (Future<Generation> f : fs) {
                assertThat(f.get(30, TimeUnit.SECONDS).text()).isEqualTo("ok");
            }
            assertThat(server.requests()).hasSize(64);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void apiKey_neverInToStringMessagesOrLogs() {
        server.reply(json(500, "{\"error\":{\"message\":\"down\"}}"));
        OpenAiCompatibleClient c = client().maxAttempts(2).build();
        assertThat(c.toString()).doesNotContain(KEY).contains("with API key");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        Throwable thrown;
        try {
            System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
            thrown = org.assertj.core.api.Assertions.catchThrowable(() -> c.generate(Prompt.of("hi")));
        } finally {
            System.setErr(originalErr);
        }
        assertThat(logs.toString(StandardCharsets.UTF_8))
                .contains("retry 1 of 1")
                .doesNotContain(KEY);
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(KEY);
        }
    }

    @Test
    void parseRetryAfter_secondsAndHttpDate() {
        assertThat(OpenAiCompatibleClient.parseRetryAfter("3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(OpenAiCompatibleClient.parseRetryAfter("-5")).isEqualTo(Duration.ZERO);
        assertThat(OpenAiCompatibleClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
                .isEqualTo(Duration.ZERO);
        assertThat(OpenAiCompatibleClient.parseRetryAfter("soon")).isNull();
    }

    @Test
    void delayBefore_doublesWithJitterUpToMax() {
        OpenAiCompatibleClient c = client(
                        server.baseUrl(), Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(400))
                .build();
        RuntimeException io = new RuntimeException(new java.io.IOException("reset"));
        for (int i = 0; i < 50; i++) {
            assertThat(c.delayBefore(2, io).toMillis()).isBetween(50L, 100L);
            assertThat(c.delayBefore(3, io).toMillis()).isBetween(100L, 200L);
            assertThat(c.delayBefore(6, io).toMillis()).isBetween(200L, 400L);
        }
    }

    @Test
    void builder_invalidValues_nameFieldAndValue() {
        assertThatThrownBy(() -> OpenAiCompatibleClient.builder().baseUrl("localhost:8080"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("baseUrl")
                .hasMessageContaining("localhost:8080");
        assertThatThrownBy(() -> OpenAiCompatibleClient.builder().temperature(3))
                .hasMessage("temperature must be in [0, 2], found 3.0");
        assertThatThrownBy(() -> OpenAiCompatibleClient.builder().maxAttempts(0))
                .hasMessage("maxAttempts must be positive, found 0");
        assertThatThrownBy(() -> OpenAiCompatibleClient.builder().stop(List.of("a", "b", "c", "d", "e")))
                .hasMessage("stop must hold 1 to 4 sequences, found 5");
        assertThatThrownBy(() ->
                        OpenAiCompatibleClient.builder().name("x").model("m").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("baseUrl is required");
        assertThatThrownBy(() -> OpenAiCompatibleClient.builder().apiKey(" ")).hasMessage("apiKey must not be blank");
    }

    @Test
    void apiKeyFromEnv_unset_namesTheVariable() {
        assertThatThrownBy(() -> OpenAiCompatibleClient.builder().apiKeyFromEnv("BLENDER_TEST_SURELY_UNSET_VAR"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("environment variable BLENDER_TEST_SURELY_UNSET_VAR holds no API key");
    }
}
