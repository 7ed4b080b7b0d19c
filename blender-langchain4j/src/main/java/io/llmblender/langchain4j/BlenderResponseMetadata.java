package io.llmblender.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import io.llmblender.core.BlendResult;
import java.util.Objects;

/**
 * The metadata of a {@link BlenderChatModel} response: LangChain4j's model name, token usage and finish
 * reason, plus the whole {@link BlendResult} (every answer, the ranking, the chosen LLM, failures, routing
 * and timings). Immutable.
 *
 * <pre>{@code
 * ChatResponse response = model.chat(request);
 * BlendResult blend = ((BlenderResponseMetadata) response.metadata()).result();
 * blend.best().client();   // the chosen LLM
 * blend.failures();        // who failed, and why
 * }</pre>
 */
public final class BlenderResponseMetadata extends ChatResponseMetadata {

    private final BlendResult result;

    private BlenderResponseMetadata(Builder builder) {
        super(builder);
        this.result = Objects.requireNonNull(builder.result, "result must not be null");
    }

    /**
     * Starts building metadata.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The blend behind the response.
     *
     * @return the blend result, never {@code null}
     */
    public BlendResult result() {
        return result;
    }

    @Override
    public Builder toBuilder() {
        return ((Builder) super.toBuilder(builder())).result(result);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlenderResponseMetadata other && super.equals(o) && result == other.result;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + System.identityHashCode(result);
    }

    @Override
    public String toString() {
        return "BlenderResponseMetadata[" + super.toString() + ", " + result + "]";
    }

    /** Builds {@link BlenderResponseMetadata}. Not thread-safe. */
    public static final class Builder extends ChatResponseMetadata.Builder<Builder> {

        private BlendResult result;

        private Builder() {}

        /**
         * The blend behind the response. Required.
         *
         * @param result the blend result
         * @return this builder
         */
        public Builder result(BlendResult result) {
            this.result = result;
            return this;
        }

        @Override
        public BlenderResponseMetadata build() {
            return new BlenderResponseMetadata(this);
        }
    }
}
