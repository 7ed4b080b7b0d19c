package io.llmblender.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {

    private static final Path FILE = Path.of("..", "models", "encoder", "tokenizer.json");

    @Test
    void load_appliesTheCallersOptions() {
        try (HuggingFaceTokenizer plain = Tokenizers.load(FILE, b -> b.optAddSpecialTokens(false));
                HuggingFaceTokenizer special = Tokenizers.load(FILE, b -> b.optAddSpecialTokens(true))) {
            long[] without = plain.encode("how do I bake bread").getIds();
            long[] with = special.encode("how do I bake bread").getIds();

            assertThat(without).isNotEmpty();
            assertThat(with).hasSizeGreaterThan(without.length).containsSubsequence(without);
        }
    }

    @Test
    void load_missingFile_namesIt(@TempDir Path dir) {
        Path missing = dir.resolve("tokenizer.json");

        assertThatThrownBy(() -> Tokenizers.load(missing, b -> b))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("cannot load tokenizer " + missing + ": ");
    }

    @Test
    void load_notATokenizer_namesIt(@TempDir Path dir) throws IOException {
        Path broken = Files.writeString(dir.resolve("tokenizer.json"), "{\"not\": \"a tokenizer\"}");

        assertThatThrownBy(() -> Tokenizers.load(broken, b -> b))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("cannot load tokenizer " + broken + ": ");
    }
}
