package io.llmblender.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.llmblender.core.time.Ticker;
import io.llmblender.testkit.FakeTicker;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each builder setter may be called once; a second call names the setting and both values (issue 13). */
class BuilderOnceTest {

    private static final String KEY_1 = "sk-first-SECRET-0123456789";
    private static final String KEY_2 = "sk-second-SECRET-9876543210";

    private static OpenAiCompatibleClient.Builder builder() {
        return OpenAiCompatibleClient.builder()
                .name("gpt")
                .baseUrl("http://localhost:1/v1")
                .model("m1");
    }

    @Test
    void requiredStringsTwice_nameSettingAndBothValues() {
        OpenAiCompatibleClient.Builder b = builder().systemPrompt("Be brief.");
        assertThatThrownBy(() -> b.name("other"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("name was already set to \"gpt\", cannot set it to \"other\"");
        assertThatThrownBy(() -> b.baseUrl("https://api.example.com/v1/"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("baseUrl was already set to \"http://localhost:1/v1\", cannot set it to"
                        + " \"https://api.example.com/v1/\"");
        assertThatThrownBy(() -> b.model("m2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model was already set to \"m1\", cannot set it to \"m2\"");
        assertThatThrownBy(() -> b.systemPrompt("Be long."))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("systemPrompt was already set to \"Be brief.\", cannot set it to \"Be long.\"");
    }

    @Test
    void durationsTwice_nameSettingAndBothValues() {
        OpenAiCompatibleClient.Builder b = builder()
                .connectTimeout(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(2))
                .initialBackoff(Duration.ofMillis(10))
                .maxBackoff(Duration.ofMillis(20))
                .retryBudget(Duration.ofSeconds(3));
        assertThatThrownBy(() -> b.connectTimeout(Duration.ofSeconds(4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("connectTimeout was already set to PT1S, cannot set it to PT4S");
        assertThatThrownBy(() -> b.requestTimeout(Duration.ofMillis(300)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("requestTimeout was already set to PT2S, cannot set it to PT0.3S");
        assertThatThrownBy(() -> b.initialBackoff(Duration.ofMillis(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("initialBackoff was already set to PT0.01S, cannot set it to PT0.005S");
        assertThatThrownBy(() -> b.maxBackoff(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxBackoff was already set to PT0.02S, cannot set it to PT1S");
        assertThatThrownBy(() -> b.retryBudget(Duration.ofSeconds(9)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("retryBudget was already set to PT3S, cannot set it to PT9S");
    }

    @Test
    void samplingOptionsTwice_nameSettingAndBothValues() {
        OpenAiCompatibleClient.Builder b = builder()
                .temperature(0.2)
                .topP(0.9)
                .maxTokens(64)
                .seed(7)
                .stop(List.of("\n\n", "END"))
                .maxAttempts(2);
        assertThatThrownBy(() -> b.temperature(1.5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("temperature was already set to 0.2, cannot set it to 1.5");
        assertThatThrownBy(() -> b.topP(0.5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("topP was already set to 0.9, cannot set it to 0.5");
        assertThatThrownBy(() -> b.maxTokens(128))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxTokens was already set to 64, cannot set it to 128");
        assertThatThrownBy(() -> b.seed(8))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("seed was already set to 7, cannot set it to 8");
        assertThatThrownBy(() -> b.stop(List.of("STOP")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("stop was already set to [\"\n\n\", \"END\"], cannot set it to [\"STOP\"]");
        assertThatThrownBy(() -> b.maxAttempts(5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxAttempts was already set to 2, cannot set it to 5");
    }

    @Test
    void componentsTwice_nameSettingAndBothValues() {
        Random first = new Random(1);
        Random second = new Random(2);
        OpenAiCompatibleClient.Builder b = builder().random(first);
        assertThatThrownBy(() -> b.random(second))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("random was already set to " + first + ", cannot set it to " + second);
        HttpClient one = HttpClient.newHttpClient();
        HttpClient two = HttpClient.newHttpClient();
        b.httpClient(one);
        assertThatThrownBy(() -> b.httpClient(two))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("httpClient was already set to " + one + ", cannot set it to " + two);
        b.ticker(Ticker.system());
        assertThatThrownBy(() -> b.ticker(new FakeTicker(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "ticker was already set to Ticker.system(), cannot set it to FakeTicker[now=5ns, waiters=0]");
        assertThatThrownBy(() -> builder().ticker(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ticker must not be null");
    }

    @Test
    void invalidSecondValue_keepsItsOwnException() {
        OpenAiCompatibleClient.Builder b = builder().temperature(0.2).maxTokens(5);
        assertThatThrownBy(() -> b.temperature(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("temperature must be in [0, 2], found 3.0");
        assertThatThrownBy(() -> b.maxTokens(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTokens must be positive, found 0");
        assertThatThrownBy(() -> b.baseUrl("ftp://x/v1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute http or https URL");
    }

    @Test
    void apiKeyTwice_messageNamesTheSettingButNeitherKey() {
        OpenAiCompatibleClient.Builder b = builder().apiKey(KEY_1);
        Throwable e = catchThrowable(() -> b.apiKey(KEY_2));
        assertThat(e)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("apiKey was already set, cannot set it again");
        assertThat(e.getMessage()).doesNotContain(KEY_1).doesNotContain(KEY_2).doesNotContain("sk-");
        assertThat(b.build().toString()).doesNotContain(KEY_1).doesNotContain(KEY_2);
    }

    @Test
    void apiKeyAndApiKeyFromEnv_areOneSetting_messageShowsNeitherKey() {
        Map.Entry<String, String> variable = System.getenv().entrySet().stream()
                .filter(v -> !v.getValue().isBlank())
                .max(Comparator.comparingInt(v -> v.getValue().length()))
                .orElseThrow();
        String envKey = variable.getValue();

        OpenAiCompatibleClient.Builder fromKey = builder().apiKey(KEY_1);
        Throwable e = catchThrowable(() -> fromKey.apiKeyFromEnv(variable.getKey()));
        assertThat(e)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("apiKey was already set, cannot set it again");
        assertThat(e.getMessage()).doesNotContain(KEY_1).doesNotContain(envKey);

        OpenAiCompatibleClient.Builder fromEnv = builder().apiKeyFromEnv(variable.getKey());
        e = catchThrowable(() -> fromEnv.apiKey(KEY_2));
        assertThat(e)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("apiKey was already set, cannot set it again");
        assertThat(e.getMessage()).doesNotContain(envKey).doesNotContain(KEY_2);

        e = catchThrowable(() -> fromEnv.apiKeyFromEnv(variable.getKey()));
        assertThat(e)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("apiKey was already set, cannot set it again");
    }

    @Test
    void headersAreAddedNotSet() {
        assertThatCode(() -> builder()
                        .header("OpenAI-Organization", "org-1")
                        .header("HTTP-Referer", "x")
                        .header("X-Title", "y")
                        .build()
                        .close())
                .doesNotThrowAnyException();
    }

    @Test
    void refusedSecondCall_keepsTheFirstValue() {
        OpenAiCompatibleClient.Builder b = builder();
        assertThatThrownBy(() -> b.name("other")).isInstanceOf(IllegalStateException.class);
        try (OpenAiCompatibleClient c = b.build()) {
            assertThat(c.name()).isEqualTo("gpt");
            assertThat(c.toString())
                    .contains("http://localhost:1/v1/chat/completions")
                    .contains("model=m1");
        }
    }

    @Test
    void defaults_stillCheckedAtBuild() {
        assertThatThrownBy(() -> builder().maxBackoff(Duration.ofMillis(100)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("initialBackoff PT0.5S exceeds maxBackoff PT0.1S");
        assertThatCode(() ->
                        builder().initialBackoff(Duration.ofSeconds(8)).build().close())
                .doesNotThrowAnyException();
    }
}
