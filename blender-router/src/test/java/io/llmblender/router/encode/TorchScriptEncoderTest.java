package io.llmblender.router.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.SoftLabels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed random encoder (models/encoder, made by models/make_tiny_encoder.py) against the script's own ids and
 * vectors, its load errors, and a router trained over it.
 */
class TorchScriptEncoderTest {

    private static final Path DIR = Path.of("..", "models", "encoder");
    private static TorchScriptEncoder encoder;
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        encoder = TorchScriptEncoder.load(DIR);
        golden =
                new ObjectMapper().readTree(DIR.resolve("golden.json").toFile()).get("examples");
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void ids_matchThePythonEncoder() {
        for (JsonNode example : golden) {
            long[] expected = new ObjectMapper().convertValue(example.get("input_ids"), long[].class);
            assertThat(encoder.ids(example.get("query").asText()))
                    .as(example.get("query").asText())
                    .containsExactly(expected);
        }
    }

    @Test
    void encode_aPaddedBatch_matchesThePythonVectorsOfEachQueryAlone() {
        List<String> queries = new ArrayList<>();
        golden.forEach(e -> queries.add(e.get("query").asText()));

        float[][] vectors = encoder.encode(queries);

        assertThat(vectors).hasNumberOfRows(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            JsonNode expected = golden.get(i).get("vector");
            assertThat(vectors[i]).hasSize(32);
            double norm = 0;
            for (int d = 0; d < 32; d++) {
                assertThat((double) vectors[i][d])
                        .as("query %d dim %d", i, d)
                        .isCloseTo(expected.get(d).asDouble(), within(1e-5));
                norm += vectors[i][d] * vectors[i][d];
            }
            assertThat(norm).isCloseTo(1.0, within(1e-5));
        }
        assertThat(encoder.id()).isEqualTo("random-encoder-tiny");
        assertThat(encoder.dimension()).isEqualTo(32);
    }

    @Test
    void router_trainsOverIt_andSavesItsId(@TempDir Path dir) {
        List<RewardRecord> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(RewardRecord.of("What is " + i + " plus " + i + "?", Map.of("calc", 1.0, "poet", 0.0)));
            records.add(RewardRecord.of("A poem about spring, verse " + i + ".", Map.of("calc", 0.0, "poet", 1.0)));
        }
        try (ZooterRouter router = ZooterRouter.train(
                encoder,
                records,
                List.of("calc", "poet"),
                SoftLabels.defaults(),
                HeadConfig.builder().epochs(3).hidden(16).build())) {
            router.save(dir);
        }
        try (ZooterRouter loaded = ZooterRouter.load(dir, encoder, List.of("poet", "calc"))) {
            assertThat(loaded.route("What is 3 plus 3?").names()).containsExactlyInAnyOrder("calc", "poet");
        }
        assertThat(dir.resolve(ZooterRouter.FILE_NAME)).content().contains("random-encoder-tiny");
    }

    @Test
    void load_brokenDirectories_nameTheFileAndProblem(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> TorchScriptEncoder.load(dir.resolve("none")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("none");
        assertLoadError(dir, c -> c.put("dimension", 48), "gives vectors of 32 values", "'dimension' 48");
        assertLoadError(dir, c -> c.put("format", "blender-encoder/7"), "field 'format'", "blender-encoder/7");
        assertLoadError(dir, c -> c.put("pooling", "max"), "field 'pooling'", "\"max\"");
        assertLoadError(dir, c -> c.put("normalize", "yes"), "field 'normalize' must be true or false");
        assertLoadError(dir, c -> c.put("colour", "red"), "colour");
        assertLoadError(dir, c -> c.put("model_file", "missing.pt"), "model_file", "missing.pt");
        assertLoadError(dir, c -> c.put("max_tokens", 1), "max_tokens");
        copy(dir);
        Files.write(dir.resolve("encoder.pt"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> TorchScriptEncoder.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("encoder.pt");
    }

    private static void assertLoadError(Path dir, Consumer<ObjectNode> edit, String... fragments) throws IOException {
        copy(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode)
                json.readTree(dir.resolve(TorchScriptEncoder.CONFIG_FILE).toFile());
        edit.accept(config);
        json.writeValue(dir.resolve(TorchScriptEncoder.CONFIG_FILE).toFile(), config);
        var thrown = assertThatThrownBy(() -> TorchScriptEncoder.load(dir)).isInstanceOf(ModelLoadException.class);
        for (String fragment : fragments) {
            thrown.hasMessageContaining(fragment);
        }
    }

    private static void copy(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void close_refusesLaterEncodesAndIds_andClosingAgainIsHarmless() {
        TorchScriptEncoder own = TorchScriptEncoder.load(DIR);
        assertThat(own.encode(List.of("a question"))[0]).hasSize(own.dimension());

        own.close();
        own.close();

        assertThatThrownBy(() -> own.encode(List.of("a question")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(" is closed");
        assertThatThrownBy(() -> own.ids("a question"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(" is closed");
        assertThat(own.dimension()).isEqualTo(encoder.dimension());
    }

    @Test
    void close_duringEncodesOnManyThreads_eachEncodeFinishesWholeOrIsRefused() throws Exception {
        TorchScriptEncoder own = TorchScriptEncoder.load(DIR);
        List<String> queries = List.of("How do I bake bread?", "What is 17 times 23?");
        float[][] expected = encoder.encode(queries);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<float[][]>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(threads.submit(() -> {
                    start.await();
                    return own.encode(queries);
                }));
            }
            start.countDown();
            own.close();
            for (java.util.concurrent.Future<float[][]> call : calls) {
                try {
                    float[][] got = call.get();
                    for (int q = 0; q < expected.length; q++) {
                        assertThat(got[q]).containsExactly(expected[q], within(1e-5f));
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause())
                            .as("an encode that started after close")
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageEndingWith(" is closed");
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
