package io.llmblender.router.encode;

import java.util.List;

/**
 * Turns queries into fixed-size vectors for the router's head. Pluggable: the default is
 * {@link MiniLmEncoder}; any sentence encoder works (for example an exported mDeBERTa, as in the
 * Zooter paper).
 *
 * <p><b>Thread-safety.</b> Implementations must be safe for concurrent use. <b>Ownership.</b>
 * Whoever creates an encoder closes it.
 */
public interface QueryEncoder extends AutoCloseable {

    /**
     * An identifier of the encoder and its weights, saved with a trained router so that loading it
     * with another encoder can be refused.
     *
     * @return the identifier, never blank
     */
    String id();

    /**
     * The length of every vector this encoder returns.
     *
     * @return the dimension
     */
    int dimension();

    /**
     * Encodes queries.
     *
     * @param queries the queries, none null
     * @return one vector of {@link #dimension()} floats per query, in order
     * @throws io.llmblender.core.error.InferenceException if the model fails
     */
    float[][] encode(List<String> queries);

    /** Releases the encoder's resources. Idempotent. */
    @Override
    void close();
}
