package io.llmblender.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The server's one JSON mapper (thread-safe once configured) and the shapes it writes everywhere. */
final class Json {

    /** Refuses duplicate keys and bounds nesting so hostile bodies fail fast as 400s. */
    static final ObjectMapper MAPPER = mapper();

    private Json() {}

    private static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper();
        m.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64)
                        .maxNumberLength(100)
                        .build());
        m.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        m.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return m;
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(Object tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a response", e);
        }
    }

    static String string(Object tree) {
        return new String(bytes(tree), StandardCharsets.UTF_8);
    }

    /** OpenAI's error body for an {@link ApiError}. */
    static ObjectNode error(ApiError e) {
        ObjectNode root = object();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type);
        error.put("param", e.param);
        error.put("code", e.code);
        return root;
    }
}
