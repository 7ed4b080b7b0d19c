package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every way a GenFuser directory can be broken fails at build() with a ModelLoadException naming the
 * file and the problem (a model that does not fit its config included: the load decodes one step);
 * the builder checks maxNewTokens against the model.
 */
class FuserLoadErrorsTest {

    private static final Path FIXTURE = GoldenDecodingTest.DIR;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path copyFixture() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURE)) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName().toString()));
            }
        }
        return dir;
    }

    private void editConfig(Consumer<ObjectNode> edit) throws IOException {
        Path file = dir.resolve(FuserConfig.FILE_NAME);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        JSON.writeValue(file.toFile(), root);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails(Path home) {
        return assertThatThrownBy(() -> GenFuser.builder(home).device("cpu").build())
                .isInstanceOf(ModelLoadException.class);
    }

    private Path config() {
        return dir.resolve(FuserConfig.FILE_NAME);
    }

    @Test
    void build_missingDirectory_namesThePath() {
        Path missing = dir.resolve("no-such-model");
        assertLoadFails(missing).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void build_missingConfig_namesFileAndDirectory() throws IOException {
        Files.delete(copyFixture().resolve(FuserConfig.FILE_NAME));
        assertLoadFails(dir).hasMessageContaining("missing fuser_config.json").hasMessageContaining(dir.toString());
    }

    @Test
    void build_configNotJson_namesTheFile() throws IOException {
        Files.writeString(copyFixture().resolve(FuserConfig.FILE_NAME), "{ \"format\": ");
        assertLoadFails(dir).hasMessageContaining(config().toString()).hasMessageContaining("not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "format        | \"blender-genfuser/9\" | blender-genfuser/9",
                "eos_token_id  | \"x\"                  | x",
                "num_layers    | 0                      | 0",
                "colour        | \"blue\"               | colour",
                "precision     | \"fp16\"               | fp16",
            })
    void build_badConfigField_namesFileFieldAndValue(String field, String json, String shown) throws IOException {
        copyFixture();
        editConfig(root -> {
            try {
                root.set(field, JSON.readTree(json));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertLoadFails(dir)
                .hasMessageContaining(config().toString())
                .hasMessageContaining(field)
                .hasMessageContaining(shown);
    }

    @Test
    void build_missingTokenizer_namesFileAndDirectory() throws IOException {
        Files.delete(copyFixture().resolve("tokenizer.json"));
        assertLoadFails(dir).hasMessageContaining("tokenizer.json").hasMessageContaining(dir.toString());
    }

    @Test
    void build_tokenizerNotJson_namesTheFile() throws IOException {
        Files.writeString(copyFixture().resolve("tokenizer.json"), "not json at all");
        assertLoadFails(dir)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void build_tokenizerJsonThatIsNoTokenizer_namesTheFile() throws IOException {
        Files.writeString(copyFixture().resolve("tokenizer.json"), "{\"hello\": 1}");
        assertLoadFails(dir).hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }

    @Test
    void build_missingModelFile_namesFileAndDirectory() throws IOException {
        Files.delete(copyFixture().resolve("fuser.pt"));
        assertLoadFails(dir).hasMessageContaining("fuser.pt").hasMessageContaining(dir.toString());
    }

    @Test
    void build_truncatedModelFile_namesIt() throws IOException {
        byte[] bytes = Files.readAllBytes(copyFixture().resolve("fuser.pt"));
        Files.write(dir.resolve("fuser.pt"), Arrays.copyOf(bytes, bytes.length / 2));
        assertLoadFails(dir).hasMessageContaining(dir.resolve("fuser.pt").toString());
    }

    @ParameterizedTest
    @CsvSource({"head_dim, 16", "num_heads, 2", "num_layers, 1"})
    void build_cacheShapeThatDoesNotFitTheModel_failsAtLoadNamingTheModelFile(String field, int value)
            throws IOException {
        copyFixture();
        editConfig(root -> root.put(field, value));
        assertLoadFails(dir)
                .hasMessageContaining(dir.resolve("fuser.pt").toString())
                .hasMessageContaining(FuserConfig.FILE_NAME);
    }

    @Test
    void build_moreLayersThanTheModel_failsAtLoad() throws IOException {
        copyFixture();
        editConfig(root -> root.put("num_layers", 3));
        assertLoadFails(dir)
                .hasMessageContaining(dir.resolve("fuser.pt").toString())
                .hasMessageContaining("num_layers");
    }

    @Test
    void build_eosIdTheTokenizerDoesNotUse_namesEosTokenId() throws IOException {
        copyFixture();
        editConfig(root -> root.put("eos_token_id", 5));
        assertLoadFails(dir)
                .hasMessageContaining("eos_token_id")
                .hasMessageContaining("5")
                .hasMessageContaining("tokenizer.json");
    }

    @Test
    void build_vocabSizeSmallerThanTheTokenizer_fails() throws IOException {
        copyFixture();
        editConfig(root -> root.put("vocab_size", 100));
        assertLoadFails(dir).hasMessageContaining("100").hasMessageContaining("vocabulary");
    }

    @Test
    void build_vocabSizeLargerThanTheLogits_namesVocabSize() throws IOException {
        copyFixture();
        int logits = JSON.readTree(config().toFile()).get("vocab_size").asInt();
        editConfig(root -> root.put("vocab_size", 3000));
        assertLoadFails(dir)
                .hasMessageContaining("vocab_size 3000")
                .hasMessageContaining(String.valueOf(logits))
                .hasMessageContaining(dir.resolve("fuser.pt").toString());
    }

    @Test
    void builder_maxNewTokensNotPositive_failsEagerly() {
        GenFuser.Builder builder = GenFuser.builder(dir.resolve("never-loaded"));
        assertThatThrownBy(() -> builder.maxNewTokens(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxNewTokens")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> builder.maxNewTokens(-4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxNewTokens");
    }

    @Test
    void build_maxNewTokensBeyondTargetPositions_namesMaxNewTokens() {
        assertThatThrownBy(() -> GenFuser.builder(FIXTURE)
                        .device("cpu")
                        .maxNewTokens(512)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxNewTokens")
                .hasMessageContaining("511")
                .hasMessageContaining("512");
    }

    @Test
    void build_maxNewTokensAtTheBound_loads() {
        try (GenFuser fuser =
                GenFuser.builder(FIXTURE).device("cpu").maxNewTokens(511).build()) {
            assertThat(fuser.toString()).contains("maxNewTokens=511");
        }
    }
}
