/**
 * A client for every server that speaks the OpenAI chat-completions wire format: OpenAI, vLLM,
 * llama.cpp's server, Ollama's {@code /v1}, Together, Groq, OpenRouter.
 * {@link io.llmblender.openai.OpenAiCompatibleClient} sends {@code POST {base}/chat/completions}
 * with the JDK's HttpClient and Jackson, plain or streaming, with retries, time-outs and
 * cancellation.
 */
package io.llmblender.openai;
