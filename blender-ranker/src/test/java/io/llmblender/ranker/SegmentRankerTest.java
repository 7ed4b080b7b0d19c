package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment architecture on the tiny fixture (random weights, a non-zero head): texts encoded alone reproduce the
 * logits Python's SegmentRanker gives the golden pair rows, on TorchScript and on OnnxRuntime alike (1e-4); the int8
 * graph ranks close to fp32 and, one text per call, gives a query the same matrix alone or batched with others.
 */
class SegmentRankerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ANSWERS = List.of(
            "Paris is the capital of France.",
            "I think it is Lyon.",
            "",
            "The capital is Paris, on the Seine, since the tenth century or so.",
            "no idea",
            "Paris. Paris. Paris. Paris.");

    @TempDir
    static Path onnxDir;

    private static PairRanker torch;
    private static PairRanker onnx;
    private static PairRanker int8;
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        Path fixture = Fixtures.tinySegmentRanker();
        copy(fixture, onnxDir, c -> c.put("model_file", "encoder.onnx"));
        torch = PairRanker.builder(fixture)
                .device("cpu")
                .precision(Precision.FP32)
                .build();
        onnx = PairRanker.builder(onnxDir)
                .device("cpu")
                .precision(Precision.FP32)
                .build();
        int8 = PairRanker.builder(fixture)
                .device("cpu")
                .precision(Precision.INT8)
                .build();
        golden = JSON.readTree(fixture.resolve("golden.json").toFile());
    }

    @AfterAll
    static void close() {
        torch.close();
        onnx.close();
        int8.close();
    }

    static void copy(Path from, Path to, Consumer<ObjectNode> edit) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName().toString()));
            }
        }
        ObjectNode config =
                (ObjectNode) JSON.readTree(to.resolve("ranker_config.json").toFile());
        edit.accept(config);
        JSON.writeValue(to.resolve("ranker_config.json").toFile(), config);
    }

    @Test
    void modelFiles_areChosenByPrecisionAndEngineByExtension() {
        assertThat(torch.modelFile()).isEqualTo("encoder.pt");
        assertThat(onnx.modelFile()).isEqualTo("encoder.onnx");
        assertThat(int8.modelFile()).isEqualTo("encoder-int8.onnx");
        try (PairRanker auto =
                PairRanker.builder(Fixtures.tinySegmentRanker()).device("cpu").build()) {
            assertThat(auto.modelFile()).as("AUTO on a CPU never takes int8").isEqualTo("encoder.pt");
        }
        assertThat(torch.toString()).contains("segment", "encoder.pt");
    }

    @Test
    void bothEngines_reproducePythonsPairRowLogits() {
        assertThat(golden.get("examples").size()).isGreaterThanOrEqualTo(5);
        for (JsonNode ex : golden.get("examples")) {
            PairQuery query = PairQuery.of(
                    ex.get("source").asText(),
                    List.of(ex.get("candidate1").asText(), ex.get("candidate2").asText()),
                    List.of(new CandidatePair(0, 1)));
            double expected = ex.get("logit").asDouble();
            assertThat(torch.score(query).logit(0, 1))
                    .as("TorchScript: " + ex.get("source"))
                    .isCloseTo(expected, within(1e-4));
            assertThat(onnx.score(query).logit(0, 1))
                    .as("OnnxRuntime: " + ex.get("source"))
                    .isCloseTo(expected, within(1e-4));
        }
    }

    @Test
    void onnxAndTorchScript_giveTheSameFullMatrices() {
        PairwiseMatrix a =
                torch.rank("What is the capital of France?", ANSWERS).matrix().orElseThrow();
        PairwiseMatrix b =
                onnx.rank("What is the capital of France?", ANSWERS).matrix().orElseThrow();
        for (int i = 0; i < ANSWERS.size(); i++) {
            for (int j = 0; j < ANSWERS.size(); j++) {
                if (i != j) {
                    assertThat(b.logit(i, j)).isCloseTo(a.logit(i, j), within(1e-4));
                    assertThat(a.logit(i, j))
                            .as("M[i][j] = g_i - g_j is antisymmetric")
                            .isCloseTo(-a.logit(j, i), within(1e-9));
                }
            }
        }
    }

    @Test
    void int8_ranksCloseToFp32() {
        PairwiseMatrix fp32 =
                torch.rank("What is the capital of France?", ANSWERS).matrix().orElseThrow();
        PairwiseMatrix q =
                int8.rank("What is the capital of France?", ANSWERS).matrix().orElseThrow();
        double worst = 0;
        double spread = 0;
        for (int i = 0; i < ANSWERS.size(); i++) {
            for (int j = 0; j < ANSWERS.size(); j++) {
                if (i != j) {
                    worst = Math.max(worst, Math.abs(q.logit(i, j) - fp32.logit(i, j)));
                    spread = Math.max(spread, Math.abs(fp32.logit(i, j)));
                }
            }
        }
        assertThat(spread).as("the random head separates the answers").isGreaterThan(0.05);
        assertThat(worst).as("int8 logits stay within a fifth of fp32's spread").isLessThan(0.2 * spread);
        assertThat(worst).as("but are not the fp32 file's").isGreaterThan(0.0);
    }

    @Test
    void int8_aQuerysMatrixDoesNotDependOnWhatItIsBatchedWith() {
        PairQuery alone = PairQuery.full("What is the capital of France?", ANSWERS);
        List<PairQuery> many = new ArrayList<>();
        many.add(PairQuery.full("Name a colour.", List.of("red", "The sky is blue, mostly.", "")));
        many.add(alone);
        many.add(PairQuery.full("Say something long.", List.of("word ".repeat(200), "short")));
        try (PairRanker fresh = PairRanker.builder(Fixtures.tinySegmentRanker())
                .device("cpu")
                .precision(Precision.INT8)
                .cacheSize(0)
                .build()) {
            PairwiseMatrix single = fresh.score(alone);
            PairwiseMatrix batched = fresh.scoreAll(many).get(1);
            for (int i = 0; i < ANSWERS.size(); i++) {
                for (int j = 0; j < ANSWERS.size(); j++) {
                    if (i != j) {
                        assertThat(batched.logit(i, j)).isEqualTo(single.logit(i, j));
                    }
                }
            }
        }
    }

    @Test
    void cachedVectors_giveExactlyTheMatrixTheModelGives() {
        try (PairRanker cached = PairRanker.builder(Fixtures.tinySegmentRanker())
                        .device("cpu")
                        .precision(Precision.FP32)
                        .build();
                PairRanker uncached = PairRanker.builder(Fixtures.tinySegmentRanker())
                        .device("cpu")
                        .precision(Precision.FP32)
                        .cacheSize(0)
                        .build()) {
            PairwiseMatrix first = cached.rank("Q?", ANSWERS).matrix().orElseThrow();
            PairwiseMatrix again = cached.rank("Q?", ANSWERS).matrix().orElseThrow();
            PairwiseMatrix none = uncached.rank("Q?", ANSWERS).matrix().orElseThrow();
            for (int i = 0; i < ANSWERS.size(); i++) {
                for (int j = 0; j < ANSWERS.size(); j++) {
                    if (i != j) {
                        assertThat(again.logit(i, j)).isEqualTo(first.logit(i, j));
                        assertThat(none.logit(i, j)).isCloseTo(first.logit(i, j), within(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void aCandidateCutForALongSource_isScoredAsItsPairRowReadsIt() {
        // The candidate's budget shrinks as the source grows; its text alone must be cut the same way.
        String longSource = "why ".repeat(60);
        String longAnswer = "because ".repeat(80);
        double aloneSegment = torch.compare(longSource, longAnswer, "no");
        double onnxSegment = onnx.compare(longSource, longAnswer, "no");
        assertThat(onnxSegment).isCloseTo(aloneSegment, within(1e-4));
        assertThat(torch.compare("why", longAnswer, "no"))
                .as("another source, another cut")
                .isNotCloseTo(aloneSegment, within(1e-6));
    }

    @Test
    void segmentConfigs_areChecked(@TempDir Path a, @TempDir Path b, @TempDir Path c, @TempDir Path d)
            throws IOException {
        copy(Fixtures.tinySegmentRanker(), a, cfg -> cfg.put("layout", "plain"));
        assertThatThrownBy(() -> PairRanker.builder(a).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("architecture")
                .hasMessageContaining("layout")
                .hasMessageContaining("plain");
        copy(Fixtures.tinySegmentRanker(), b, cfg -> cfg.put("hidden_size", 48));
        assertThatThrownBy(() -> PairRanker.builder(b).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.bin")
                .hasMessageContaining("hidden_size 48")
                .hasMessageContaining("found 12552");
        copy(Fixtures.tinySegmentRanker(), c, cfg -> cfg.remove("hidden_size"));
        assertThatThrownBy(() -> PairRanker.builder(c).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("hidden_size");
        copy(Fixtures.tinyRanker(), d, cfg -> {});
        assertThatThrownBy(() -> PairRanker.builder(d)
                        .device("cpu")
                        .precision(Precision.INT8)
                        .build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("int8_model_file");
    }

    @Test
    void threadsAndCacheSize_areCheckedAndSetOnce() {
        PairRanker.Builder builder = PairRanker.builder(Fixtures.tinySegmentRanker());
        assertThatThrownBy(() -> builder.threads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        assertThatThrownBy(() -> builder.cacheSize(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cacheSize")
                .hasMessageContaining("-1");
        builder.threads(2).cacheSize(10);
        assertThatThrownBy(() -> builder.threads(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("threads");
        assertThatThrownBy(() -> builder.cacheSize(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cacheSize");
    }
}
