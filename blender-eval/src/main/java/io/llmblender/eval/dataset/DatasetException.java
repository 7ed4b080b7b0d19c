package io.llmblender.eval.dataset;

/**
 * A dataset line or file the tool cannot use. The message names the file, the line and what is wrong, so a user can
 * fix it.
 */
public final class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An error about one line or the whole file.
     *
     * @param message what is wrong, naming the file and line
     */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * An error with its cause.
     *
     * @param message what is wrong, naming the file and line
     * @param cause the underlying failure
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
