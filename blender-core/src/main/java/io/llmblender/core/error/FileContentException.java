package io.llmblender.core.error;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file a user handed over has content this library cannot use: a dataset line that is not a record, a reward
 * record without rewards, a configuration with an unknown or malformed field. Raised while reading, before any work
 * starts on the file's content. {@link #file()} and {@link #line()} say where; the message says what is wrong there
 * and what was found, never a secret.
 *
 * <p>Not for model files: a model directory that does not load is a {@link ModelLoadException}.
 */
public class FileContentException extends BlenderException {

    private static final long serialVersionUID = 1L;

    /** The line number meaning "the whole file" (for example a file that is empty or not JSON at all). */
    public static final long WHOLE_FILE = 0;

    private final transient Path file;
    private final long line;

    /**
     * Creates the failure for one line, or for the whole file.
     *
     * @param file the file, as the user named it
     * @param line the 1-based line number, or {@link #WHOLE_FILE}
     * @param problem what is wrong, naming the field and the value found
     * @throws NullPointerException if {@code file} or {@code problem} is null
     * @throws IllegalArgumentException if {@code line} is negative
     */
    public FileContentException(Path file, long line, String problem) {
        this(file, line, problem, null);
    }

    /**
     * Creates the failure with its cause.
     *
     * @param file the file, as the user named it
     * @param line the 1-based line number, or {@link #WHOLE_FILE}
     * @param problem what is wrong, naming the field and the value found
     * @param cause the underlying failure (a parser's), may be {@code null}
     * @throws NullPointerException if {@code file} or {@code problem} is null
     * @throws IllegalArgumentException if {@code line} is negative
     */
    public FileContentException(Path file, long line, String problem, Throwable cause) {
        super(where(file, line) + ": " + Objects.requireNonNull(problem, "problem"), cause);
        this.file = file;
        this.line = line;
    }

    /**
     * Creates the failure with a message the caller composed, for readers whose messages follow an established
     * format of their own ({@code data.jsonl:3: not valid JSON}); the message must still name the file and the line.
     *
     * @param message the whole message, naming the file, the line and what is wrong
     * @param file the file, as the user named it
     * @param line the 1-based line number, or {@link #WHOLE_FILE}
     * @param cause the underlying failure, may be {@code null}
     * @throws NullPointerException if {@code file} or {@code message} is null
     * @throws IllegalArgumentException if {@code line} is negative
     */
    public FileContentException(String message, Path file, long line, Throwable cause) {
        super(checked(Objects.requireNonNull(message, "message"), file, line), cause);
        this.file = file;
        this.line = line;
    }

    private static String checked(String message, Path file, long line) {
        where(file, line);
        return message;
    }

    private static String where(Path file, long line) {
        Objects.requireNonNull(file, "file");
        if (line < 0) {
            throw new IllegalArgumentException("line must be >= 0, found " + line);
        }
        return line == WHOLE_FILE ? file.toString() : file + " line " + line;
    }

    /**
     * The file whose content is wrong.
     *
     * @return the file as the user named it; {@code null} only after Java serialization, which does not keep it
     */
    public Path file() {
        return file;
    }

    /**
     * Where in the file.
     *
     * @return the 1-based line number, or {@link #WHOLE_FILE}
     */
    public long line() {
        return line;
    }
}
