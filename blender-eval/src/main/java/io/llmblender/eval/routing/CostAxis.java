package io.llmblender.eval.routing;

/** Which cost a curve is read against. */
public enum CostAxis {
    /** LLM calls per query. */
    CALLS,
    /** Money per query, in the prices' unit. */
    COST
}
