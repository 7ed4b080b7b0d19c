package io.llmblender.examples.spring;

import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * An app that blends: the starter reads {@code blender.*} from {@code application.yml}, and the app injects the
 * {@link ChatModel} it makes (a {@code BlenderChatModel}) into a LangChain4j AI service with chat memory.
 */
@SpringBootApplication
public class BlenderExampleApplication {

    /** Made by Spring. */
    public BlenderExampleApplication() {}

    /**
     * Starts the app.
     *
     * @param args Spring Boot's arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(BlenderExampleApplication.class, args);
    }

    /**
     * An AI service over the blended chat model, remembering the last ten messages.
     *
     * @param chatModel the starter's {@code BlenderChatModel}
     * @return the assistant
     */
    @Bean
    public Assistant assistant(ChatModel chatModel) {
        return AiServices.builder(Assistant.class)
                .chatModel(chatModel)
                .chatMemory(MessageWindowChatMemory.withMaxMessages(10))
                .build();
    }
}
