package io.llmblender.ranker.minilm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.Precision;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * models/minilm-ranker/golden.json was written by models/export_minilm_ranker.py: token ids from its own WordPiece
 * encoder and the logits of the pair-row TorchScript module (fp16-stored weights) run in Python on whole pair rows.
 * The shipped jar's ranker encodes each text alone (segment architecture) with its ONNX file (the same fp16-stored
 * weights, fp32 arithmetic on OnnxRuntime) through the real DJL path; it must give the same ids and the same logits
 * within 1e-3. The logit is 20 times a difference of cosines, and OnnxRuntime's fp32 kernels and PyTorch's differ by
 * about 1e-5 in a cosine (measured: 2.8e-4 on the largest golden logit, 10.96), so 1e-4 would test float rounding.
 */
class GoldenTest {

    private static PairRanker ranker;
    private static PairRanker shippedDefault;
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        ranker = PairRanker.builder(MiniLmRanker.directory())
                .precision(Precision.FP32)
                .build();
        shippedDefault = MiniLmRanker.load();
        golden = ShippedModel.json("golden.json");
    }

    @AfterAll
    static void close() {
        ranker.close();
        shippedDefault.close();
    }

    @Test
    void theDefault_isTheOnnxFile() {
        assertThat(ranker.modelFile()).isEqualTo("encoder.onnx");
        assertThat(shippedDefault.modelFile()).isEqualTo("encoder.onnx");
    }

    @Test
    void encodePair_matchesPythonIdsOnEveryGoldenPair() {
        assertThat(golden.get("pairs").size()).isGreaterThanOrEqualTo(6);
        for (JsonNode pair : golden.get("pairs")) {
            long[] expected = new ObjectMapper().convertValue(pair.get("ids"), long[].class);
            long[] actual = ranker.encodePair(
                    pair.get("source").asText(),
                    pair.get("candidate1").asText(),
                    pair.get("candidate2").asText());
            assertThat(actual).as(pair.get("source").asText()).containsExactly(expected);
        }
    }

    @Test
    void compare_matchesPythonLogitsOnEveryGoldenPair() {
        for (JsonNode pair : golden.get("pairs")) {
            PairQuery query = PairQuery.of(
                    pair.get("source").asText(),
                    List.of(
                            pair.get("candidate1").asText(),
                            pair.get("candidate2").asText()),
                    List.of(new CandidatePair(0, 1)));
            double logit = ranker.score(query).logit(0, 1);
            assertThat(logit)
                    .as(pair.get("source").asText())
                    .isCloseTo(pair.get("logit").asDouble(), within(1e-3));
        }
    }

    @Test
    void name_isTheShippedModelsName() {
        assertThat(ranker.name()).isEqualTo(MiniLmRanker.NAME);
    }
}
