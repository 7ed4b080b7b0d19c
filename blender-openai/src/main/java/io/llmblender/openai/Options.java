package io.llmblender.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Sampling options sent with a request: the client's defaults, overridden option by option by the prompt's
 * {@link io.llmblender.core.llm.Sampling}; null means "the server's default".
 */
final class Options {

    final Double temperature;
    final Double topP;
    final Integer maxTokens;
    final Long seed;
    final List<String> stop;

    /** No option: the server's defaults. */
    static final Options NONE = new Options(null, null, null, null, null);

    Options(Double temperature, Double topP, Integer maxTokens, Long seed, List<String> stop) {
        this.temperature = temperature;
        this.topP = topP;
        this.maxTokens = maxTokens;
        this.seed = seed;
        this.stop = stop;
    }

    /**
     * These defaults with every option the prompt sets put in their place.
     *
     * @param sampling the prompt's options
     * @return the options to send
     */
    Options overriddenBy(io.llmblender.core.llm.Sampling sampling) {
        if (sampling.isEmpty()) {
            return this;
        }
        return new Options(
                sampling.temperature().isPresent()
                        ? Double.valueOf(sampling.temperature().getAsDouble())
                        : temperature,
                sampling.topP().isPresent() ? Double.valueOf(sampling.topP().getAsDouble()) : topP,
                sampling.maxTokens().isPresent()
                        ? Integer.valueOf(sampling.maxTokens().getAsInt())
                        : maxTokens,
                sampling.seed().isPresent() ? Long.valueOf(sampling.seed().getAsLong()) : seed,
                sampling.stop().orElse(stop));
    }

    void writeTo(ObjectNode body) {
        if (temperature != null) {
            body.put("temperature", temperature);
        }
        if (topP != null) {
            body.put("top_p", topP);
        }
        if (maxTokens != null) {
            body.put("max_tokens", maxTokens);
        }
        if (seed != null) {
            body.put("seed", seed);
        }
        if (stop != null && !stop.isEmpty()) {
            stop.forEach(body.putArray("stop")::add);
        }
    }
}
