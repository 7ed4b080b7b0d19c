package io.llmblender.core.error;

/**
 * Root of the library's runtime failures: something went wrong while doing the work, as opposed
 * to the caller misusing the API (which raises {@link IllegalArgumentException},
 * {@link IllegalStateException} or {@link NullPointerException}).
 *
 * <p>Catch this type to handle every failure of the library in one place; catch a subtype to
 * handle one phase. Messages never contain secrets.
 */
public class BlenderException extends RuntimeException {

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the component and the value involved
     */
    public BlenderException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the underlying cause.
     *
     * @param message what went wrong, naming the component and the value involved
     * @param cause the failure that caused this one, may be {@code null}
     */
    public BlenderException(String message, Throwable cause) {
        super(message, cause);
    }
}
