package io.llmblender.eval.dataset;

import io.llmblender.core.error.FileContentException;
import java.nio.file.Path;

/**
 * A dataset file the tool cannot use: a line that is not a record, a file that is missing, unreadable or not UTF-8,
 * an output that cannot be resumed or written. The message names the file, the line ({@code file:line: problem}) and
 * what is wrong, so a user can fix it; {@link #file()} and {@link #line()} say the same for code. A
 * {@link FileContentException}, so a caller can catch every bad-file failure of the library in one place.
 */
public final class DatasetException extends FileContentException {

    private static final long serialVersionUID = 1L;

    /**
     * An error about one line, or about the whole file ({@code line} = {@link #WHOLE_FILE}).
     *
     * @param file the dataset file
     * @param line the 1-based line, or {@link #WHOLE_FILE}
     * @param message what is wrong, naming the file and line
     */
    public DatasetException(Path file, long line, String message) {
        super(message, file, line, null);
    }

    /**
     * An error with its cause.
     *
     * @param file the dataset file
     * @param line the 1-based line, or {@link #WHOLE_FILE}
     * @param message what is wrong, naming the file and line
     * @param cause the underlying failure
     */
    public DatasetException(Path file, long line, String message, Throwable cause) {
        super(message, file, line, cause);
    }
}
