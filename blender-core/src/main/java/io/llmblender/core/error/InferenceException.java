package io.llmblender.core.error;

/**
 * Running a local model (a ranker, a fuser, a router) failed, or the model answered something the
 * library cannot use (for example a ranker that did not score a requested pair). The message names
 * the component.
 */
public class InferenceException extends BlenderException {

    /**
     * Creates an inference failure.
     *
     * @param message the component and what went wrong
     */
    public InferenceException(String message) {
        super(message);
    }

    /**
     * Creates an inference failure with its cause.
     *
     * @param message the component and what went wrong
     * @param cause the underlying failure, may be {@code null}
     */
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
