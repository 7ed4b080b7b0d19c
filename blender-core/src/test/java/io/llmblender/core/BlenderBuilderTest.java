package io.llmblender.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.testkit.ScriptedClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlenderBuilderTest {

    @Test
    void build_noClient_throwsIllegalState() {
        assertThatThrownBy(() -> Blender.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at least one client");
    }

    @Test
    void client_duplicateName_throwsNamingIt() {
        Blender.Builder b = Blender.builder().client(ScriptedClient.answering("gpt", "x"));
        assertThatThrownBy(() -> b.client(ScriptedClient.answering("gpt", "y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"gpt\" twice");
    }

    @Test
    void client_blankName_throws() {
        LlmClient blank = new LlmClient() {
            @Override
            public String name() {
                return " ";
            }

            @Override
            public Generation generate(Prompt prompt) {
                return Generation.of("x");
            }
        };
        assertThatThrownBy(() -> Blender.builder().client(blank))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client name must not be blank");
    }

    @Test
    void client_null_throwsNamingIt() {
        assertThatThrownBy(() -> Blender.builder().client(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("client");
    }

    @Test
    void clients_addsInOrder() {
        try (Blender blender = Blender.builder()
                .clients(List.of(ScriptedClient.answering("b", "x"), ScriptedClient.answering("a", "y")))
                .build()) {
            assertThat(blender.clientNames()).containsExactly("b", "a");
        }
    }

    @Test
    void topK_zero_throwsNamingFieldAndValue() {
        assertThatThrownBy(() -> Blender.builder().topK(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topK must be positive, found 0");
    }

    @Test
    void perClientTimeout_negative_throwsNamingFieldAndValue() {
        assertThatThrownBy(() -> Blender.builder().perClientTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("perClientTimeout must be positive, found PT-1S");
    }

    @Test
    void deadline_zero_throwsNamingFieldAndValue() {
        assertThatThrownBy(() -> Blender.builder().deadline(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadline must be positive, found PT0S");
    }

    @Test
    void aggregation_null_throwsNamingIt() {
        assertThatThrownBy(() -> Blender.builder().aggregation(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("aggregation must not be null");
    }

    @Test
    void executor_null_throwsNamingIt() {
        assertThatThrownBy(() -> Blender.builder().executor(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("executor must not be null");
    }

    @Test
    void clock_null_throwsNamingIt() {
        assertThatThrownBy(() -> Blender.builder().clock(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("clock must not be null");
    }

    @Test
    void ranker_null_throwsNamingIt() {
        assertThatThrownBy(() -> Blender.builder().ranker(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ranker must not be null");
    }

    @Test
    void fuser_null_throwsNamingIt() {
        assertThatThrownBy(() -> Blender.builder().fuser(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fuser must not be null");
    }

    @Test
    void build_twice_givesIndependentBlenders() {
        Blender.Builder b = Blender.builder().client(ScriptedClient.answering("a", "x"));
        Blender first = b.build();
        Blender second = b.build();
        first.close();
        assertThat(second.isClosed()).isFalse();
        assertThat(second.blend(Prompt.of("q")).answer()).isEqualTo("x");
        second.close();
    }
}
