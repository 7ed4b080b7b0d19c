package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.rank.PairQuery;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every way a model directory can be broken fails at build() with a ModelLoadException naming the
 * file and the problem; the builder checks its own arguments eagerly; a closed ranker refuses calls.
 */
class LoadErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Copies the fixture (fp32 model, tokenizer, config) into {@code dir}. */
    private Path copyFixture() throws IOException {
        try (Stream<Path> files = Files.list(Fixtures.tinyRanker())) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName().toString()));
            }
        }
        return dir;
    }

    private void editJson(String file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve(file).toFile());
        edit.accept(root);
        JSON.writeValue(dir.resolve(file).toFile(), root);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails(Path home) {
        return assertThatThrownBy(() -> PairRanker.builder(home).device("cpu").build())
                .isInstanceOf(ModelLoadException.class);
    }

    @Test
    void build_missingDirectory_namesThePath() {
        Path missing = dir.resolve("no-such-model");
        assertLoadFails(missing).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void build_missingConfig_namesFileAndDirectory() throws IOException {
        Files.delete(copyFixture().resolve("ranker_config.json"));
        assertLoadFails(dir).hasMessageContaining("missing ranker_config.json").hasMessageContaining(dir.toString());
    }

    @Test
    void build_configNotJson_namesTheFile() throws IOException {
        Files.writeString(copyFixture().resolve("ranker_config.json"), "{ \"format\": ");
        assertLoadFails(dir)
                .hasMessageContaining(dir.resolve("ranker_config.json").toString())
                .hasMessageContaining("not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "format             | \"blender-pairranker/9\" | blender-pairranker/9",
                "layout             | \"sideways\"             | sideways",
                "source_max_length  | -3                       | -3",
                "source_max_length  | \"big\"                  | big",
                "colour             | \"blue\"                 | colour",
            })
    void build_badConfigField_namesFileFieldAndValue(String field, String json, String shown) throws IOException {
        copyFixture();
        editJson("ranker_config.json", root -> {
            try {
                root.set(field, JSON.readTree(json));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertLoadFails(dir)
                .hasMessageContaining(dir.resolve("ranker_config.json").toString())
                .hasMessageContaining(field)
                .hasMessageContaining(shown);
    }

    @Test
    void build_missingTokenizer_namesFileAndField() throws IOException {
        Files.delete(copyFixture().resolve("tokenizer.json"));
        assertLoadFails(dir)
                .hasMessageContaining("tokenizer.json")
                .hasMessageContaining("tokenizer_file")
                .hasMessageContaining(dir.toString());
    }

    @Test
    void build_tokenizerNotJson_namesTheFile() throws IOException {
        Files.writeString(copyFixture().resolve("tokenizer.json"), "not json at all");
        assertLoadFails(dir)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void build_tokenizerWithoutCandidate1Token_namesTokenAndField() throws IOException {
        copyFixture();
        editJson("tokenizer.json", root -> {
            Iterator<JsonNode> tokens = ((ArrayNode) root.get("added_tokens")).elements();
            while (tokens.hasNext()) {
                if (tokens.next().get("content").asText().equals("<|candidate1|>")) {
                    tokens.remove();
                }
            }
        });
        assertLoadFails(dir)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("'<|candidate1|>'")
                .hasMessageContaining("candidate1_prefix");
    }

    @Test
    void build_vocabSizeSmallerThanTokenizer_namesSizeAndField() throws IOException {
        copyFixture();
        editJson("ranker_config.json", root -> root.put("vocab_size", 1000));
        assertLoadFails(dir)
                .hasMessageContaining("1000")
                .hasMessageContaining("vocab_size")
                .hasMessageContaining("tokenizer.json");
    }

    @Test
    void build_withoutVocabSize_loadsWhenTheModelFits() throws IOException {
        copyFixture();
        editJson("ranker_config.json", root -> root.remove("vocab_size"));
        try (PairRanker ranker = PairRanker.builder(dir).device("cpu").build()) {
            assertThat(ranker.compare("q", "a", "b")).isFinite();
        }
    }

    @Test
    void build_tokenizerIdBeyondEmbeddingsWithoutVocabSize_failsOnTheProbeRow() throws IOException {
        copyFixture();
        editJson("ranker_config.json", root -> root.remove("vocab_size"));
        editJson(
                "tokenizer.json",
                root -> ((ArrayNode) root.get("added_tokens"))
                        .addObject()
                        .put("id", 5000)
                        .put("content", "<|extra|>")
                        .put("single_word", false)
                        .put("lstrip", false)
                        .put("rstrip", false)
                        .put("normalized", false)
                        .put("special", false));
        assertLoadFails(dir)
                .hasMessageContaining(dir.resolve("pairranker.pt").toString())
                .hasMessageContaining("5000");
    }

    @Test
    void build_missingModelFile_namesIt() throws IOException {
        Files.delete(copyFixture().resolve("pairranker.pt"));
        assertLoadFails(dir).hasMessageContaining("pairranker.pt").hasMessageContaining(dir.toString());
    }

    @Test
    void build_truncatedModelFile_namesIt() throws IOException {
        byte[] head = Files.readAllBytes(copyFixture().resolve("pairranker.pt"));
        Files.write(dir.resolve("pairranker.pt"), Arrays.copyOf(head, 1000));
        assertLoadFails(dir).hasMessageContaining(dir.resolve("pairranker.pt").toString());
    }

    @Test
    void build_modelFileThatIsText_namesIt() throws IOException {
        Files.writeString(copyFixture().resolve("pairranker.pt"), "this is not a TorchScript module\n");
        assertLoadFails(dir).hasMessageContaining(dir.resolve("pairranker.pt").toString());
    }

    @Test
    void builder_badArguments_failEagerlyNamingTheOption() {
        PairRanker.Builder builder = PairRanker.builder(dir.resolve("never-loaded"));
        assertThatThrownBy(() -> builder.tokenBudget(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokenBudget")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> builder.maxBatchRows(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatchRows")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> builder.device(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device");
        assertThatThrownBy(() -> builder.name(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
    }

    @Test
    void close_thenCalls_throwIllegalStateAndCloseIsIdempotent() {
        PairRanker ranker =
                PairRanker.builder(Fixtures.tinyRanker()).device("cpu").build();
        ranker.close();
        assertThatCode(ranker::close).doesNotThrowAnyException();
        assertThatThrownBy(() -> ranker.encodePair("q", "a", "b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> ranker.score(PairQuery.full("q", List.of("a", "b"))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ranker.rank("q", List.of("a", "b"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ranker.compare("q", "a", "b")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builderUri_fileUriOfDirectory_loads() {
        try (PairRanker ranker = PairRanker.builder(Fixtures.tinyRanker().toUri())
                        .device("cpu")
                        .build();
                PairRanker byPath =
                        PairRanker.builder(Fixtures.tinyRanker()).device("cpu").build()) {
            assertThat(ranker.encodePair("q", "a", "b")).containsExactly(byPath.encodePair("q", "a", "b"));
        }
    }

    @Test
    void builderUri_zipArchive_unpacksIntoCacheOnceAndReusesIt() throws IOException {
        Path zip = dir.resolve("model.zip");
        try (OutputStream out = Files.newOutputStream(zip);
                ZipOutputStream z = new ZipOutputStream(out)) {
            for (String name : List.of("ranker_config.json", "tokenizer.json", "pairranker.pt", "pairranker-fp16.pt")) {
                z.putNextEntry(new ZipEntry(name));
                Files.copy(Fixtures.tinyRanker().resolve(name), z);
                z.closeEntry();
            }
        }
        Path cache = dir.resolve("cache");
        URI uri = zip.toUri();
        long[] first;
        try (PairRanker ranker =
                PairRanker.builder(uri).cacheDirectory(cache).device("cpu").build()) {
            first = ranker.encodePair("q", "a", "b");
            assertThat(ranker.compare("q", "a", "b")).isFinite();
        }
        List<Path> unpacked;
        try (Stream<Path> entries = Files.list(cache)) {
            unpacked = entries.toList();
        }
        assertThat(unpacked).hasSize(1);
        assertThat(unpacked.get(0).resolve("ranker_config.json")).isRegularFile();
        // The second load must come from the cache: the archive is gone.
        Files.delete(zip);
        try (PairRanker again =
                PairRanker.builder(uri).cacheDirectory(cache).device("cpu").build()) {
            assertThat(again.encodePair("q", "a", "b")).containsExactly(first);
        }
        try (Stream<Path> entries = Files.list(cache)) {
            assertThat(entries.toList()).containsExactlyElementsOf(unpacked);
        }
    }

    @Test
    void builderUri_missingArchive_isLoadErrorNamingTheUri() {
        URI uri = dir.resolve("absent.zip").toUri();
        assertThatThrownBy(() -> PairRanker.builder(uri)
                        .cacheDirectory(dir.resolve("cache"))
                        .build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(uri.toString());
    }
}
