package io.llmblender.core.error;

/**
 * A model, tokenizer or configuration could not be loaded: a missing or unreadable file, a file
 * that is not what it claims to be, or parts that do not fit together. Raised at load time, never
 * deferred to the first call. The message names the file and what is wrong with it.
 */
public class ModelLoadException extends BlenderException {

    /**
     * Creates a load failure.
     *
     * @param message the file and what is wrong with it
     */
    public ModelLoadException(String message) {
        super(message);
    }

    /**
     * Creates a load failure with its cause.
     *
     * @param message the file and what is wrong with it
     * @param cause the underlying failure, may be {@code null}
     */
    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
