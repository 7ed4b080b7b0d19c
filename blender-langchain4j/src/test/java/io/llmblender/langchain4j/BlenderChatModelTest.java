package io.llmblender.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.TokenStream;
import io.llmblender.core.BlendMode;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.NoAnswerException;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.core.route.Router;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BlenderChatModel inside LangChain4j's own AI Services, over real HTTP upstreams on loopback. */
class BlenderChatModelTest {

    interface Assistant {
        String chat(String question);
    }

    interface ResultAssistant {
        Result<String> chat(String question);
    }

    interface StreamingAssistant {
        TokenStream chat(String question);
    }

    static final class Calculator {
        @Tool("adds two numbers")
        int add(int a, int b) {
            return a + b;
        }
    }

    private LoopbackOpenAiServer short1;
    private LoopbackOpenAiServer long2;
    private Blender blender;

    @BeforeEach
    void start() throws IOException {
        short1 = new LoopbackOpenAiServer().reply(LoopbackOpenAiServer.completion("Paris.", "stop", 10, 2));
        long2 = new LoopbackOpenAiServer()
                .reply(LoopbackOpenAiServer.completion("The capital of France is Paris.", "length", 12, 7));
    }

    @AfterEach
    void stop() {
        if (blender != null) {
            blender.close();
        }
        short1.close();
        long2.close();
    }

    private static LangChain4jClient upstream(String name, LoopbackOpenAiServer server) {
        return LangChain4jClient.of(
                name,
                OpenAiChatModel.builder()
                        .baseUrl(server.baseUrl())
                        .apiKey("sk-test")
                        .modelName(name)
                        .maxRetries(0)
                        .timeout(Duration.ofSeconds(5))
                        .build());
    }

    private BlenderChatModel rankedModel(ChatModelListener... listeners) {
        blender = Blender.builder()
                .client(upstream("short", short1))
                .client(upstream("long", long2))
                .ranker(new LengthRanker())
                .build();
        return BlenderChatModel.builder()
                .blender(blender)
                .listeners(List.of(listeners))
                .build();
    }

    @Test
    void aiService_plain_answersWithTheBestRankedUpstream() {
        Assistant assistant =
                AiServices.builder(Assistant.class).chatModel(rankedModel()).build();

        assertThat(assistant.chat("What is the capital of France?")).isEqualTo("The capital of France is Paris.");
        assertThat(short1.requests()).hasSize(1);
        assertThat(long2.requests()).hasSize(1);
        assertThat(long2.requests().get(0).body()).contains("What is the capital of France?");
    }

    @Test
    void aiService_result_carriesSummedUsageFinishReasonAndBlend() {
        ResultAssistant assistant = AiServices.builder(ResultAssistant.class)
                .chatModel(rankedModel())
                .build();

        Result<String> result = assistant.chat("What is the capital of France?");

        assertThat(result.tokenUsage().inputTokenCount()).isEqualTo(22);
        assertThat(result.tokenUsage().outputTokenCount()).isEqualTo(9);
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        BlenderResponseMetadata metadata =
                (BlenderResponseMetadata) result.finalResponse().metadata();
        assertThat(metadata.modelName()).isEqualTo("long");
        BlendResult blend = metadata.result();
        assertThat(blend.best().client()).isEqualTo("long");
        assertThat(blend.ranking()).isPresent();
        assertThat(blend.failures()).isEmpty();
    }

    @Test
    void aiService_memory_sendsEarlierTurnsToEveryUpstream() {
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(rankedModel())
                .chatMemory(MessageWindowChatMemory.withMaxMessages(10))
                .build();

        assistant.chat("What is the capital of France?");
        assistant.chat("And of Italy?");

        for (LoopbackOpenAiServer server : List.of(short1, long2)) {
            assertThat(server.requests()).hasSize(2);
            String second = server.requests().get(1).body();
            assertThat(second)
                    .contains("What is the capital of France?")
                    .contains("The capital of France is Paris.")
                    .contains("And of Italy?");
            assertThat(second.indexOf("What is the capital of France?"))
                    .isLessThan(second.indexOf("The capital of France is Paris."))
                    .isLessThan(second.indexOf("And of Italy?"));
        }
    }

    @Test
    void aiService_streamed_sendsTheBlendedAnswerThenCompletes() throws Exception {
        StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class)
                .streamingChatModel(rankedModel())
                .build();
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        assistant
                .chat("What is the capital of France?")
                .onPartialResponse(partials::add)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();

        ChatResponse response = done.get(10, TimeUnit.SECONDS);
        assertThat(String.join("", partials)).isEqualTo("The capital of France is Paris.");
        assertThat(response.aiMessage().text()).isEqualTo("The capital of France is Paris.");
        assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(31);
    }

    @Test
    void streaming_handlerThatThrows_getsTheErrorInsteadOfHanging() throws Exception {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        rankedModel().chat("Hi", new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                throw new IllegalStateException("handler bug");
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                error.complete(null);
            }

            @Override
            public void onError(Throwable e) {
                error.complete(e);
            }
        });
        assertThat(error.get(10, TimeUnit.SECONDS)).hasMessage("handler bug");
    }

    @Test
    void aiService_oneUpstreamFails_answersWithTheOtherAndReportsTheFailure() throws IOException {
        long2.close();
        long2 = new LoopbackOpenAiServer()
                .reply(LoopbackOpenAiServer.json(500, "{\"error\":{\"message\":\"overloaded\"}}"));
        ResultAssistant assistant = AiServices.builder(ResultAssistant.class)
                .chatModel(rankedModel())
                .build();

        Result<String> result = assistant.chat("What is the capital of France?");

        assertThat(result.content()).isEqualTo("Paris.");
        BlendResult blend = ((BlenderResponseMetadata) result.finalResponse().metadata()).result();
        assertThat(blend.failures())
                .singleElement()
                .satisfies(f -> assertThat(f.name()).isEqualTo("long"));
        assertThat(result.tokenUsage().inputTokenCount()).isEqualTo(10);
    }

    @Test
    void aiService_everyUpstreamFails_throwsNoAnswerAndListenersSeeTheError() throws IOException {
        short1.close();
        long2.close();
        short1 = new LoopbackOpenAiServer().reply(LoopbackOpenAiServer.json(500, "{}"));
        long2 = new LoopbackOpenAiServer().reply(LoopbackOpenAiServer.json(503, "{}"));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(rankedModel(new ChatModelListener() {
                    @Override
                    public void onError(ChatModelErrorContext context) {
                        errors.add(context.error());
                    }
                }))
                .build();

        assertThatThrownBy(() -> assistant.chat("What is the capital of France?"))
                .isInstanceOf(NoAnswerException.class)
                .hasMessageContaining("short")
                .hasMessageContaining("long");
        assertThat(errors).singleElement().isInstanceOf(NoAnswerException.class);
    }

    @Test
    void aiService_withTools_isRefusedBeforeAnyUpstreamIsCalled() {
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(rankedModel())
                .tools(new Calculator())
                .build();

        assertThatThrownBy(() -> assistant.chat("What is 2 + 3?"))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("cannot call tools")
                .hasMessageContaining("[add]");
        assertThat(short1.requests()).isEmpty();
        assertThat(long2.requests()).isEmpty();
    }

    @Test
    void chat_listeners_seeRequestAndBlendedResponse() {
        List<String> seen = new CopyOnWriteArrayList<>();
        BlenderChatModel model = rankedModel(new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext context) {
                seen.add("request:" + context.chatRequest().messages().size());
            }

            @Override
            public void onResponse(ChatModelResponseContext context) {
                seen.add("response:" + context.chatResponse().metadata().modelName());
            }
        });

        assertThat(model.chat("Hello?")).isEqualTo("The capital of France is Paris.");
        assertThat(seen).containsExactly("request:1", "response:long");
    }

    @Test
    void chat_samplingParameters_reachEveryUpstream() {
        BlenderChatModel model = rankedModel();
        model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Hi"))
                .parameters(ChatRequestParameters.builder()
                        .temperature(0.25)
                        .maxOutputTokens(42)
                        .stopSequences(List.of("END"))
                        .build())
                .build());

        for (LoopbackOpenAiServer server : List.of(short1, long2)) {
            String body = server.requests().get(0).body().replace(" ", "");
            assertThat(body).contains("\"temperature\":0.25").contains("42").contains("\"END\"");
        }
    }

    @Test
    void chat_unsupportedParametersAndContent_areRefusedNamingThem() {
        BlenderChatModel model = rankedModel();

        assertThatThrownBy(() -> model.chat(ChatRequest.builder()
                        .messages(UserMessage.from("Hi"))
                        .parameters(ChatRequestParameters.builder().topK(5).build())
                        .build()))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessage("BlenderChatModel cannot pass the parameter topK to its LLMs, found topK=5");
        assertThatThrownBy(() -> model.chat(ChatRequest.builder()
                        .messages(UserMessage.from(
                                TextContent.from("What is this?"), ImageContent.from("https://example.com/a.png")))
                        .build()))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("messages[0]")
                .hasMessageContaining("IMAGE");
        assertThat(short1.requests()).isEmpty();
    }

    @Test
    void chat_routedBlender_asksOnlyTheRoutersChoice() {
        Router router = new Router() {
            @Override
            public List<String> llmNames() {
                return List.of("short", "long");
            }

            @Override
            public RouteDecision route(String query) {
                return RouteDecision.of(List.of("short", "long"), new double[] {0.9, 0.1});
            }
        };
        blender = Blender.builder()
                .client(upstream("short", short1))
                .client(upstream("long", long2))
                .router(router)
                .mode(BlendMode.ROUTE)
                .build();
        BlenderChatModel model = BlenderChatModel.builder().blender(blender).build();

        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Capital of France?"))
                .build());

        assertThat(response.aiMessage().text()).isEqualTo("Paris.");
        assertThat(response.metadata().modelName()).isEqualTo("short");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(long2.requests()).isEmpty();
    }

    @Test
    void builder_withoutBlender_isRefused() {
        assertThatThrownBy(() -> BlenderChatModel.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("blender is required");
    }
}
