package io.llmblender.ranker;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The ranker's own configuration file, {@value #FILE_NAME}, read and checked field by field. Every
 * error names the file, the field and the value found.
 *
 * @param name the model's name, recorded as provenance
 * @param modelFile the fp32 TorchScript file, relative to the directory
 * @param fp16ModelFile the fp16 TorchScript file, or {@code null} when the export has none
 * @param tokenizerFile the tokenizer file, relative to the directory
 * @param layout how a pair is laid out
 * @param clsToken the token opening a segment
 * @param sepToken the token closing a segment
 * @param padToken the token padding rows on the right
 * @param sourcePrefix the token before the source, empty for none (plain layout only)
 * @param candidate1Prefix the token before the first candidate, empty for none (plain layout only)
 * @param candidate2Prefix the token before the second candidate, empty for none (plain layout only)
 * @param candidatePrefix the single-candidate token, only sanitised out of user text; may be empty
 * @param sourceMaxLength the longest source segment in tokens, special tokens included
 * @param candidateMaxLength the base length of a candidate segment, special tokens included
 * @param vocabSize the number of rows of the model's embedding matrix, or 0 when not stated
 * @param precision the precision the export asks for
 */
record RankerConfig(
        String name,
        String modelFile,
        String fp16ModelFile,
        String tokenizerFile,
        Layout layout,
        String clsToken,
        String sepToken,
        String padToken,
        String sourcePrefix,
        String candidate1Prefix,
        String candidate2Prefix,
        String candidatePrefix,
        int sourceMaxLength,
        int candidateMaxLength,
        int vocabSize,
        Precision precision) {

    /** The file name of the configuration inside a model directory. */
    static final String FILE_NAME = "ranker_config.json";

    /** The format tag this reader understands. */
    static final String FORMAT = "blender-pairranker/1";

    private static final Set<String> KNOWN = Set.of("format", "name", "model_file", "fp16_model_file",
            "tokenizer_file", "layout", "cls_token", "sep_token", "pad_token", "source_prefix", "candidate1_prefix",
            "candidate2_prefix", "candidate_prefix", "source_max_length", "candidate_max_length", "vocab_size",
            "precision");

    /** How the three parts of a pair are laid out in one row. */
    enum Layout {
        /** PairRM: {@code [CLS] p_s source [SEP] [CLS] p_1 cand1 [SEP] [CLS] p_2 cand2 [SEP]}. */
        PAIRRM,
        /** One opening token: {@code [CLS] p_s source [SEP] p_1 cand1 [SEP] p_2 cand2 [SEP]}. */
        PLAIN
    }

    /** The longest row this configuration can produce. */
    int maxRowLength() {
        return sourceMaxLength + 2 * candidateMaxLength;
    }

    /**
     * Reads and checks {@value #FILE_NAME} in a model directory.
     *
     * @param dir the model directory
     * @return the configuration
     * @throws ModelLoadException naming the file, field and value when anything is missing or wrong
     */
    static RankerConfig read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + FILE_NAME + " in model directory " + dir
                    + " (export the model with models/export_pairrm.py)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JacksonException e) {
            throw new ModelLoadException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + " must hold a JSON object");
        }
        return new Reader(file, root).config();
    }

    /** Reads fields with errors that name the file, the field and the value. */
    private static final class Reader {
        private final Path file;
        private final JsonNode root;

        Reader(Path file, JsonNode root) {
            this.file = file;
            this.root = root;
        }

        RankerConfig config() {
            List<String> unknown = new ArrayList<>();
            for (Map.Entry<String, JsonNode> entry : root.properties()) {
                String field = entry.getKey();
                if (!KNOWN.contains(field)) {
                    unknown.add(field);
                }
            }
            if (!unknown.isEmpty()) {
                throw error("has unknown fields " + unknown + "; known fields are " + KNOWN.stream().sorted().toList());
            }
            String format = text("format", null);
            if (!FORMAT.equals(format)) {
                throw error("field 'format' must be \"" + FORMAT + "\", found \"" + format + "\"");
            }
            Layout layout = parseLayout(text("layout", "pairrm"));
            boolean prefixesRequired = layout == Layout.PAIRRM;
            RankerConfig config = new RankerConfig(
                    text("name", null),
                    text("model_file", "pairranker.pt"),
                    optionalText("fp16_model_file"),
                    text("tokenizer_file", "tokenizer.json"),
                    layout,
                    text("cls_token", null),
                    text("sep_token", null),
                    text("pad_token", null),
                    prefix("source_prefix", prefixesRequired),
                    prefix("candidate1_prefix", prefixesRequired),
                    prefix("candidate2_prefix", prefixesRequired),
                    prefix("candidate_prefix", false),
                    integer("source_max_length", 4, 1 << 20),
                    integer("candidate_max_length", 4, 1 << 20),
                    root.has("vocab_size") ? integer("vocab_size", 1, Integer.MAX_VALUE) : 0,
                    parsePrecision(text("precision", "auto")));
            if (!config.candidate1Prefix.isEmpty()
                    && config.candidate1Prefix.length() != config.candidate2Prefix.length()) {
                throw error("candidate1_prefix \"" + config.candidate1Prefix + "\" and candidate2_prefix \""
                        + config.candidate2Prefix + "\" must have the same length");
            }
            return config;
        }

        private String text(String field, String fallback) {
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

        private String optionalText(String field) {
            return root.hasNonNull(field) ? text(field, null) : null;
        }

        private String prefix(String field, boolean required) {
            JsonNode node = root.get(field);
            if (!required && (node == null || node.isNull() || (node.isTextual() && node.asText().isEmpty()))) {
                return "";
            }
            return text(field, null);
        }

        private int integer(String field, int min, int max) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                throw error("lacks the required field '" + field + "'");
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min
                    || node.intValue() > max) {
                throw error("field '" + field + "' must be an integer in [" + min + ", " + max + "], found " + node);
            }
            return node.intValue();
        }

        private Layout parseLayout(String value) {
            try {
                return Layout.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw error("field 'layout' must be \"pairrm\" or \"plain\", found \"" + value + "\"");
            }
        }

        private Precision parsePrecision(String value) {
            try {
                return Precision.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw error("field 'precision' must be \"auto\", \"fp32\" or \"fp16\", found \"" + value + "\"");
            }
        }

        private ModelLoadException error(String what) {
            return new ModelLoadException(file + " " + what);
        }
    }
}
