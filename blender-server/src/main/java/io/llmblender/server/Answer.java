package io.llmblender.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.llm.FinishReason;

/**
 * What the server answers one chat request with, whatever produced it. Immutable.
 *
 * @param text the answer
 * @param model what wrote the text: the upstream that fused (an LLM fuser's) or the fuser (a local model) when it
 *     fused, else the chosen upstream
 * @param mode {@code blend}, {@code route} or {@code pass-through}: the branch taken
 * @param chosen the upstream whose answer ranked first (or was routed to)
 * @param calls how many upstream calls were made
 * @param promptTokens prompt tokens summed over every call that reported usage
 * @param completionTokens completion tokens summed likewise
 * @param unreportedCalls how many of the {@code calls} reported no usage: with all of them, the usage is unknown
 *     and not answered as 0
 * @param finish why the answer stopped
 * @param details the ranking, failures and timings, or null unless the request asked
 */
record Answer(
        String text,
        String model,
        String mode,
        String chosen,
        int calls,
        long promptTokens,
        long completionTokens,
        int unreportedCalls,
        FinishReason finish,
        ObjectNode details) {

    /** Whether any call reported usage; if none did, the answer carries no usage rather than zeros. */
    boolean usageKnown() {
        return unreportedCalls < calls;
    }

    /** OpenAI's finish_reason word. */
    String finishReason() {
        return switch (finish) {
            case LENGTH -> "length";
            case CONTENT_FILTER -> "content_filter";
            case TOOL_CALLS -> "tool_calls";
            default -> "stop";
        };
    }
}
