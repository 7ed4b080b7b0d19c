package io.llmblender.eval.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.error.FileContentException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads judged answer pairs from JSONL (gzip when the name ends in {@code .gz}), one object per line with
 * {@code prompt}, {@code response_a}, {@code response_b} and {@code label} ({@code "a"}, {@code "b"} or
 * {@code "tie"}); optional {@code id} (default {@code line-N}) and {@code subset} (default the {@code source}
 * field, else empty). Other fields are ignored. Blank lines are skipped. Stateless and thread-safe.
 */
public final class PreferencePairs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PreferencePairs() {}

    /**
     * Reads every pair of a file, in file order.
     *
     * @param file the JSONL file
     * @return the pairs
     * @throws FileContentException naming the file and line of the first line that is not a pair (not JSON, a
     *     missing or non-text field, an unknown label), or the file when it is missing or unreadable
     */
    public static List<PreferencePair> read(Path file) {
        List<PreferencePair> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    out.add(parse(file, number, line));
                }
            }
        } catch (NoSuchFileException e) {
            throw new FileContentException(file, FileContentException.WHOLE_FILE, "no such file", e);
        } catch (IOException e) {
            throw new FileContentException(file, FileContentException.WHOLE_FILE, "cannot read: " + e.getMessage(), e);
        }
        return List.copyOf(out);
    }

    private static PreferencePair parse(Path file, long number, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new FileContentException(file, number, Datasets.notJson(e), e);
        }
        if (node == null || !node.isObject()) {
            throw new FileContentException(file, number, "not a JSON object");
        }
        String label = text(file, number, node, "label").toLowerCase(Locale.ROOT);
        PreferencePair.Label parsed = switch (label) {
            case "a" -> PreferencePair.Label.A;
            case "b" -> PreferencePair.Label.B;
            case "tie" -> PreferencePair.Label.TIE;
            default ->
                throw new FileContentException(
                        file, number, "field 'label' must be \"a\", \"b\" or \"tie\", found \"" + label + "\"");
        };
        String subset = node.hasNonNull("subset")
                ? node.get("subset").asText()
                : node.hasNonNull("source") ? node.get("source").asText() : "";
        String id = node.hasNonNull("id") ? node.get("id").asText() : "line-" + number;
        return new PreferencePair(
                id,
                subset,
                text(file, number, node, "prompt"),
                text(file, number, node, "response_a"),
                text(file, number, node, "response_b"),
                parsed);
    }

    private static String text(Path file, long number, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new FileContentException(
                    file,
                    number,
                    "field '" + field + "' must be text, found "
                            + (value == null
                                    ? "nothing"
                                    : value.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        return value.asText();
    }
}
