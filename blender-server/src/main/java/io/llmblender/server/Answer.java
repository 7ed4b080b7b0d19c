package io.llmblender.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.llm.FinishReason;

/**
 * What the server answers one chat request with, whatever produced it. Immutable.
 *
 * @param text the answer
 * @param model what actually answered: the fuser when it fused, else the chosen upstream
 * @param mode {@code blend}, {@code route} or {@code pass-through}: the branch taken
 * @param chosen the upstream whose answer ranked first (or was routed to)
 * @param calls how many upstream calls were made
 * @param promptTokens prompt tokens summed over every call that reported usage
 * @param completionTokens completion tokens summed likewise
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
        FinishReason finish,
        ObjectNode details) {

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
