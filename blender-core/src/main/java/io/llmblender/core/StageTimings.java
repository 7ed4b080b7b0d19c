package io.llmblender.core;

import io.llmblender.core.check.Require;
import java.time.Duration;

/**
 * How long each stage of a blend took, measured with the Blender's clock. A stage that did not
 * run took {@link Duration#ZERO}. Immutable.
 *
 * @param routing asking the router which clients to call (zero without a router)
 * @param generation the fan-out to the LLM clients, until the last answer or time-out
 * @param ranking ranking the answers
 * @param fusion fusing the top answers
 * @param total the whole blend
 */
public record StageTimings(Duration routing, Duration generation, Duration ranking, Duration fusion, Duration total) {

    /**
     * Validates the timings.
     *
     * @param routing see the class description
     * @param generation see the class description
     * @param ranking see the class description
     * @param fusion see the class description
     * @param total see the class description
     * @throws NullPointerException if a duration is null
     */
    public StageTimings {
        Require.nonNull(routing, "routing");
        Require.nonNull(generation, "generation");
        Require.nonNull(ranking, "ranking");
        Require.nonNull(fusion, "fusion");
        Require.nonNull(total, "total");
    }
}
