package io.llmblender.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Default sampling options sent with every request; null means "the server's default". */
final class Options {

    final Double temperature;
    final Double topP;
    final Integer maxTokens;
    final Long seed;
    final List<String> stop;

    Options(Double temperature, Double topP, Integer maxTokens, Long seed, List<String> stop) {
        this.temperature = temperature;
        this.topP = topP;
        this.maxTokens = maxTokens;
        this.seed = seed;
        this.stop = stop;
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
