package io.llmblender.core.rank;

import io.llmblender.core.check.Require;

/**
 * What scoring one query cost in calls to an LLM, as a ranker that calls one (an LLM judge) reports it through
 * {@link Ranker#score(PairQuery, java.util.function.Consumer)}: one report per LLM and scoring. Model rankers (PairRanker,
 * consensus, length) call no LLM and report nothing. Immutable.
 *
 * @param llm the name of the LLM client that was called, not blank
 * @param calls the calls made, retries included (cache hits are not calls), zero or more
 * @param unreportedCalls how many of the {@code calls} reported no token usage (failed calls included), at most
 *     {@code calls}
 * @param promptTokens prompt tokens the calls reported, summed, zero or more
 * @param completionTokens completion tokens the calls reported, summed, zero or more
 */
public record RankingCost(String llm, int calls, int unreportedCalls, long promptTokens, long completionTokens) {

    /**
     * Validates the counts.
     *
     * @param llm see the class description
     * @param calls see the class description
     * @param unreportedCalls see the class description
     * @param promptTokens see the class description
     * @param completionTokens see the class description
     * @throws IllegalArgumentException if the name is blank, a count is negative or {@code unreportedCalls} exceeds
     *     {@code calls}
     */
    public RankingCost {
        Require.nonBlank(llm, "llm");
        Require.nonNegative(calls, "calls");
        Require.nonNegative(unreportedCalls, "unreportedCalls");
        if (unreportedCalls > calls) {
            throw new IllegalArgumentException(
                    "unreportedCalls must be at most calls (" + calls + "), found " + unreportedCalls);
        }
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must be zero or more, found promptTokens " + promptTokens
                    + " and completionTokens " + completionTokens);
        }
    }
}
