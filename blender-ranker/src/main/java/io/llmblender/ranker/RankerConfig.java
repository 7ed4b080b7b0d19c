package io.llmblender.ranker;

import io.llmblender.core.error.ModelLoadException;
import io.llmblender.djl.ConfigFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The ranker's own configuration file, {@value #FILE_NAME}, read and checked field by field. Every
 * error names the file, the field and the value found.
 *
 * @param name the model's name, recorded as provenance
 * @param architecture what the model file computes
 * @param modelFile the fp32 model file, relative to the directory ({@code .onnx}: OnnxRuntime, else TorchScript)
 * @param fp16ModelFile the fp16 model file, or {@code null} when the export has none
 * @param int8ModelFile the int8 model file, or {@code null} when the export has none
 * @param headFile the head of a segment model (see {@code SegmentHead}) or a reward model (see {@code RewardHead}),
 *     else {@code null}
 * @param hiddenSize the width of a segment or reward encoder's vector, else 0
 * @param tokenizerFile the tokenizer file, relative to the directory
 * @param layout how a pair is laid out
 * @param clsToken the token opening a segment
 * @param sepToken the token closing a segment
 * @param padToken the token padding rows on the right
 * @param sourcePrefix the token before the source, empty for none (plain layout only)
 * @param candidate1Prefix the token before the first candidate, empty for none (plain layout only)
 * @param candidate2Prefix the token before the second candidate, empty for none (plain layout only)
 * @param candidatePrefix the single-candidate token, only sanitised out of user text; may be empty
 * @param sourceMaxLength the longest source segment in tokens, special tokens included; for a reward model the
 *     prompt's budget in token ids without special tokens
 * @param candidateMaxLength the base length of a candidate segment, special tokens included; for a reward model
 *     the answer's budget in token ids without special tokens
 * @param vocabSize the number of rows of the model's embedding matrix, or 0 when not stated
 * @param precision the precision the export asks for
 */
record RankerConfig(
        String name,
        Architecture architecture,
        String modelFile,
        String fp16ModelFile,
        String int8ModelFile,
        String headFile,
        int hiddenSize,
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

    private static final Set<String> KNOWN = Set.of(
            "format",
            "name",
            "architecture",
            "model_file",
            "fp16_model_file",
            "int8_model_file",
            "head_file",
            "hidden_size",
            "tokenizer_file",
            "layout",
            "cls_token",
            "sep_token",
            "pad_token",
            "source_prefix",
            "candidate1_prefix",
            "candidate2_prefix",
            "candidate_prefix",
            "source_max_length",
            "candidate_max_length",
            "vocab_size",
            "precision");

    /** What the model file computes. */
    enum Architecture {
        /** One logit per pair row: the cross-encoder, N(N-1) rows for N candidates. */
        PAIR,
        /**
         * One vector per text read alone ({@code [CLS] text [SEP]}, the source without its prefix, each
         * candidate cut as it would be in a row), and a pair head: {@code M[i][j] = g(s, c_i) - g(s, c_j)}.
         * N + 1 encoder passes for N candidates; the same logits as the segment model run on pair rows.
         */
        SEGMENT,
        /**
         * A pointwise cross-encoder reward model ({@code models/reward_common.py}): one row per candidate,
         * {@code [CLS] prompt [SEP] answer [SEP]} (the prompt cut to {@code source_max_length} ids keeping half
         * head and half tail, the answer to {@code candidate_max_length} keeping three quarters head and one
         * quarter tail), the model returning the mean-pooled vector, and a reward head reading it with the
         * answer's length features: {@code M[i][j] = r_i - r_j}. N encoder passes for N candidates; antisymmetric
         * and transitive by construction. Layout {@code plain} without prefixes.
         */
        REWARD
    }

    /** How the three parts of a pair are laid out in one row. */
    enum Layout {
        /** PairRM: {@code [CLS] p_s source [SEP] [CLS] p_1 cand1 [SEP] [CLS] p_2 cand2 [SEP]}. */
        PAIRRM,
        /** One opening token: {@code [CLS] p_s source [SEP] p_1 cand1 [SEP] p_2 cand2 [SEP]}. */
        PLAIN
    }

    /** The longest row this configuration can produce. */
    int maxRowLength() {
        if (architecture == Architecture.REWARD) {
            return sourceMaxLength + candidateMaxLength + 3;
        }
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
        ConfigFile in = ConfigFile.read(dir, FILE_NAME, "export the model with models/export_pairrm.py", KNOWN);
        String format = in.text("format", null);
        if (!FORMAT.equals(format)) {
            throw in.error("field 'format' must be \"" + FORMAT + "\", found \"" + format + "\"");
        }
        Layout layout = in.choice("layout", Layout.class, Layout.PAIRRM);
        Architecture architecture = in.choice("architecture", Architecture.class, Architecture.PAIR);
        boolean segment = architecture == Architecture.SEGMENT;
        boolean reward = architecture == Architecture.REWARD;
        if (segment && layout != Layout.PAIRRM) {
            throw in.error("field 'architecture' \"segment\" needs field 'layout' \"pairrm\", found \""
                    + layout.name().toLowerCase(java.util.Locale.ROOT) + "\"");
        }
        if (reward && layout != Layout.PLAIN) {
            throw in.error("field 'architecture' \"reward\" needs field 'layout' \"plain\", found \""
                    + layout.name().toLowerCase(java.util.Locale.ROOT) + "\"");
        }
        if (reward) {
            for (String field : List.of("source_prefix", "candidate1_prefix", "candidate2_prefix")) {
                if (!in.optionalText(field, false).isEmpty()) {
                    throw in.error("field '" + field + "' must be absent or empty for field 'architecture' \"reward\""
                            + " (its rows have no prefix tokens), found \"" + in.optionalText(field, false) + "\"");
                }
            }
        }
        boolean headed = segment || reward;
        if (!headed && (in.has("head_file") || in.has("hidden_size"))) {
            throw in.error("fields 'head_file' and 'hidden_size' belong to field 'architecture' \"segment\" or"
                    + " \"reward\" only");
        }
        if (headed && !in.has("head_file")) {
            throw in.error("lacks the required field 'head_file' (field 'architecture' \""
                    + architecture.name().toLowerCase(java.util.Locale.ROOT) + "\" reads its head from it)");
        }
        boolean prefixesRequired = layout == Layout.PAIRRM;
        RankerConfig config = new RankerConfig(
                in.text("name", null),
                architecture,
                in.text("model_file", "pairranker.pt"),
                in.has("fp16_model_file") ? in.text("fp16_model_file", null) : null,
                in.has("int8_model_file") ? in.text("int8_model_file", null) : null,
                headed ? in.text("head_file", null) : null,
                headed ? in.integer("hidden_size", 1, 1 << 16) : 0,
                in.text("tokenizer_file", "tokenizer.json"),
                layout,
                in.text("cls_token", null),
                in.text("sep_token", null),
                in.text("pad_token", null),
                in.optionalText("source_prefix", prefixesRequired),
                in.optionalText("candidate1_prefix", prefixesRequired),
                in.optionalText("candidate2_prefix", prefixesRequired),
                in.optionalText("candidate_prefix", false),
                in.integer("source_max_length", 4, 1 << 20),
                in.integer("candidate_max_length", 4, 1 << 20),
                in.has("vocab_size") ? in.integer("vocab_size", 1, Integer.MAX_VALUE) : 0,
                in.choice("precision", Precision.class, Precision.AUTO));
        if (!config.candidate1Prefix.isEmpty()
                && config.candidate1Prefix.length() != config.candidate2Prefix.length()) {
            throw in.error("fields candidate1_prefix \"" + config.candidate1Prefix + "\" and candidate2_prefix \""
                    + config.candidate2Prefix + "\" must have the same length");
        }
        return config;
    }
}
