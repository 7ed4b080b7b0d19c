package io.llmblender.eval.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A JSONL output that a command can stop and resume: on open it reads the ids of the records already written, so
 * the command skips them, and appends one flushed line per record. A last line cut short by a crash is removed first.
 * Not thread-safe.
 */
public final class ResumableOutput implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Set<String> done;
    private final BufferedWriter out;

    private ResumableOutput(Path file, Set<String> done, BufferedWriter out) {
        this.file = file;
        this.done = done;
        this.out = out;
    }

    /**
     * Opens an output file.
     *
     * @param file the JSONL file; created with its parent directories if missing
     * @param overwrite true to start over (the file is emptied), false to resume after the records already in it
     * @return the open output
     * @throws DatasetException if the file cannot be read or written, or a complete line of it is not a JSON object
     *     with an {@code id}
     */
    public static ResumableOutput open(Path file, boolean overwrite) {
        Set<String> done = new HashSet<>();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (overwrite) {
                Files.deleteIfExists(file);
            } else if (Files.exists(file)) {
                dropPartialLastLine(file);
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    try {
                        ObjectNode record = Datasets.parse(lines.get(i));
                        if (!record.hasNonNull("id")) {
                            throw new IllegalArgumentException("field 'id' is missing");
                        }
                        done.add(record.get("id").asText());
                    } catch (IllegalArgumentException e) {
                        throw new DatasetException(
                                file,
                                i + 1,
                                "cannot resume " + file + ": line " + (i + 1) + ": " + e.getMessage()
                                        + " (--overwrite starts over)",
                                e);
                    }
                }
            }
            BufferedWriter out = Files.newBufferedWriter(
                    file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new ResumableOutput(file, done, out);
        } catch (IOException e) {
            throw new DatasetException(
                    file, DatasetException.WHOLE_FILE, "cannot open " + file + " for writing: " + e.getMessage(), e);
        }
    }

    /**
     * The ids already in the file when it was opened.
     *
     * @return an unmodifiable set
     */
    public Set<String> done() {
        return Collections.unmodifiableSet(done);
    }

    /**
     * Appends one record as a line and flushes it, so a crash loses at most the line being written.
     *
     * @param record the record, with an {@code id}
     * @throws DatasetException if writing fails
     */
    public void write(ObjectNode record) {
        try {
            out.write(JSON.writeValueAsString(record));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new DatasetException(
                    file, DatasetException.WHOLE_FILE, "cannot write to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Closes the file. */
    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new DatasetException(
                    file, DatasetException.WHOLE_FILE, "cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    /** Truncates the file after its last newline: a line without one was cut short. */
    private static void dropPartialLastLine(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long end = raf.length();
            long keep = end;
            while (keep > 0) {
                raf.seek(keep - 1);
                if (raf.read() == '\n') {
                    break;
                }
                keep--;
            }
            if (keep != end) {
                raf.setLength(keep);
            }
        }
    }
}
