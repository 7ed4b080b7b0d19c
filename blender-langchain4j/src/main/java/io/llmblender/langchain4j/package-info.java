/**
 * LangChain4j bridge: {@link io.llmblender.langchain4j.LangChain4jClient} wraps any LangChain4j
 * {@link dev.langchain4j.model.chat.ChatModel} (OpenAI, Anthropic, Gemini, Bedrock, Azure OpenAI,
 * Ollama, ...) as an {@link io.llmblender.core.llm.LlmClient}, so every provider LangChain4j
 * supports can join a blend. The other way round, {@link io.llmblender.langchain4j.BlenderChatModel} is a
 * {@link io.llmblender.core.Blender} as a LangChain4j {@code ChatModel} and {@code StreamingChatModel}, for AI
 * Services, chat memory and RAG.
 *
 * <p>This module is optional: {@code blender-core} never sees LangChain4j. Add
 * {@code blender-langchain4j} and the LangChain4j provider module of your choice, build the chat
 * model with that module's builder, and wrap it. The bridge is as thread-safe as the wrapped model
 * and never closes it.
 */
package io.llmblender.langchain4j;
