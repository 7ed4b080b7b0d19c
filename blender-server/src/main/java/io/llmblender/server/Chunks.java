package io.llmblender.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON shapes of OpenAI's chat completion and its stream chunks, as the server writes them. */
final class Chunks {

    private Chunks() {}

    static ObjectNode completion(String id, long created, Answer a) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", "chat.completion");
        o.put("created", created);
        o.put("model", a.model());
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", a.text());
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", a.finishReason());
        if (a.usageKnown()) {
            o.set("usage", usage(a));
        }
        o.putNull("system_fingerprint");
        if (a.details() != null) {
            o.set("blender", a.details());
        }
        return o;
    }

    /**
     * The usage object: the sums over the calls that reported usage; when some call reported none, also
     * {@code blender_unreported_calls}, so that the sum is not taken for the whole. Only for {@link Answer#usageKnown()}.
     */
    static ObjectNode usage(Answer a) {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", a.promptTokens());
        u.put("completion_tokens", a.completionTokens());
        u.put("total_tokens", a.promptTokens() + a.completionTokens());
        if (a.unreportedCalls() > 0) {
            u.put("blender_unreported_calls", a.unreportedCalls());
        }
        return u;
    }

    /** A chunk with one choice whose delta holds {@code role} and/or {@code content}. */
    static ObjectNode delta(String id, long created, String model, String role, String content, String finishReason) {
        ObjectNode o = header(id, created, model);
        ArrayNode choices = o.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (role != null) {
            delta.put("role", role);
        }
        if (content != null) {
            delta.put("content", content);
        }
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return o;
    }

    /**
     * The last chunk when the request asked {@code stream_options.include_usage}: no choices, the usage ({@code null}
     * when no call reported any).
     */
    static ObjectNode usageChunk(String id, long created, Answer a) {
        ObjectNode o = header(id, created, a.model());
        o.putArray("choices");
        if (a.usageKnown()) {
            o.set("usage", usage(a));
        } else {
            o.putNull("usage");
        }
        if (a.details() != null) {
            o.set("blender", a.details());
        }
        return o;
    }

    private static ObjectNode header(String id, long created, String model) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", "chat.completion.chunk");
        o.put("created", created);
        o.put("model", model);
        o.putNull("system_fingerprint");
        return o;
    }
}
