package io.llmblender.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import io.llmblender.core.Blender;
import io.llmblender.langchain4j.BlenderChatModel;
import io.llmblender.spring.BlenderHealthIndicator;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The example app as it ships (its application.yml), with two loopback OpenAI-compatible servers as upstreams. */
@SpringBootTest
class BlenderExampleApplicationTest {

    private static final LoopbackOpenAiServer LOCAL = server("I like turtles.");
    private static final LoopbackOpenAiServer OPENAI = server("The capital of France is Paris.");

    private static LoopbackOpenAiServer server(String answer) {
        try {
            return new LoopbackOpenAiServer().reply(LoopbackOpenAiServer.completion(answer, "stop", 9, 5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        registry.add("LOCAL_LLM_URL", LOCAL::baseUrl);
        registry.add("OPENAI_BASE_URL", OPENAI::baseUrl);
    }

    @AfterAll
    static void stop() {
        LOCAL.close();
        OPENAI.close();
    }

    @Autowired
    Assistant assistant;

    @Autowired
    ChatModel chatModel;

    @Autowired
    Blender blender;

    @Autowired
    BlenderHealthIndicator health;

    @Test
    void app_blendsWithTheDefaultRankerAndRemembersTheConversation() {
        assertThat(chatModel).isInstanceOf(BlenderChatModel.class);
        assertThat(blender.clientNames()).containsExactly("local", "openai");
        assertThat(blender.toString()).contains("ranker=consensus-coverage").contains("topK=2");

        assertThat(assistant.chat("What is the capital of France?")).isEqualTo("The capital of France is Paris.");
        assertThat(assistant.chat("And its population?")).isNotBlank();

        for (LoopbackOpenAiServer server : List.of(LOCAL, OPENAI)) {
            assertThat(server.requests()).hasSize(2);
            assertThat(server.requests().get(1).body())
                    .contains("What is the capital of France?")
                    .contains("The capital of France is Paris.")
                    .contains("And its population?");
        }
        assertThat(OPENAI.requests().get(0).header("Authorization")).isEqualTo("Bearer none");
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }
}
