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
        o.set("usage", usage(a));
        o.putNull("system_fingerprint");
        if (a.details() != null) {
            o.set("blender", a.details());
        }
        return o;
    }

    static ObjectNode usage(Answer a) {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", a.promptTokens());
        u.put("completion_tokens", a.completionTokens());
        u.put("total_tokens", a.promptTokens() + a.completionTokens());
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

    /** The last chunk when the request asked {@code stream_options.include_usage}: no choices, the usage. */
    static ObjectNode usageChunk(String id, long created, Answer a) {
        ObjectNode o = header(id, created, a.model());
        o.putArray("choices");
        o.set("usage", usage(a));
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
