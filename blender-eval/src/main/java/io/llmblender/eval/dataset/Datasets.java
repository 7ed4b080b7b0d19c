package io.llmblender.eval.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.JsonProblems;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads MixInstruct-format JSONL datasets, one {@link DatasetRecord} per non-blank line. */
public final class Datasets {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to do with a line that is not a valid record. */
    public enum OnBadLine {
        /** Report it on the error stream and go on without it. */
        SKIP,
        /** Fail with a {@link DatasetException} naming the line. The default. */
        STOP
    }

    /**
     * A record with the number of the line it came from (1-based).
     *
     * @param number the line number
     * @param record the record
     */
    public record Line(int number, DatasetRecord record) {}

    /**
     * The records read and the lines skipped.
     *
     * @param lines the valid records in file order
     * @param skipped one message per skipped line ({@code file:line: what is wrong}); empty under
     *     {@link OnBadLine#STOP}
     */
    public record Contents(List<Line> lines, List<String> skipped) {
        /**
         * Copies the lists.
         *
         * @param lines the records
         * @param skipped the messages
         */
        public Contents {
            lines = List.copyOf(lines);
            skipped = List.copyOf(skipped);
        }
    }

    private Datasets() {}

    /**
     * Reads a dataset. Blank lines are ignored; ids must be unique.
     *
     * @param file the JSONL file, UTF-8
     * @param policy what to do with a bad line
     * @return the records and the skipped lines
     * @throws DatasetException if the file cannot be read, or (under {@link OnBadLine#STOP}) at the first bad line,
     *     with {@code file:line: what is wrong}
     */
    public static Contents read(Path file, OnBadLine policy) {
        List<Line> lines = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int number = 0;
            while ((text = in.readLine()) != null) {
                number++;
                if (number == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1); // a UTF-8 byte order mark, as some Windows editors write
                }
                if (text.isBlank()) {
                    continue;
                }
                try {
                    DatasetRecord record = DatasetRecord.of(parse(text));
                    if (!ids.add(record.id())) {
                        throw new IllegalArgumentException(
                                "id \"" + record.id() + "\" was already used by an earlier line");
                    }
                    lines.add(new Line(number, record));
                } catch (IllegalArgumentException e) {
                    String message = file + ":" + number + ": " + e.getMessage();
                    if (policy == OnBadLine.STOP) {
                        throw new DatasetException(
                                file, number, message + " (--on-bad-line skip goes on without such lines)", e);
                    }
                    skipped.add(message);
                }
            }
        } catch (NoSuchFileException e) {
            throw new DatasetException(file, DatasetException.WHOLE_FILE, "cannot read " + file + ": no such file", e);
        } catch (CharacterCodingException e) {
            throw new DatasetException(
                    file, DatasetException.WHOLE_FILE, "cannot read " + file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new DatasetException(
                    file, DatasetException.WHOLE_FILE, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return new Contents(lines, skipped);
    }

    /** "not JSON: " and what is wrong at which column of a one-line record, in the project's words. */
    static String notJson(JsonProcessingException e) {
        return "not JSON: "
                + JsonProblems.describe(
                        e.getOriginalMessage(),
                        0,
                        e.getLocation() == null ? 0 : e.getLocation().getColumnNr());
    }

    static ObjectNode parse(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(notJson(e), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(
                    "a line must hold one JSON object, found " + DatasetRecord.describe(node));
        }
        return (ObjectNode) node;
    }
}
