package io.llmblender.core.route;

import java.util.List;

/**
 * Predicts, from the query alone, how likely each LLM is to give the best answer, so that a
 * blend can ask one LLM instead of all (Zooter, NAACL 2024).
 *
 * <p><b>Thread-safety.</b> Implementations must be safe for concurrent calls.
 *
 * <p><b>Ownership.</b> Whoever creates a router closes it; a {@link io.llmblender.core.Blender}
 * never closes a router it was given.
 */
public interface Router extends AutoCloseable {

    /**
     * The LLM names the router was trained for, in the order of its distribution.
     *
     * @return an unmodifiable list of at least one name
     */
    List<String> llmNames();

    /**
     * Routes a query.
     *
     * @param query the user's query
     * @return a distribution over {@link #llmNames()}
     * @throws io.llmblender.core.error.InferenceException if the model fails
     */
    RouteDecision route(String query);

    /** Releases the router's resources. Idempotent. The default does nothing. */
    @Override
    default void close() {}
}
