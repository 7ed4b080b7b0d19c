package io.llmblender.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.ranker.PairRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK, with its strict response validation on, against a started server whose upstreams
 * are loopback OpenAI-compatible servers and whose ranker is the tiny committed PairRanker.
 */
class OpenAiSdkTest {

    static LoopbackOpenAiServer alpha;
    static LoopbackOpenAiServer beta;
    static OpenAiCompatibleClient alphaClient;
    static OpenAiCompatibleClient betaClient;
    static PairRanker ranker;
    static BlenderServer server;
    static OpenAIClient sdk;

    @BeforeAll
    static void start() throws Exception {
        alpha = Fixtures.upstream("alpha", "Paris is the capital of France.", 11, 7);
        beta = Fixtures.upstream("beta", "The capital of France is Paris, on the Seine.", 13, 10);
        alphaClient = Fixtures.client("alpha", alpha);
        betaClient = Fixtures.client("beta", beta);
        ranker = PairRanker.load(Fixtures.TINY_RANKER);
        server = BlenderServer.builder()
                .upstream(alphaClient)
                .upstream(betaClient)
                .ranker(ranker)
                .router(Fixtures.router(List.of("alpha", "beta"), 0.2, 0.8))
                .adaptiveThreshold(0.9)
                .apiKey(ApiKey.plain("tests", "sk-sdk-test-key"))
                .port(0)
                .start();
        sdk = OpenAIOkHttpClient.builder()
                .baseUrl(server.baseUrl())
                .apiKey("sk-sdk-test-key")
                .maxRetries(0)
                .responseValidation(true)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        sdk.close();
        server.close();
        ranker.close();
        alphaClient.close();
        betaClient.close();
        alpha.close();
        beta.close();
    }

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage("Be brief.")
                .addUserMessage("What is the capital of France?")
                .temperature(0.2)
                .maxCompletionTokens(64)
                .build();
    }

    @Test
    void create_blend_answersInOpenAiShapeWithSummedUsageAndHeaders() {
        try (HttpResponseFor<ChatCompletion> raw =
                sdk.chat().completions().withRawResponse().create(params("blend"))) {
            ChatCompletion c = raw.parse();
            c.validate();
            assertThat(raw.headers().values("x-blender-mode")).containsExactly("blend");
            assertThat(raw.headers().values("x-blender-calls")).containsExactly("2");
            String chosen = raw.headers().values("x-blender-chosen").get(0);
            assertThat(chosen).isIn("alpha", "beta");
            assertThat(c.model()).isEqualTo(chosen);
            assertThat(c.choices()).hasSize(1);
            assertThat(c.choices().get(0).message().content()).get().asString().contains("Paris");
            assertThat(c.usage()).get().satisfies(u -> {
                assertThat(u.promptTokens()).isEqualTo(11 + 13);
                assertThat(u.completionTokens()).isEqualTo(7 + 10);
                assertThat(u.totalTokens()).isEqualTo(41);
            });
            assertThat(alpha.requests()).isNotEmpty();
            assertThat(beta.requests()).isNotEmpty();
        }
    }

    @Test
    void create_route_asksOnlyTheRoutersChoice() {
        int alphaBefore = alpha.requests().size();
        try (HttpResponseFor<ChatCompletion> raw =
                sdk.chat().completions().withRawResponse().create(params("route"))) {
            ChatCompletion c = raw.parse();
            c.validate();
            assertThat(c.model()).isEqualTo("beta");
            assertThat(raw.headers().values("x-blender-mode")).containsExactly("route");
            assertThat(raw.headers().values("x-blender-calls")).containsExactly("1");
            assertThat(alpha.requests()).hasSize(alphaBefore);
        }
    }

    @Test
    void create_samplingOptions_reachEveryUpstreamCall() throws Exception {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder()
                .model("blend")
                .addUserMessage("What is the capital of France?")
                .temperature(1.4)
                .topP(0.3)
                .maxCompletionTokens(9)
                .seed(42)
                .build();
        sdk.chat().completions().create(p).validate();
        for (LoopbackOpenAiServer upstream : List.of(alpha, beta)) {
            List<LoopbackOpenAiServer.Request> seen = upstream.requests();
            com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(seen.get(seen.size() - 1).body());
            assertThat(body.path("temperature").asDouble()).isEqualTo(1.4);
            assertThat(body.path("top_p").asDouble()).isEqualTo(0.3);
            assertThat(body.path("max_tokens").asInt()).isEqualTo(9);
            assertThat(body.path("seed").asLong()).isEqualTo(42);
        }
    }

    @Test
    void create_adaptiveWithThresholdInName_routesOrBlendsByIt() {
        try (HttpResponseFor<ChatCompletion> sure =
                sdk.chat().completions().withRawResponse().create(params("adaptive-0.5"))) {
            assertThat(sure.headers().values("x-blender-mode")).containsExactly("route");
            try (HttpResponseFor<ChatCompletion> unsure =
                    sdk.chat().completions().withRawResponse().create(params("adaptive"))) {
                assertThat(unsure.headers().values("x-blender-mode")).containsExactly("blend");
                unsure.parse().validate();
            }
        }
    }

    @Test
    void createStreaming_adaptiveTheRouterIsSureOf_forwardsTokens() {
        List<String> pieces = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(params("adaptive-0.7"))) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                assertThat(chunk.model()).isEqualTo("beta");
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(pieces::add));
            });
        }
        assertThat(pieces.stream().filter(s -> !s.isEmpty()).count()).isGreaterThan(5);
    }

    @Test
    void create_upstreamName_passesThrough() {
        try (HttpResponseFor<ChatCompletion> raw =
                sdk.chat().completions().withRawResponse().create(params("alpha"))) {
            ChatCompletion c = raw.parse();
            c.validate();
            assertThat(c.model()).isEqualTo("alpha");
            assertThat(c.choices().get(0).message().content()).contains("Paris is the capital of France.");
            assertThat(raw.headers().values("x-blender-mode")).containsExactly("pass-through");
            assertThat(c.usage().get().totalTokens()).isEqualTo(18);
        }
    }

    @Test
    void createStreaming_route_forwardsTheUpstreamsTokensAsChunksThenEnds() {
        List<String> pieces = new ArrayList<>();
        List<String> models = new ArrayList<>();
        ChatCompletionCreateParams p = params("route").toBuilder()
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(p)) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                models.add(chunk.model());
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(pieces::add));
            });
        }
        assertThat(String.join("", pieces)).isEqualTo("The capital of France is Paris, on the Seine.");
        assertThat(pieces.stream().filter(s -> !s.isEmpty()).count()).isGreaterThan(5); // word by word, not at once
        assertThat(models).containsOnly("beta");
    }

    @Test
    void createStreaming_blend_sendsTheRankedAnswer() {
        List<String> pieces = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(params("blend"))) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(pieces::add));
            });
        }
        assertThat(String.join("", pieces))
                .isIn("Paris is the capital of France.", "The capital of France is Paris, on the Seine.");
    }

    @Test
    void modelsList_namesEnsemblesThenUpstreams() {
        List<String> ids = new ArrayList<>();
        sdk.models().list().autoPager().forEach(m -> ids.add(m.id()));
        assertThat(ids).containsExactly("blend", "route", "adaptive", "alpha", "beta");
    }

    @Test
    void create_wrongKey_isTheSdksAuthenticationError() {
        OpenAIClient wrong = OpenAIOkHttpClient.builder()
                .baseUrl(server.baseUrl())
                .apiKey("sk-wrong")
                .maxRetries(0)
                .build();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> wrong.chat().completions().create(params("blend")))
                    .isInstanceOf(com.openai.errors.UnauthorizedException.class)
                    .hasMessageContaining("incorrect API key");
        } finally {
            wrong.close();
        }
    }
}
