package io.llmblender.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        String raw = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String what;
        Matcher m;
        if (raw.startsWith("Non-standard token")) {
            m = QUOTED.matcher(raw);
            what = (m.find() ? m.group(1) : "the value") + " is not a JSON number";
        } else if (raw.startsWith("Unexpected end-of-input") || raw.contains("end-of-input")) {
            what = "the JSON ends before it is complete";
        } else if (raw.startsWith("Trailing token") || raw.contains("trailing token")) {
            what = "there is more after the JSON value; send one JSON object";
        } else if (raw.startsWith("Duplicate field") || raw.startsWith("Duplicate Object property")) {
            m = QUOTED.matcher(raw);
            what = "the field " + (m.find() ? "'" + m.group(1) + "' " : "") + "appears twice";
        } else if (raw.startsWith("Unrecognized token")) {
            m = QUOTED.matcher(raw);
            what = "unexpected word " + (m.find() ? "'" + cut(m.group(1)) + "'" : "") + "; strings need double quotes";
        } else if (raw.startsWith("Unexpected character")) {
            m = CHARACTER.matcher(raw);
            what = "unexpected character " + (m.find() ? "'" + m.group(1) + "'" : "")
                    + (raw.contains("double-quote to start field name") ? "; field names need double quotes" : "");
        } else if (raw.startsWith("Illegal unquoted character")) {
            what = "a control character (such as a raw newline) inside a string must be escaped";
        } else if (raw.contains("nesting depth")) {
            what = "the JSON is nested too deeply";
        } else if (raw.contains("Number value length") || raw.contains("number length")) {
            what = "a number is too long";
        } else {
            what = "it is not valid JSON";
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0 && at.getColumnNr() > 0) {
            return "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + what;
        }
        return what;
    }

    private static final Pattern QUOTED = Pattern.compile("'([^']{0,60})");
    private static final Pattern CHARACTER = Pattern.compile("\\('(.{1,6}?)' \\(code");

    private static String cut(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
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
