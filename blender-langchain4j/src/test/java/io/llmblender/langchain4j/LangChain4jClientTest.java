package io.llmblender.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.Candidate;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LangChain4jClientTest {

    private static final String API_KEY = "sk-test-SECRET-123";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoopbackOpenAiServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new LoopbackOpenAiServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private OpenAiChatModel openAi(String modelName) {
        return OpenAiChatModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey(API_KEY)
                .modelName(modelName)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(5))
                .build();
    }

    // ---- construction ----

    @Test
    void ofRejectsBlankNameNamingFieldAndValue() {
        ChatModel model = openAi("gpt-test");
        assertThatThrownBy(() -> LangChain4jClient.of("", model))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be blank, found \"\"");
        assertThatThrownBy(() -> LangChain4jClient.of("  ", model))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be blank, found \"  \"");
        assertThatThrownBy(() -> LangChain4jClient.of(null, model))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("name must not be null");
        assertThatThrownBy(() -> LangChain4jClient.of("gpt", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("model must not be null");
    }

    @Test
    void keepsNameAndModelAndDoesNotCallTheModelWhenBuilt() {
        ChatModel model = openAi("gpt-test");
        LangChain4jClient client = LangChain4jClient.of("gpt", model);
        assertThat(client.name()).isEqualTo("gpt");
        assertThat(client.model()).isSameAs(model);
        assertThat(client.toString())
                .contains("gpt")
                .contains("OpenAiChatModel")
                .doesNotContain(API_KEY);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void generateRejectsNullPrompt() {
        LangChain4jClient client = LangChain4jClient.of("gpt", openAi("gpt-test"));
        assertThatThrownBy(() -> client.generate(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("prompt must not be null");
    }

    // ---- a real OpenAiChatModel against the loopback server ----

    @Test
    void sendsTheConversationInOrderAndMapsTheAnswer() throws Exception {
        server.answering(r -> LoopbackOpenAiServer.json(
                200, LoopbackOpenAiServer.completionJson("gpt-test-0613", "Bonjour, le monde", "length", 12, 5)));
        LangChain4jClient client = LangChain4jClient.of("gpt", openAi("gpt-test"));

        Generation g = client.generate(Prompt.chat(List.of(
                ChatMessage.system("Be brief."),
                ChatMessage.user("Say hello."),
                ChatMessage.assistant("Hello."),
                ChatMessage.user("Now in French."))));

        assertThat(g.text()).isEqualTo("Bonjour, le monde");
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.usage()).contains(new TokenUsage(12, 5));

        assertThat(server.requests()).hasSize(1);
        LoopbackOpenAiServer.Request r = server.requests().get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v1/chat/completions");
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + API_KEY);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("model").asText()).isEqualTo("gpt-test");
        assertThat(roleContentPairs(body))
                .containsExactly(
                        List.of("system", "Be brief."),
                        List.of("user", "Say hello."),
                        List.of("assistant", "Hello."),
                        List.of("user", "Now in French."));
    }

    @Test
    void sendsAnInstructionPromptAsSystemThenOneUserMessage() throws Exception {
        server.answering(r -> LoopbackOpenAiServer.json(
                200, LoopbackOpenAiServer.completionJson("gpt-test", "Bonjour", "stop", 7, 1)));
        LangChain4jClient client = LangChain4jClient.of("gpt", openAi("gpt-test"));

        Generation g = client.generate(
                Prompt.of("Translate to French.", "Good morning").withSystem("Be brief."));

        assertThat(g).isEqualTo(Generation.of("Bonjour", FinishReason.STOP, new TokenUsage(7, 1)));
        JsonNode body = JSON.readTree(server.requests().get(0).body());
        assertThat(roleContentPairs(body))
                .containsExactly(List.of("system", "Be brief."), List.of("user", "Translate to French.\nGood morning"));
    }

    @Test
    void serverErrorBecomesLlmCallExceptionWithoutTheKey() {
        server.answering(r -> LoopbackOpenAiServer.json(
                500,
                "{\"error\":{\"message\":\"The server had an error while processing your request.\","
                        + "\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
        LangChain4jClient client = LangChain4jClient.of("gpt-500", openAi("gpt-test"));

        LlmCallException e = catchThrowableOfType(LlmCallException.class, () -> client.generate(Prompt.of("Hi")));

        assertThat(e.clientName()).isEqualTo("gpt-500");
        assertThat(e)
                .hasMessageStartingWith("LLM client 'gpt-500': the chat model failed with ")
                .hasMessageContaining("server had an error");
        assertThat(e.getCause()).isNotNull();
        assertKeyNowhere(e);
        assertThat(server.requests()).hasSize(1); // maxRetries(0): one attempt
    }

    @Test
    void authenticationErrorBecomesLlmCallExceptionWithoutTheKey() {
        // As OpenAI does, the server echoes a masked key; the real one must appear nowhere.
        server.answering(r -> LoopbackOpenAiServer.json(
                401,
                "{\"error\":{\"message\":\"Incorrect API key provided: sk-test-***********-123. You can find "
                        + "your API key at https://platform.openai.com/account/api-keys.\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));
        LangChain4jClient client = LangChain4jClient.of("gpt-401", openAi("gpt-test"));

        LlmCallException e = catchThrowableOfType(LlmCallException.class, () -> client.generate(Prompt.of("Hi")));

        assertThat(e.clientName()).isEqualTo("gpt-401");
        assertThat(e).hasMessageStartingWith("LLM client 'gpt-401': the chat model failed with ");
        assertThat(e.getCause()).isNotNull();
        assertKeyNowhere(e);
        assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Bearer " + API_KEY);
    }

    @Test
    void unreachableEndpointBecomesLlmCallException() {
        String baseUrl = server.baseUrl();
        server.close(); // nothing listens there any more
        ChatModel model = OpenAiChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey(API_KEY)
                .modelName("gpt-test")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(2))
                .build();
        LangChain4jClient client = LangChain4jClient.of("gone", model);

        LlmCallException e = catchThrowableOfType(LlmCallException.class, () -> client.generate(Prompt.of("Hi")));

        assertThat(e.clientName()).isEqualTo("gone");
        assertKeyNowhere(e);
    }

    @Test
    void aBlendOverTwoClientsReturnsBothAnswers() {
        server.answering(r -> {
            try {
                String model = JSON.readTree(r.body()).path("model").asText();
                String answer = model.equals("model-a") ? "Rest and drink fluids." : "See a doctor if it lasts.";
                return LoopbackOpenAiServer.json(200, LoopbackOpenAiServer.completionJson(model, answer, "stop", 9, 4));
            } catch (IOException e) {
                return LoopbackOpenAiServer.json(400, "{}");
            }
        });
        LangChain4jClient a = LangChain4jClient.of("a", openAi("model-a"));
        LangChain4jClient b = LangChain4jClient.of("b", openAi("model-b"));

        BlendResult result;
        try (Blender blender = Blender.builder()
                .client(a)
                .client(b)
                .perClientTimeout(Duration.ofSeconds(10))
                .build()) {
            result = blender.blend(Prompt.of("How do I treat a cold?"));
        }

        assertThat(result.failures()).isEmpty();
        Map<String, String> answers =
                result.candidates().stream().collect(Collectors.toMap(Candidate::client, Candidate::text));
        assertThat(answers)
                .containsOnly(Map.entry("a", "Rest and drink fluids."), Map.entry("b", "See a doctor if it lasts."));
        assertThat(result.candidates()).allSatisfy(c -> {
            assertThat(c.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(c.usage()).contains(new TokenUsage(9, 4));
        });
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void blankUserMessageFailsBeforeTheModelIsCalled() {
        LangChain4jClient client = LangChain4jClient.of("gpt", openAi("gpt-test"));
        Prompt prompt = Prompt.chat(List.of(ChatMessage.user(" "), ChatMessage.assistant("?"), ChatMessage.user("Hi")));

        assertThatThrownBy(() -> client.generate(prompt))
                .isInstanceOf(LlmCallException.class)
                .hasMessage("LLM client 'gpt': messages[0] is a blank USER message, which LangChain4j "
                        + "cannot send, found \" \"");
        assertThat(server.requests()).isEmpty();
    }

    // ---- mapping, with a scripted ChatModel ----

    @ParameterizedTest
    @EnumSource(dev.langchain4j.model.output.FinishReason.class)
    void mapsEveryFinishReason(dev.langchain4j.model.output.FinishReason theirs) {
        FinishReason expected;
        switch (theirs) {
            case STOP:
                expected = FinishReason.STOP;
                break;
            case LENGTH:
                expected = FinishReason.LENGTH;
                break;
            case CONTENT_FILTER:
                expected = FinishReason.CONTENT_FILTER;
                break;
            case TOOL_EXECUTION:
                expected = FinishReason.TOOL_CALLS;
                break;
            default:
                expected = FinishReason.UNKNOWN;
        }
        LangChain4jClient client = LangChain4jClient.of(
                "s",
                scripted(request -> ChatResponse.builder()
                        .aiMessage(AiMessage.from("ok"))
                        .finishReason(theirs)
                        .build()));

        assertThat(client.generate(Prompt.of("Hi")).finishReason()).isEqualTo(expected);
    }

    @Test
    void missingFinishReasonIsUnknown() {
        assertThat(LangChain4jClient.toFinishReason(null)).isEqualTo(FinishReason.UNKNOWN);
    }

    @Test
    void usageNeedsBothCounts() {
        assertThat(LangChain4jClient.toUsage(null)).isNull();
        assertThat(LangChain4jClient.toUsage(new dev.langchain4j.model.output.TokenUsage(3, null)))
                .isNull();
        assertThat(LangChain4jClient.toUsage(new dev.langchain4j.model.output.TokenUsage(null, 4)))
                .isNull();
        assertThat(LangChain4jClient.toUsage(new dev.langchain4j.model.output.TokenUsage(-1, 4)))
                .isNull();
        assertThat(LangChain4jClient.toUsage(new dev.langchain4j.model.output.TokenUsage(3, 4)))
                .isEqualTo(new TokenUsage(3, 4));

        LangChain4jClient client = LangChain4jClient.of(
                "s",
                scripted(request -> ChatResponse.builder()
                        .aiMessage(AiMessage.from("ok"))
                        .tokenUsage(new dev.langchain4j.model.output.TokenUsage(3, null))
                        .build()));
        Generation g = client.generate(Prompt.of("Hi"));
        assertThat(g.usage()).isEmpty();
        assertThat(g.finishReason()).isEqualTo(FinishReason.UNKNOWN);
    }

    @Test
    void emptyTextIsAnAnswer() {
        LangChain4jClient client = LangChain4jClient.of(
                "s",
                scripted(request -> ChatResponse.builder()
                        .aiMessage(AiMessage.from(""))
                        .finishReason(dev.langchain4j.model.output.FinishReason.STOP)
                        .build()));
        assertThat(client.generate(Prompt.of("Hi")).text()).isEmpty();
    }

    @Test
    void nullResponseIsACallFailure() {
        LangChain4jClient client = LangChain4jClient.of("s", scripted(request -> null));
        assertThatThrownBy(() -> client.generate(Prompt.of("Hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessage("LLM client 's': the chat model returned no response")
                .extracting(e -> ((LlmCallException) e).clientName())
                .isEqualTo("s");
    }

    @Test
    void answerWithoutTextIsACallFailure() {
        LangChain4jClient client = LangChain4jClient.of(
                "s",
                scripted(request -> ChatResponse.builder()
                        .aiMessage(AiMessage.from(List.of(ToolExecutionRequest.builder()
                                .id("call-1")
                                .name("weather")
                                .arguments("{}")
                                .build())))
                        .finishReason(dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION)
                        .build()));
        assertThatThrownBy(() -> client.generate(Prompt.of("Hi")))
                .isInstanceOf(LlmCallException.class)
                .hasMessage("LLM client 's': the chat model answered without text (finish reason TOOL_CALLS, "
                        + "tool calls)");
    }

    @Test
    void anExceptionFromTheModelBecomesTheCause() {
        IllegalStateException boom = new IllegalStateException("rate limited, Authorization: Bearer sk-abcdef123456");
        LangChain4jClient client = LangChain4jClient.of("s", scripted(request -> {
            throw boom;
        }));
        LlmCallException e = catchThrowableOfType(LlmCallException.class, () -> client.generate(Prompt.of("Hi")));
        assertThat(e.clientName()).isEqualTo("s");
        assertThat(e.getCause()).isSameAs(boom);
        assertThat(e)
                .hasMessage("LLM client 's': the chat model failed with IllegalStateException: "
                        + "rate limited, Authorization: Bearer [REDACTED]");
    }

    @Test
    void anInterruptedCallKeepsTheInterruptStatus() {
        LangChain4jClient client = LangChain4jClient.of("s", scripted(request -> {
            throw new RuntimeException(new InterruptedException("stop"));
        }));
        try {
            assertThatThrownBy(() -> client.generate(Prompt.of("Hi"))).isInstanceOf(LlmCallException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void passesThePromptsSamplingOptions() {
        AtomicReference<ChatRequest> seen = new AtomicReference<>();
        LangChain4jClient client = LangChain4jClient.of("s", scripted(request -> {
            seen.set(request);
            return ChatResponse.builder().aiMessage(AiMessage.from("ok")).build();
        }));
        client.generate(Prompt.of("Hi")
                .withSampling(io.llmblender.core.llm.Sampling.builder()
                        .temperature(0.4)
                        .topP(0.8)
                        .maxTokens(17)
                        .stop(List.of("END"))
                        .build()));
        assertThat(seen.get().temperature()).isEqualTo(0.4);
        assertThat(seen.get().topP()).isEqualTo(0.8);
        assertThat(seen.get().maxOutputTokens()).isEqualTo(17);
        assertThat(seen.get().stopSequences()).containsExactly("END");
        client.generate(Prompt.of("Hi"));
        assertThat(seen.get().temperature()).as("unset: the model's own").isNull();
    }

    @Test
    void passesTheMessagesAsLangChain4jTypes() {
        AtomicReference<ChatRequest> seen = new AtomicReference<>();
        LangChain4jClient client = LangChain4jClient.of("s", scripted(request -> {
            seen.set(request);
            return ChatResponse.builder().aiMessage(AiMessage.from("ok")).build();
        }));
        client.generate(Prompt.chat(List.of(
                ChatMessage.system("S"), ChatMessage.user("U1"), ChatMessage.assistant("A"), ChatMessage.user("U2"))));
        assertThat(seen.get().messages())
                .containsExactly(
                        dev.langchain4j.data.message.SystemMessage.from("S"),
                        dev.langchain4j.data.message.UserMessage.from("U1"),
                        AiMessage.from("A"),
                        dev.langchain4j.data.message.UserMessage.from("U2"));
    }

    @Test
    void redactMasksBearerTokensAndKeysAndShortens() {
        assertThat(LangChain4jClient.redact("Authorization: Bearer abc.def-123 sent"))
                .isEqualTo("Authorization: Bearer [REDACTED] sent");
        assertThat(LangChain4jClient.redact("key sk-proj-AbC123_xyz is wrong")).isEqualTo("key sk-[REDACTED] is wrong");
        assertThat(LangChain4jClient.redact("a".repeat(1000))).hasSize(300).endsWith("...");
    }

    // ---- helpers ----

    private static ChatModel scripted(java.util.function.Function<ChatRequest, ChatResponse> answer) {
        return new ChatModel() {
            @Override
            public ChatResponse chat(ChatRequest request) {
                return answer.apply(request);
            }
        };
    }

    private static List<List<String>> roleContentPairs(JsonNode body) {
        List<List<String>> pairs = new ArrayList<>();
        for (JsonNode m : body.path("messages")) {
            pairs.add(List.of(m.path("role").asText(), m.path("content").asText()));
        }
        return pairs;
    }

    /** The key appears in no message of the exception or its causes, nor in its stack trace. */
    private static void assertKeyNowhere(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(API_KEY).doesNotContain("SECRET");
            assertThat(t.toString()).doesNotContain(API_KEY);
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(API_KEY).doesNotContain("SECRET");
    }
}
