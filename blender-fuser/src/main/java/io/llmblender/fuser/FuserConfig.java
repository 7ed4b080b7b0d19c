package io.llmblender.fuser;

import io.llmblender.djl.ConfigFile;
import java.nio.file.Path;
import java.util.Set;

/**
 * The fuser's own configuration file, {@value #FILE_NAME}, read and checked field by field.
 *
 * @param name the model's name, recorded as provenance
 * @param modelFile the TorchScript file, relative to the directory
 * @param tokenizerFile the tokenizer file, relative to the directory
 * @param decoderStartId the token the decoder starts from (T5: the pad id 0)
 * @param eosId the end-of-sequence token (T5: 1)
 * @param padId the padding token (T5: 0)
 * @param layers decoder layers, the first dimension of the key/value cache
 * @param heads attention heads of the decoder
 * @param headDim the size of one head
 * @param vocabSize the number of logits per step
 * @param maxSourceLength the most prompt tokens (GenFuser: 1024)
 * @param candidateMaxLength the most tokens of one candidate in the prompt (GenFuser: 128)
 * @param maxTargetPositions the most decoder positions the model has, or 0 when unbounded
 */
record FuserConfig(
        String name,
        String modelFile,
        String tokenizerFile,
        int decoderStartId,
        int eosId,
        int padId,
        int layers,
        int heads,
        int headDim,
        int vocabSize,
        int maxSourceLength,
        int candidateMaxLength,
        int maxTargetPositions) {

    /** The file name of the configuration inside a model directory. */
    static final String FILE_NAME = "fuser_config.json";

    /** The format tag this reader understands. */
    static final String FORMAT = "blender-genfuser/1";

    private static final Set<String> KNOWN = Set.of(
            "format",
            "name",
            "model_file",
            "tokenizer_file",
            "decoder_start_token_id",
            "eos_token_id",
            "pad_token_id",
            "num_layers",
            "num_heads",
            "head_dim",
            "vocab_size",
            "max_source_length",
            "candidate_max_length",
            "max_target_positions",
            "precision",
            "bf16_model_file");

    /**
     * Reads and checks {@value #FILE_NAME} in a model directory.
     *
     * @param dir the model directory
     * @return the configuration
     * @throws io.llmblender.core.error.ModelLoadException naming file, field and value
     */
    static FuserConfig read(Path dir) {
        ConfigFile in = ConfigFile.read(dir, FILE_NAME, "export the model with models/export_t5.py", KNOWN);
        String format = in.text("format", null);
        if (!FORMAT.equals(format)) {
            throw in.error("field 'format' must be \"" + FORMAT + "\", found \"" + format + "\"");
        }
        if (in.has("precision") && !in.text("precision", null).matches("auto|fp32")) {
            throw in.error("field 'precision' must be \"auto\" or \"fp32\" (the fuser runs fp32), found \""
                    + in.text("precision", null) + "\"");
        }
        int vocab = in.integer("vocab_size", 2, Integer.MAX_VALUE);
        FuserConfig config = new FuserConfig(
                in.text("name", null),
                in.text("model_file", "fuser.pt"),
                in.text("tokenizer_file", "tokenizer.json"),
                in.integer("decoder_start_token_id", 0, vocab - 1),
                in.integer("eos_token_id", 0, vocab - 1),
                in.integer("pad_token_id", 0, vocab - 1),
                in.integer("num_layers", 1, 1024),
                in.integer("num_heads", 1, 1024),
                in.integer("head_dim", 1, 1 << 16),
                vocab,
                in.integer("max_source_length", 16, 1 << 20),
                in.integer("candidate_max_length", 1, 1 << 20),
                in.has("max_target_positions") ? in.integer("max_target_positions", 1, 1 << 20) : 0);
        return config;
    }
}
