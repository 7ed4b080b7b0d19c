package io.llmblender.djl;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Loads a Hugging Face {@code tokenizer.json} the way the DJL modules do, with one error for a
 * file that cannot be loaded. Stateless.
 */
public final class Tokenizers {

    private Tokenizers() {}

    /**
     * Loads a tokenizer file with the caller's options (special tokens, truncation, padding: DJL's
     * defaults unless set).
     *
     * @param file the {@code tokenizer.json}
     * @param options sets the builder's options; the tokenizer path is already set
     * @return the tokenizer, which holds native memory: close it
     * @throws ModelLoadException naming the file when it is missing or cannot be loaded
     */
    public static HuggingFaceTokenizer load(Path file, UnaryOperator<HuggingFaceTokenizer.Builder> options) {
        try {
            return options.apply(HuggingFaceTokenizer.builder().optTokenizerPath(file))
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }
}
