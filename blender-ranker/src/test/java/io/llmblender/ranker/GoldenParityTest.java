package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fixture's golden.json was written by the Python script with its own BPE encoder and the
 * TorchScript model run in Python: the Java encoder must give the same ids and the Java path the
 * same logits.
 */
class GoldenParityTest {

    private static PairRanker ranker;
    private static JsonNode examples;

    @BeforeAll
    static void load() throws IOException {
        ranker = PairRanker.load(Fixtures.tinyRanker());
        examples = new ObjectMapper()
                .readTree(Fixtures.tinyRanker().resolve("golden.json").toFile())
                .get("examples");
    }

    @AfterAll
    static void close() {
        ranker.close();
    }

    @Test
    void encodePair_matchesPythonEncoderOnEveryGoldenExample() {
        assertThat(examples.size()).isGreaterThanOrEqualTo(6);
        for (JsonNode example : examples) {
            long[] expected = new ObjectMapper().convertValue(example.get("input_ids"), long[].class);
            long[] actual = ranker.encodePair(
                    example.get("source").asText(),
                    example.get("candidate1").asText(),
                    example.get("candidate2").asText());
            assertThat(actual).as(example.get("source").asText()).containsExactly(expected);
        }
    }

    @Test
    void score_matchesPythonLogitsOnEveryGoldenExample() {
        for (JsonNode example : examples) {
            PairQuery query = PairQuery.of(
                    example.get("source").asText(),
                    List.of(
                            example.get("candidate1").asText(),
                            example.get("candidate2").asText()),
                    List.of(new CandidatePair(0, 1)));
            PairwiseMatrix matrix = ranker.score(query);
            assertThat(matrix.logit(0, 1))
                    .as(example.get("source").asText())
                    .isCloseTo(example.get("logit").asDouble(), within(1e-5));
            assertThat(matrix.computedCount()).isEqualTo(1);
        }
    }
}
