package io.llmblender.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.Role;
import io.llmblender.core.llm.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A chat-completions request, checked against OpenAI's schema and the server's limits. Every
 * refusal is an {@link ApiError} 400 naming the field ({@code param}) and the value or size
 * found. Fields the server does not know are ignored, as OpenAI-compatible servers do, so newer
 * SDKs keep working; known fields whose meaning the server cannot honour ({@code n > 1},
 * {@code tools}, {@code logprobs}, non-text {@code response_format}) are refused rather than
 * silently dropped. Sampling options ({@code temperature}, {@code top_p}, {@code max_tokens} or
 * {@code max_completion_tokens}, {@code seed}, {@code stop}) are validated and ride on the prompt
 * ({@link io.llmblender.core.llm.Sampling}) to every upstream call, overriding the options the
 * upstream was configured with; the penalties are validated only. Immutable.
 */
record ChatRequest(String model, Prompt prompt, boolean stream, boolean includeUsage, boolean details) {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    private static final Map<String, Role> ROLE =
            Map.of("system", Role.SYSTEM, "developer", Role.SYSTEM, "user", Role.USER, "assistant", Role.ASSISTANT);
    private static final int SHOWN = 60;

    static ChatRequest parse(JsonNode root, ServerLimits limits) {
        if (root == null || !root.isObject()) {
            throw ApiError.invalid(null, "the request body must be a JSON object, found " + kind(root));
        }
        String model = requiredText(root, "model");
        JsonNode messages = root.get("messages");
        if (messages == null || messages.isNull()) {
            throw ApiError.invalid("messages", "messages is required");
        }
        if (!messages.isArray()) {
            throw ApiError.invalid("messages", "messages must be an array, found " + kind(messages));
        }
        if (messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must not be empty");
        }
        if (messages.size() > limits.maxMessages()) {
            throw ApiError.invalid(
                    "messages",
                    "messages holds " + messages.size() + " messages, more than the server's limit of "
                            + limits.maxMessages());
        }
        List<ChatMessage> chat = new ArrayList<>(messages.size());
        long chars = 0;
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            if (!m.isObject()) {
                throw ApiError.invalid(where, where + " must be an object, found " + kind(m));
            }
            String role = requiredText(m, "role", where + ".role");
            if (!ROLES.contains(role)) {
                throw ApiError.invalid(
                        where + ".role",
                        where + ".role must be system, developer, user or"
                                + " assistant, found " + show(role)
                                + (role.equals("tool") || role.equals("function")
                                        ? " (tool calls are not supported)"
                                        : ""));
            }
            Role r = ROLE.get(role);
            if (r == Role.SYSTEM && i > 0) {
                throw ApiError.invalid(where + ".role", where + " is a " + role + " message; only messages[0] may be");
            }
            String content = content(m.get("content"), where + ".content", r);
            chars += content.length();
            if (chars > limits.maxTextChars()) {
                throw ApiError.invalid(
                        where + ".content",
                        "the messages hold more than the server's limit of " + limits.maxTextChars()
                                + " characters of text (passed at " + where + ")");
            }
            chat.add(new ChatMessage(r, content));
        }
        int last = chat.size() - 1;
        if (chat.get(last).role() != Role.USER) {
            throw ApiError.invalid(
                    "messages[" + last + "].role",
                    "the last message must be a user message, found "
                            + chat.get(last).role().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (chat.get(last).content().isBlank()) {
            throw ApiError.invalid("messages[" + last + "].content", "the last user message must not be blank");
        }

        boolean stream = bool(root, "stream");
        boolean includeUsage = false;
        JsonNode so = root.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) {
                throw ApiError.invalid("stream_options", "stream_options must be an object, found " + kind(so));
            }
            includeUsage = bool(so, "include_usage", "stream_options.include_usage");
        }
        number(root, "temperature", 0, 2);
        number(root, "top_p", 0, 1);
        number(root, "presence_penalty", -2, 2);
        number(root, "frequency_penalty", -2, 2);
        positiveInt(root, "max_tokens");
        positiveInt(root, "max_completion_tokens");
        JsonNode seed = root.get("seed");
        if (seed != null && !seed.isNull() && !seed.canConvertToLong()) {
            throw ApiError.invalid("seed", "seed must be an integer, found " + show(seed));
        }
        JsonNode n = root.get("n");
        if (n != null && !n.isNull() && !(n.canConvertToExactIntegral() && n.asLong() == 1)) {
            throw ApiError.invalid("n", "n must be 1 (one answer per request), found " + show(n));
        }
        stop(root.get("stop"));
        Sampling sampling = sampling(root);
        JsonNode user = root.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw ApiError.invalid("user", "user must be a string, found " + kind(user));
        }
        if (bool(root, "logprobs")) {
            throw ApiError.invalid("logprobs", "logprobs is not supported, found true");
        }
        for (String field : List.of("tools", "functions")) {
            JsonNode t = root.get(field);
            if (t != null && !t.isNull() && !(t.isArray() && t.isEmpty())) {
                throw ApiError.invalid(field, field + " are not supported: the ensembles answer in text only");
            }
        }
        JsonNode format = root.get("response_format");
        if (format != null && !format.isNull()) {
            if (!format.isObject() || !"text".equals(format.path("type").asText(null))) {
                throw ApiError.invalid(
                        "response_format.type", "response_format must be {\"type\": \"text\"}, found " + show(format));
            }
        }
        boolean details = false;
        JsonNode ext = root.get("blender");
        if (ext != null && !ext.isNull()) {
            if (!ext.isObject()) {
                throw ApiError.invalid("blender", "blender must be an object, found " + kind(ext));
            }
            ext.fieldNames().forEachRemaining(f -> {
                if (!f.equals("details")) {
                    throw ApiError.invalid("blender." + f, "unknown field blender." + show(f) + " (known: details)");
                }
            });
            details = bool(ext, "details", "blender.details");
        }
        Prompt prompt;
        try {
            prompt = Prompt.chat(chat).withSampling(sampling);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("messages", e.getMessage());
        }
        return new ChatRequest(model, prompt, stream, includeUsage, details);
    }

    private static String content(JsonNode c, String where, Role role) {
        if (c == null || c.isNull()) {
            if (role == Role.ASSISTANT) {
                return "";
            }
            throw ApiError.invalid(where, where + " is required");
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw ApiError.invalid(where, where + " must be a string or an array of text parts, found " + kind(c));
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String at = where + "[" + i + "]";
            if (!part.isObject()) {
                throw ApiError.invalid(at, at + " must be an object, found " + kind(part));
            }
            String type = requiredText(part, "type", at + ".type");
            if (!type.equals("text")) {
                throw ApiError.invalid(
                        at + ".type", at + ".type must be text (the ensembles read text only), found " + show(type));
            }
            String text = requiredText(part, "text", at + ".text");
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(text);
        }
        return sb.toString();
    }

    /** The validated sampling fields as the prompt's options. */
    private static Sampling sampling(JsonNode root) {
        Sampling.Builder b = Sampling.builder();
        JsonNode t = root.get("temperature");
        if (t != null && !t.isNull()) {
            b.temperature(t.asDouble());
        }
        JsonNode p = root.get("top_p");
        if (p != null && !p.isNull()) {
            b.topP(p.asDouble());
        }
        JsonNode max = root.get("max_tokens");
        if (max == null || max.isNull()) {
            max = root.get("max_completion_tokens");
        }
        if (max != null && !max.isNull()) {
            b.maxTokens(max.asInt());
        }
        JsonNode seed = root.get("seed");
        if (seed != null && !seed.isNull()) {
            b.seed(seed.asLong());
        }
        JsonNode stop = root.get("stop");
        if (stop != null && !stop.isNull()) {
            List<String> sequences = new ArrayList<>();
            if (stop.isTextual()) {
                sequences.add(stop.asText());
            } else {
                stop.forEach(s -> sequences.add(s.asText()));
            }
            sequences.removeIf(String::isEmpty);
            if (!sequences.isEmpty()) {
                b.stop(sequences);
            }
        }
        return b.build();
    }

    private static void stop(JsonNode stop) {
        if (stop == null || stop.isNull() || stop.isTextual()) {
            return;
        }
        if (!stop.isArray() || stop.size() > 4) {
            throw ApiError.invalid("stop", "stop must be a string or an array of up to 4 strings, found " + show(stop));
        }
        for (int i = 0; i < stop.size(); i++) {
            if (!stop.get(i).isTextual()) {
                throw ApiError.invalid(
                        "stop[" + i + "]", "stop[" + i + "] must be a string, found " + kind(stop.get(i)));
            }
        }
    }

    private static String requiredText(JsonNode o, String field) {
        return requiredText(o, field, field);
    }

    private static String requiredText(JsonNode o, String field, String where) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw ApiError.invalid(where, where + " is required");
        }
        if (!v.isTextual()) {
            throw ApiError.invalid(where, where + " must be a string, found " + kind(v));
        }
        return v.asText();
    }

    private static boolean bool(JsonNode o, String field) {
        return bool(o, field, field);
    }

    private static boolean bool(JsonNode o, String field, String where) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiError.invalid(where, where + " must be true or false, found " + show(v));
        }
        return v.asBoolean();
    }

    private static void number(JsonNode o, String field, double min, double max) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw ApiError.invalid(
                    field, field + " must be a number in [" + fmt(min) + ", " + fmt(max) + "], found " + show(v));
        }
    }

    private static void positiveInt(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 1) {
            throw ApiError.invalid(field, field + " must be a positive integer, found " + show(v));
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** The JSON type of a node, for messages that must not echo large or private values. */
    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A short rendering of a value, cut at 60 characters. */
    static String show(Object value) {
        String s = value instanceof JsonNode n ? n.toString() : "\"" + value + "\"";
        return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "... (" + s.length() + " characters)";
    }
}
