package io.llmblender.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.Role;
import io.llmblender.core.llm.TokenUsage;
import java.util.List;
import java.util.Locale;

/** The chat-completions wire format: request bodies, answers and stream chunks. */
final class Wire {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXCERPT = 200;

    private Wire() {}

    /** A body the client cannot use although the HTTP exchange succeeded. Not retried. */
    static final class MalformedAnswer extends RuntimeException {
        MalformedAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An HTTP error answer. Retried for 429 and 5xx. */
    static final class HttpFailure extends RuntimeException {
        final int status;
        final String retryAfter;

        HttpFailure(int status, String body, String retryAfter) {
            super("HTTP " + status + (body.isBlank() ? "" : ": " + excerpt(body)));
            this.status = status;
            this.retryAfter = retryAfter;
        }

        boolean retryable() {
            return status == 429 || status >= 500;
        }
    }

    static byte[] requestBody(String model, Prompt prompt, String systemPrompt, Options options, boolean stream) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        List<ChatMessage> chat = prompt.messages();
        if (systemPrompt != null && (chat.isEmpty() || chat.get(0).role() != Role.SYSTEM)) {
            messages.addObject().put("role", "system").put("content", systemPrompt);
        }
        for (ChatMessage m : chat) {
            messages.addObject()
                    .put("role", m.role().name().toLowerCase(Locale.ROOT))
                    .put("content", m.content());
        }
        options.overriddenBy(prompt.sampling()).writeTo(body);
        if (stream) {
            body.put("stream", true);
            // OpenAI-style servers send a stream's usage only when asked
            body.putObject("stream_options").put("include_usage", true);
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a chat request", e);
        }
    }

    /** Parses a whole (non-streaming) chat completion. */
    static Generation parseCompletion(String body) {
        JsonNode root = parse(body);
        JsonNode choice = firstChoice(root, body);
        JsonNode message = choice.path("message");
        if (!message.isObject()) {
            throw new MalformedAnswer("choices[0] has no message object: " + excerpt(body), null);
        }
        String text =
                message.path("content").isTextual() ? message.path("content").asText() : "";
        return Generation.of(text, finishReason(textOrNull(choice.path("finish_reason"))), usage(root));
    }

    static JsonNode parse(String body) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw new MalformedAnswer("expected a JSON object, found: " + excerpt(body), null);
            }
            if (root.has("error") && !root.path("error").isNull()) {
                throw new MalformedAnswer(
                        "the server answered an error: "
                                + excerpt(root.path("error").toString()),
                        null);
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new MalformedAnswer("answer is not valid JSON: " + excerpt(body), e);
        }
    }

    static JsonNode firstChoice(JsonNode root, String body) {
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            throw new MalformedAnswer("answer has no choices: " + excerpt(body), null);
        }
        return choices.get(0);
    }

    static TokenUsage usage(JsonNode root) {
        JsonNode usage = root.path("usage");
        if (!usage.isObject()
                || !usage.path("prompt_tokens").canConvertToInt()
                || !usage.path("completion_tokens").canConvertToInt()) {
            return null;
        }
        int prompt = usage.path("prompt_tokens").asInt();
        int completion = usage.path("completion_tokens").asInt();
        return prompt < 0 || completion < 0 ? null : new TokenUsage(prompt, completion);
    }

    static String textOrNull(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    /** The first {@value #EXCERPT} characters of a body, on one line, for error messages. */
    static String excerpt(String body) {
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= EXCERPT ? flat : flat.substring(0, EXCERPT) + "...";
    }

    /**
     * Maps the OpenAI wire value ({@code "stop"}, {@code "length"}, {@code "content_filter"},
     * {@code "tool_calls"}, {@code "function_call"}), and {@code "eos"} as some local servers
     * send it, to a reason; anything else, including
     * {@code null}, is {@link FinishReason#UNKNOWN}. Case-insensitive.
     *
     * @param wireValue the {@code finish_reason} string of a completion, may be null
     * @return the reason, never {@code null}
     */
    static FinishReason finishReason(String wireValue) {
        if (wireValue == null) {
            return FinishReason.UNKNOWN;
        }
        return switch (wireValue.toLowerCase(Locale.ROOT)) {
            case "stop", "eos" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            default -> FinishReason.UNKNOWN;
        };
    }
}
