package io.llmblender.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.Sampling;
import io.llmblender.core.llm.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A LangChain4j {@link ChatModel} as an {@link LlmClient}: any provider LangChain4j supports
 * (OpenAI, Anthropic, Gemini, Bedrock, Azure OpenAI, Ollama, ...) can join a blend.
 *
 * <pre>{@code
 * ChatModel claude = AnthropicChatModel.builder()
 *         .apiKey(System.getenv("ANTHROPIC_API_KEY"))
 *         .modelName("claude-sonnet-4-5")
 *         .build();
 * LlmClient client = LangChain4jClient.of("claude", claude);
 * }</pre>
 *
 * <p><b>What a call does.</b> {@link #generate(Prompt)} sends {@link Prompt#messages()} to the model
 * in one {@link ChatRequest}, with the prompt's {@link Prompt#sampling() sampling options} as its
 * temperature, top-p, most output tokens and stop sequences (LangChain4j's common parameters have
 * no seed, so a seed is not sent; options the prompt leaves unset keep the model's own), mapping {@link io.llmblender.core.llm.Role#SYSTEM SYSTEM},
 * {@link io.llmblender.core.llm.Role#USER USER} and {@link io.llmblender.core.llm.Role#ASSISTANT
 * ASSISTANT} to LangChain4j's {@link SystemMessage}, {@link UserMessage} and {@link AiMessage}; no
 * request parameters are set, so the model's own defaults (model name, temperature, maximum tokens)
 * apply. The answer becomes a {@link Generation}: the text of the {@link AiMessage}, the finish
 * reason mapped as {@code STOP -> STOP}, {@code LENGTH -> LENGTH},
 * {@code CONTENT_FILTER -> CONTENT_FILTER}, {@code TOOL_EXECUTION -> TOOL_CALLS} and anything else
 * (including none) {@code -> UNKNOWN}, and the token usage when the model reported both the input
 * and the output token counts.
 *
 * <p><b>Failures.</b> Whatever the model throws, and an answer without text, becomes an
 * {@link LlmCallException} carrying {@link #name()} and, where there is one, the model's exception
 * as its cause. The message names the exception type and repeats its message, shortened, with
 * anything that looks like a bearer token or an {@code sk-} key masked (the wrapper never knows the
 * API key). The cause is the model's exception unchanged: LangChain4j (checked with 1.19 and
 * OpenAI) puts the provider's error body in its messages but not the key, so the cause is as safe
 * as the provider's error bodies. When the calling thread was interrupted, its interrupt status is
 * kept.
 *
 * <p><b>Thread-safety.</b> Immutable; exactly as thread-safe as the wrapped model. LangChain4j's
 * provider models are documented as safe to share, which a blend requires (it calls one client from
 * many threads at once).
 *
 * <p><b>Ownership.</b> The wrapped model stays the caller's: this client never closes it or
 * anything it holds (HTTP clients, connection pools), and neither does a
 * {@link io.llmblender.core.Blender}.
 */
public final class LangChain4jClient implements LlmClient {

    /** Bearer tokens and OpenAI-style keys, masked in messages this wrapper writes. */
    private static final Pattern SECRET = Pattern.compile("(?i)(bearer\\s+)[^\\s\"',;]+|\\b(sk-)[A-Za-z0-9_\\-]{4,}");

    private static final int MAX_DETAIL = 300;

    private final String name;
    private final ChatModel model;

    private LangChain4jClient(String name, ChatModel model) {
        this.name = name;
        this.model = model;
    }

    /**
     * Wraps a LangChain4j chat model. The model is not called here.
     *
     * @param name the client's name, unique within a blend; not blank
     * @param model the chat model to ask, not null; configure it (model name, key, timeouts,
     *     retries) with its own builder
     * @return the client
     * @throws NullPointerException if {@code name} or {@code model} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static LangChain4jClient of(String name, ChatModel model) {
        Objects.requireNonNull(name, "name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, found " + quote(name));
        }
        Objects.requireNonNull(model, "model must not be null");
        return new LangChain4jClient(name, model);
    }

    /**
     * The name given to {@link #of(String, ChatModel)}.
     *
     * @return the name, never blank
     */
    @Override
    public String name() {
        return name;
    }

    /**
     * The wrapped model, as given; still owned by the caller.
     *
     * @return the model, never {@code null}
     */
    public ChatModel model() {
        return model;
    }

    /**
     * Asks the wrapped model, blocking until it answers, as described in the class documentation.
     * The call runs on the calling thread; how it reacts to interruption, and its timeouts and
     * retries, are the model's.
     *
     * @param prompt what to ask, not null
     * @return the answer, never {@code null}
     * @throws NullPointerException if {@code prompt} is null
     * @throws LlmCallException carrying {@link #name()} if a message cannot be expressed in
     *     LangChain4j (a blank system or user message), if the model throws (the cause), or if it
     *     returns no response or a response without text
     */
    @Override
    public Generation generate(Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt must not be null");
        ChatRequest.Builder builder = ChatRequest.builder().messages(toLangChain4j(prompt.messages()));
        Sampling sampling = prompt.sampling();
        sampling.temperature().ifPresent(builder::temperature);
        sampling.topP().ifPresent(builder::topP);
        sampling.maxTokens().ifPresent(builder::maxOutputTokens);
        sampling.stop().ifPresent(builder::stopSequences);
        ChatRequest request = builder.build();
        ChatResponse response;
        try {
            response = model.chat(request);
        } catch (RuntimeException e) {
            throw failure(e);
        }
        if (response == null) {
            throw new LlmCallException(name, "the chat model returned no response");
        }
        AiMessage message = response.aiMessage();
        String text = message == null ? null : message.text();
        FinishReason reason = toFinishReason(response.finishReason());
        if (text == null) {
            throw new LlmCallException(
                    name,
                    "the chat model answered without text (finish reason " + reason
                            + (message != null && message.hasToolExecutionRequests() ? ", tool calls" : "") + ")");
        }
        return Generation.of(text, reason, toUsage(response.tokenUsage()));
    }

    @Override
    public String toString() {
        return "LangChain4jClient[" + name + ", " + model.getClass().getSimpleName() + "]";
    }

    private List<dev.langchain4j.data.message.ChatMessage> toLangChain4j(List<ChatMessage> messages) {
        List<dev.langchain4j.data.message.ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            int index = i;
            out.add(
                    switch (m.role()) {
                        case SYSTEM -> SystemMessage.from(nonBlank(m, index));
                        case USER -> UserMessage.from(nonBlank(m, index));
                        case ASSISTANT -> AiMessage.from(m.content());
                        default ->
                            throw new LlmCallException(
                                    name,
                                    "messages[" + index + "] has role " + m.role() + ", which this client cannot send");
                    });
        }
        return out;
    }

    /** LangChain4j rejects blank system and user messages; say so before the model is called. */
    private String nonBlank(ChatMessage message, int index) {
        if (message.content().isBlank()) {
            throw new LlmCallException(
                    name,
                    "messages[" + index + "] is a blank " + message.role()
                            + " message, which LangChain4j cannot send, found " + quote(message.content()));
        }
        return message.content();
    }

    private LlmCallException failure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String detail = e.getMessage() == null ? "" : ": " + redact(e.getMessage());
        return new LlmCallException(
                name, "the chat model failed with " + e.getClass().getSimpleName() + detail, e);
    }

    /**
     * Maps LangChain4j's finish reason to ours.
     *
     * @param reason LangChain4j's reason, may be null
     * @return ours, {@link FinishReason#UNKNOWN} for null and anything unmapped
     */
    static FinishReason toFinishReason(dev.langchain4j.model.output.FinishReason reason) {
        if (reason == null) {
            return FinishReason.UNKNOWN;
        }
        return switch (reason) {
            case STOP -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case CONTENT_FILTER -> FinishReason.CONTENT_FILTER;
            case TOOL_EXECUTION -> FinishReason.TOOL_CALLS;
            default -> FinishReason.UNKNOWN;
        };
    }

    /**
     * Maps LangChain4j's token usage to ours.
     *
     * @param usage LangChain4j's usage, may be null
     * @return ours, or {@code null} when either count is missing or negative
     */
    static TokenUsage toUsage(dev.langchain4j.model.output.TokenUsage usage) {
        if (usage == null) {
            return null;
        }
        Integer input = usage.inputTokenCount();
        Integer output = usage.outputTokenCount();
        if (input == null || output == null || input < 0 || output < 0) {
            return null;
        }
        return new TokenUsage(input, output);
    }

    /**
     * Masks bearer tokens and {@code sk-} keys and shortens a message from the model's exception.
     *
     * @param message the message, not null
     * @return the safe message
     */
    static String redact(String message) {
        String masked =
                SECRET.matcher(message).replaceAll(r -> (r.group(1) != null ? r.group(1) : r.group(2)) + "[REDACTED]");
        masked = masked.replaceAll("\\s+", " ").strip();
        return masked.length() <= MAX_DETAIL ? masked : masked.substring(0, MAX_DETAIL - 3) + "...";
    }

    private static String quote(String value) {
        String shown = value.length() <= 40 ? value : value.substring(0, 37) + "...";
        return '"' + shown + '"';
    }
}
