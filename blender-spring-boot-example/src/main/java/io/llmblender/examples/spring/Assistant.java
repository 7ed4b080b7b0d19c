package io.llmblender.examples.spring;

/** What the app asks; LangChain4j's AI Services implement it over the blended chat model. */
public interface Assistant {

    /**
     * Answers a message, remembering the conversation so far.
     *
     * @param message the user's message
     * @return the blended answer
     */
    String chat(String message);
}
