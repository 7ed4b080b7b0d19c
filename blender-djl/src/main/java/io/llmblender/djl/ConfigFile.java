package io.llmblender.djl;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.error.JsonProblems;
import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One of our JSON model configuration files, read field by field: every error is a
 * {@link ModelLoadException} naming the file, the field and the value found. Not thread-safe; use
 * one per read.
 */
public final class ConfigFile {

    private final Path file;
    private final JsonNode root;

    private ConfigFile(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    /**
     * Reads a JSON object from a file of a model directory.
     *
     * @param dir the model directory
     * @param name the file name inside it
     * @param howToMake what to tell the user when the file is missing, e.g. which script writes it
     * @param known the field names the file may have; any other is an error
     * @return the file, ready to read fields from
     * @throws ModelLoadException if the file is missing, unreadable, not a JSON object, or has an
     *     unknown field
     */
    public static ConfigFile read(Path dir, String name, String howToMake, Set<String> known) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + name + " in model directory " + dir + " (" + howToMake + ")");
        }
        JsonNode root = readJson(file);
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + " must hold a JSON object");
        }
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (!known.contains(entry.getKey())) {
                unknown.add(entry.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw new ModelLoadException(file + " has unknown fields " + unknown + "; known fields are "
                    + known.stream().sorted().toList());
        }
        return new ConfigFile(file, root);
    }

    /**
     * Parses any JSON file, with errors that name it.
     *
     * @param file the file
     * @return its root node
     * @throws ModelLoadException if it cannot be read or is not JSON
     */
    public static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (JacksonException e) {
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new ModelLoadException(
                    file + " is not valid JSON: "
                            + JsonProblems.describe(
                                    e.getOriginalMessage(),
                                    at == null ? 0 : at.getLineNr(),
                                    at == null ? 0 : at.getColumnNr()),
                    e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The file's path.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * Whether a field is present and not null.
     *
     * @param field the field name
     * @return true when present
     */
    public boolean has(String field) {
        return root.hasNonNull(field);
    }

    /**
     * A non-blank string field.
     *
     * @param field the field name
     * @param fallback the value when the field is absent, or {@code null} to make it required
     * @return the value
     * @throws ModelLoadException if it is required and absent, or not a non-blank string
     */
    public String text(String field, String fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (fallback == null) {
                throw error("lacks the required field '" + field + "'");
            }
            return fallback;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw error("field '" + field + "' must be a non-blank string, found " + node);
        }
        return node.asText();
    }

    /**
     * A field's value as parsed, for a shape the typed readers do not cover (a list, a number
     * read leniently); the caller checks it.
     *
     * @param field the field name
     * @return the value, or a missing node ({@link JsonNode#isMissingNode()}) when absent
     */
    public JsonNode node(String field) {
        return root.path(field);
    }

    /**
     * A string field that may be absent or empty, read as {@code ""}; or, when required, a
     * non-blank string.
     *
     * @param field the field name
     * @param required whether it must be present and non-blank
     * @return the value, {@code ""} when optional and absent
     * @throws ModelLoadException if required and absent or blank, or not a string
     */
    public String optionalText(String field, boolean required) {
        JsonNode node = root.get(field);
        if (!required
                && (node == null
                        || node.isNull()
                        || (node.isTextual() && node.asText().isEmpty()))) {
            return "";
        }
        return text(field, null);
    }

    /**
     * A boolean field.
     *
     * @param field the field name
     * @param fallback the value when the field is absent
     * @return the value
     * @throws ModelLoadException if present and not a JSON boolean
     */
    public boolean bool(String field, boolean fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw error("field '" + field + "' must be true or false, found " + node);
        }
        return node.booleanValue();
    }

    /**
     * An integer field within bounds.
     *
     * @param field the field name
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     * @throws ModelLoadException if absent, not an integer, or out of bounds
     */
    public int integer(String field, int min, int max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw error("lacks the required field '" + field + "'");
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw error("field '" + field + "' must be an integer in [" + min + ", " + max + "], found " + node);
        }
        return node.intValue();
    }

    /**
     * An enum constant named by a string field, case-insensitively.
     *
     * @param field the field name
     * @param type the enum type
     * @param fallback the value when the field is absent
     * @param <E> the enum type
     * @return the constant
     * @throws ModelLoadException naming the allowed values when the string names none
     */
    public <E extends Enum<E>> E choice(String field, Class<E> type, E fallback) {
        String value = text(field, fallback.name().toLowerCase(java.util.Locale.ROOT));
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            allowed.add("\"" + constant.name().toLowerCase(java.util.Locale.ROOT) + "\"");
        }
        throw error("field '" + field + "' must be one of " + String.join(", ", allowed) + ", found \"" + value + "\"");
    }

    /**
     * An error about this file.
     *
     * @param what what is wrong, starting with a verb ("lacks ...", "field 'x' must ...")
     * @return the exception, naming the file first
     */
    public ModelLoadException error(String what) {
        return new ModelLoadException(file + " " + what);
    }
}
