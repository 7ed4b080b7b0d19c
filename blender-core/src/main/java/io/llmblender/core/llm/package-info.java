/**
 * Talking to LLMs: the {@link io.llmblender.core.llm.LlmClient} SPI, the
 * {@link io.llmblender.core.llm.Prompt} sent to every client of a blend, and what a client answers
 * ({@link io.llmblender.core.llm.Generation}, with its {@link io.llmblender.core.llm.TokenUsage}
 * and {@link io.llmblender.core.llm.FinishReason}).
 *
 * <p>All value types here are immutable and thread-safe.
 */
package io.llmblender.core.llm;
