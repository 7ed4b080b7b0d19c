package io.llmblender.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.JsonProblems;
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

    /**
     * Reads one JSON value that must be the whole text: trailing content after it is refused.
     *
     * @throws JsonProcessingException as Jackson does; {@link #problem} words it
     */
    static JsonNode readWhole(String text) throws JsonProcessingException {
        return WHOLE.readValue(text);
    }

    /** As {@link #readWhole(String)}, for a body's bytes (encoding detected as JSON allows). */
    static JsonNode readWhole(byte[] body) throws java.io.IOException {
        return WHOLE.readValue(body);
    }

    private static final com.fasterxml.jackson.databind.ObjectReader WHOLE =
            MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * What is wrong with a JSON text and where, in the project's words rather than Jackson's (no feature names, no
     * {@code line -1}): e.g. {@code "line 1, column 12: NaN is not a JSON number"}.
     */
    static String problem(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return JsonProblems.describe(
                e.getOriginalMessage(), at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr());
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
