package io.llmblender.ranker.minilm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.ranker.PairRanker;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * models/minilm-ranker/golden.json was written by models/export_minilm_ranker.py: token ids from its own WordPiece
 * encoder and the logits of the exported TorchScript module run in Python. The shipped jar's ranker, loaded through
 * the real DJL path, must give the same ids and (within 1e-4) the same logits.
 */
class GoldenTest {

    private static PairRanker ranker;
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        ranker = MiniLmRanker.load();
        golden = ShippedModel.json("golden.json");
    }

    @AfterAll
    static void close() {
        ranker.close();
    }

    @Test
    void encodePair_matchesPythonIdsOnEveryGoldenPair() {
        assertThat(golden.get("pairs").size()).isGreaterThanOrEqualTo(6);
        for (JsonNode pair : golden.get("pairs")) {
            long[] expected = new ObjectMapper().convertValue(pair.get("ids"), long[].class);
            long[] actual = ranker.encodePair(pair.get("source").asText(), pair.get("candidate1").asText(),
                    pair.get("candidate2").asText());
            assertThat(actual).as(pair.get("source").asText()).containsExactly(expected);
        }
    }

    @Test
    void compare_matchesPythonLogitsOnEveryGoldenPair() {
        for (JsonNode pair : golden.get("pairs")) {
            PairQuery query = PairQuery.of(pair.get("source").asText(),
                    List.of(pair.get("candidate1").asText(), pair.get("candidate2").asText()),
                    List.of(new CandidatePair(0, 1)));
            double logit = ranker.score(query).logit(0, 1);
            assertThat(logit).as(pair.get("source").asText()).isCloseTo(pair.get("logit").asDouble(), within(1e-4));
        }
    }

    @Test
    void name_isTheShippedModelsName() {
        assertThat(ranker.name()).isEqualTo(MiniLmRanker.NAME);
    }
}
