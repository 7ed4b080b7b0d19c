package io.llmblender.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.Candidate;
import io.llmblender.core.check.Require;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.Sampling;
import io.llmblender.core.llm.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Blender} as a LangChain4j {@link ChatModel} and {@link StreamingChatModel}: an app built on
 * LangChain4j (AI Services, chat memory, RAG) asks an ensemble as it would ask one model.
 *
 * <pre>{@code
 * BlenderChatModel model = BlenderChatModel.builder().blender(blender).build();
 * Assistant assistant = AiServices.builder(Assistant.class)
 *         .chatModel(model)
 *         .chatMemory(MessageWindowChatMemory.withMaxMessages(10))
 *         .build();
 * }</pre>
 *
 * <p><b>What a request does.</b> The request's messages become a chat {@link Prompt}
 * ({@link SystemMessage} to {@code SYSTEM}, {@link UserMessage} text to {@code USER}, {@link AiMessage}
 * text to {@code ASSISTANT}), its temperature, top-p, most output tokens and stop sequences become the
 * prompt's {@link Sampling}, and the Blender answers it as it is configured: blend, route or adaptive. The
 * {@link ChatResponse} carries {@link BlendResult#answer()} as its {@link AiMessage}, and
 * {@link BlenderResponseMetadata} with: the model name (the fuser's name when the answer was fused,
 * otherwise the chosen LLM's), the token usage summed over every LLM that answered (LLMs that failed
 * report none), the finish reason (the fusion's, or the chosen answer's), and the whole
 * {@link BlendResult} (ranking, chosen LLM, failures, timings).
 *
 * <p><b>What is refused.</b> A request a blend cannot honour is refused with an
 * {@link UnsupportedFeatureException} naming what was asked, before any LLM is called, never silently
 * dropped: tool specifications or a tool choice (a blend ranks text answers; a tool call cannot be ranked
 * or fused), tool-call and tool-result messages, non-text user content (images, audio), a JSON response
 * format, and the parameters {@code topK}, {@code frequencyPenalty} and {@code presencePenalty} (the
 * blend's clients take no such options). A {@code modelName} is ignored: the Blender picks its LLMs.
 * Messages the core prompt refuses (a system message that is not first, a conversation not ending with a
 * non-blank user message) throw {@link IllegalArgumentException} naming the message.
 *
 * <p><b>Streaming.</b> {@link #chat(ChatRequest, StreamingChatResponseHandler)} blends on the streaming
 * executor and, when the answer is ready, sends it as one partial response followed by the complete
 * response; a failure goes to {@link StreamingChatResponseHandler#onError}, and so does an exception the
 * handler's own {@code onPartialResponse} or {@code onCompleteResponse} throws. The core {@code Blender} has no
 * token stream yet, so a routed LLM's tokens are not passed through one by one.
 *
 * <p><b>Listeners.</b> The {@link ChatModelListener}s given to the builder see every request, response and
 * error, as with any LangChain4j model (LangChain4j's {@code chat} methods call them).
 *
 * <p><b>Thread-safety.</b> Immutable and safe to share, as far as the Blender is (it is). The Blender stays
 * the caller's: this model never closes it.
 */
public final class BlenderChatModel implements ChatModel, StreamingChatModel {

    private static final AtomicInteger STREAM_THREADS = new AtomicInteger();

    private final Blender blender;
    private final List<ChatModelListener> listeners;
    private final Executor streamingExecutor;

    private BlenderChatModel(Builder b) {
        this.blender = b.blender;
        this.listeners = b.listeners == null ? List.of() : b.listeners;
        this.streamingExecutor = b.streamingExecutor != null ? b.streamingExecutor : BlenderChatModel::daemonThread;
    }

    /**
     * Starts configuring a model.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The Blender this model asks.
     *
     * @return the Blender, never {@code null}
     */
    public Blender blender() {
        return blender;
    }

    /**
     * Blends the request; LangChain4j's {@link ChatModel#chat(ChatRequest)} calls this between the
     * listeners' callbacks. See the class description.
     *
     * @param request the request, not null
     * @return the blended answer with its provenance
     * @throws UnsupportedFeatureException if the request asks for something a blend cannot do
     * @throws io.llmblender.core.NoAnswerException if no LLM answered
     */
    @Override
    public ChatResponse doChat(ChatRequest request) {
        Prompt prompt = toPrompt(request);
        return toResponse(blender.blend(prompt));
    }

    /**
     * Blends the request on the streaming executor and sends the answer when it is ready. A request that is
     * refused (see the class description) is reported to {@code handler.onError} before anything runs.
     *
     * @param request the request, not null
     * @param handler what receives the answer or the error, not null
     */
    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Prompt prompt;
        try {
            prompt = toPrompt(request);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        try {
            streamingExecutor.execute(() -> {
                ChatResponse response;
                try {
                    response = toResponse(blender.blend(prompt));
                } catch (RuntimeException e) {
                    handler.onError(e);
                    return;
                }
                try {
                    handler.onPartialResponse(response.aiMessage().text());
                    handler.onCompleteResponse(response);
                } catch (RuntimeException e) {
                    // a handler that throws still hears why, instead of waiting for an answer that never comes
                    handler.onError(e);
                }
            });
        } catch (RejectedExecutionException e) {
            handler.onError(e);
        }
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return ChatRequestParameters.builder().build();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** None: a blend answers text; tools and JSON schemas are refused (see the class description). */
    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of();
    }

    @Override
    public String toString() {
        return "BlenderChatModel[" + blender + "]";
    }

    // ------------------------------------------------------------------ mapping

    /**
     * The prompt a request asks, or the refusal of what a blend cannot honour.
     *
     * @param request the request
     * @return the prompt
     */
    static Prompt toPrompt(ChatRequest request) {
        Require.nonNull(request, "request");
        ChatRequestParameters p = request.parameters();
        if (p != null) {
            if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
                throw new UnsupportedFeatureException("BlenderChatModel cannot call tools: the request has "
                        + p.toolSpecifications().size() + " tool specification(s) "
                        + p.toolSpecifications().stream().map(t -> t.name()).toList()
                        + "; a blend ranks and fuses text answers. Give the AI service a single tool-capable model"
                        + " for tools, or remove them");
            }
            if (p.toolChoice() != null) {
                throw new UnsupportedFeatureException(
                        "BlenderChatModel cannot call tools: the request sets toolChoice=" + p.toolChoice());
            }
            if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
                throw new UnsupportedFeatureException(
                        "BlenderChatModel answers text only: the request asks for responseFormat=JSON");
            }
            refuse("topK", p.topK());
            refuse("frequencyPenalty", p.frequencyPenalty());
            refuse("presencePenalty", p.presencePenalty());
        }
        List<dev.langchain4j.data.message.ChatMessage> in = request.messages();
        List<ChatMessage> messages = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            messages.add(toMessage(in.get(i), i));
        }
        Prompt prompt = Prompt.chat(messages);
        Sampling sampling = toSampling(p);
        return sampling.isEmpty() ? prompt : prompt.withSampling(sampling);
    }

    private static void refuse(String parameter, Object value) {
        if (value != null) {
            throw new UnsupportedFeatureException("BlenderChatModel cannot pass the parameter " + parameter
                    + " to its LLMs, found " + parameter + "=" + value);
        }
    }

    private static ChatMessage toMessage(dev.langchain4j.data.message.ChatMessage m, int index) {
        if (m instanceof SystemMessage s) {
            return ChatMessage.system(s.text());
        }
        if (m instanceof UserMessage u) {
            if (!u.hasSingleText()) {
                throw new UnsupportedFeatureException("BlenderChatModel sends text only: messages[" + index
                        + "] is a user message with " + u.contents().size() + " content part(s) "
                        + u.contents().stream().map(c -> c.type().name()).toList());
            }
            return ChatMessage.user(u.singleText());
        }
        if (m instanceof AiMessage a) {
            if (a.hasToolExecutionRequests()) {
                throw new UnsupportedFeatureException(
                        "BlenderChatModel cannot call tools: messages[" + index + "] is an AI message with tool calls");
            }
            return ChatMessage.assistant(a.text() == null ? "" : a.text());
        }
        throw new UnsupportedFeatureException("BlenderChatModel cannot send messages[" + index + "] of type " + m.type()
                + "; it sends system, user and AI text messages");
    }

    private static Sampling toSampling(ChatRequestParameters p) {
        if (p == null) {
            return Sampling.NONE;
        }
        Sampling.Builder s = Sampling.builder();
        if (p.temperature() != null) {
            s.temperature(p.temperature());
        }
        if (p.topP() != null) {
            s.topP(p.topP());
        }
        if (p.maxOutputTokens() != null) {
            s.maxTokens(p.maxOutputTokens());
        }
        if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
            s.stop(p.stopSequences());
        }
        return s.build();
    }

    /**
     * The LangChain4j response for a blend: answer, summed usage, finish reason and the blend as metadata.
     *
     * @param result the blend
     * @return the response
     */
    static ChatResponse toResponse(BlendResult result) {
        long input = 0;
        long output = 0;
        boolean anyUsage = false;
        for (Candidate c : result.candidates()) {
            if (c.usage().isPresent()) {
                TokenUsage u = c.usage().get();
                input += u.promptTokens();
                output += u.completionTokens();
                anyUsage = true;
            }
        }
        Fusion fusion = result.fusion().orElse(null);
        FinishReason reason =
                fusion != null ? fusion.finishReason() : result.best().finishReason();
        String modelName = fusion != null ? fusion.fuserName() : result.best().client();
        BlenderResponseMetadata metadata = BlenderResponseMetadata.builder()
                .result(result)
                .modelName(modelName)
                .finishReason(toLangChain4j(reason))
                .tokenUsage(
                        anyUsage
                                ? new dev.langchain4j.model.output.TokenUsage(
                                        (int) Math.min(Integer.MAX_VALUE, input),
                                        (int) Math.min(Integer.MAX_VALUE, output))
                                : null)
                .build();
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(result.answer()))
                .metadata(metadata)
                .build();
    }

    private static dev.langchain4j.model.output.FinishReason toLangChain4j(FinishReason reason) {
        return switch (reason) {
            case STOP -> dev.langchain4j.model.output.FinishReason.STOP;
            case LENGTH -> dev.langchain4j.model.output.FinishReason.LENGTH;
            case CONTENT_FILTER -> dev.langchain4j.model.output.FinishReason.CONTENT_FILTER;
            case TOOL_CALLS -> dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION;
            case UNKNOWN -> dev.langchain4j.model.output.FinishReason.OTHER;
        };
    }

    private static void daemonThread(Runnable task) {
        Thread t = new Thread(task, "blender-chat-stream-" + STREAM_THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }

    /**
     * Configures a {@link BlenderChatModel}. Each setter may be called once; not thread-safe.
     */
    public static final class Builder {

        private Blender blender;
        private List<ChatModelListener> listeners;
        private Executor streamingExecutor;

        private Builder() {}

        /**
         * The Blender that answers. Required.
         *
         * @param blender the Blender, not null; stays the caller's to close
         * @return this builder
         */
        public Builder blender(Blender blender) {
            Require.nonNull(blender, "blender");
            Require.unset(this.blender, "blender", blender);
            this.blender = blender;
            return this;
        }

        /**
         * Listeners that see every request, response and error. Default: none.
         *
         * @param listeners the listeners, copied; none may be null
         * @return this builder
         */
        public Builder listeners(List<ChatModelListener> listeners) {
            Require.nonNull(listeners, "listeners");
            Require.unset(this.listeners, "listeners", listeners);
            this.listeners = List.copyOf(listeners);
            return this;
        }

        /**
         * Where streaming requests blend. Default: a new daemon thread per request, so a caller's thread is
         * never blocked and nothing needs closing.
         *
         * @param executor the executor, not null; stays the caller's
         * @return this builder
         */
        public Builder streamingExecutor(Executor executor) {
            Require.nonNull(executor, "streamingExecutor");
            Require.unset(this.streamingExecutor, "streamingExecutor", executor);
            this.streamingExecutor = executor;
            return this;
        }

        /**
         * Builds the model.
         *
         * @return the model
         * @throws IllegalStateException if no Blender was given
         */
        public BlenderChatModel build() {
            if (blender == null) {
                throw new IllegalStateException("blender is required");
            }
            return new BlenderChatModel(this);
        }
    }
}
