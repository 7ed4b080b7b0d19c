package io.llmblender.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI models, as a LangChain4j app would point them at the server. */
class LangChain4jTest {

    @Test
    void openAiChatModels_blendAndStreamedRoute_answer() throws Exception {
        try (LoopbackOpenAiServer alpha = Fixtures.upstream("alpha", "Short.", 2, 1);
                LoopbackOpenAiServer beta = Fixtures.upstream("beta", "A longer answer in words.", 2, 5);
                OpenAiCompatibleClient a = Fixtures.client("alpha", alpha);
                OpenAiCompatibleClient b = Fixtures.client("beta", beta);
                BlenderServer server = BlenderServer.builder()
                        .upstream(a)
                        .upstream(b)
                        .ranker(new io.llmblender.testkit.LengthRanker())
                        .router(Fixtures.router(List.of("alpha", "beta"), 0.3, 0.7))
                        .apiKey(ApiKey.plain("lc4j", "sk-lc4j"))
                        .port(0)
                        .start()) {
            OpenAiChatModel model = OpenAiChatModel.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey("sk-lc4j")
                    .modelName("blend")
                    .maxRetries(0)
                    .timeout(Duration.ofSeconds(20))
                    .build();
            ChatResponse whole = model.chat(UserMessage.from("Say something."));
            assertThat(whole.aiMessage().text()).isEqualTo("A longer answer in words."); // the longer one ranks first
            assertThat(whole.metadata().modelName()).isEqualTo("beta");
            assertThat(whole.tokenUsage().totalTokenCount()).isEqualTo(10);

            OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey("sk-lc4j")
                    .modelName("route")
                    .timeout(Duration.ofSeconds(20))
                    .build();
            List<String> tokens = new CopyOnWriteArrayList<>();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            streaming.chat("Say something.", new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {
                    tokens.add(partial);
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
            ChatResponse streamed = done.get(20, TimeUnit.SECONDS);
            assertThat(streamed.aiMessage().text()).isEqualTo("A longer answer in words.");
            assertThat(tokens.size()).isGreaterThan(3);
        }
    }
}
