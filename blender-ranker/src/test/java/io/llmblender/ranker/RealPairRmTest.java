package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Parity with the real PairRM, opt-in: export it with {@code models/export_pairrm.py} and run
 * {@code mvn -pl blender-ranker test -Dtest=RealPairRmTest -Dblender.pairrm.dir=/abs/path/pairrm}.
 * Skipped otherwise.
 */
@EnabledIfSystemProperty(named = "blender.pairrm.dir", matches = ".+")
class RealPairRmTest {

    private static PairRanker ranker;
    private static Path dir;

    @BeforeAll
    static void load() {
        dir = Path.of(System.getProperty("blender.pairrm.dir"));
        ranker = PairRanker.builder(dir).device("cpu").precision(Precision.FP32).build();
    }

    @AfterAll
    static void close() {
        if (ranker != null) {
            ranker.close();
        }
    }

    @Test
    void score_givesTheModelCardsGoldenLogits() {
        List<String> sources = List.of("hello!", "I love you!");
        List<List<String>> pairs = List.of(List.of("hi!", "f**k off!"), List.of("I hate you!", "I love you, too!"));
        double[] expected = {1.9003, -1.2547};
        for (int k = 0; k < 2; k++) {
            PairwiseMatrix matrix =
                    ranker.score(PairQuery.of(sources.get(k), pairs.get(k), List.of(new CandidatePair(0, 1))));
            assertThat(matrix.logit(0, 1)).isCloseTo(expected[k], within(1e-3));
        }
    }

    @Test
    void rank_givesTheModelCardsGoldenRanks() {
        List<Ranking> rankings = ranker.rank(
                List.of("hello, how are you!", "I love you!"),
                List.of(
                        List.of("get out!", "hi! I am fine, thanks!", "bye!"),
                        List.of("I love you too!", "I hate you!", "Thanks! You're a good guy!")));
        assertThat(rankings.get(0).ranks()).containsExactly(3, 1, 2);
        assertThat(rankings.get(1).ranks()).containsExactly(1, 3, 2);
    }

    @Test
    void encodingAndLogits_matchTheExportScriptsPythonRun() throws IOException {
        Path golden = dir.resolve("golden.json");
        if (!Files.isRegularFile(golden)) {
            return; // an export made without golden.json: the model card values above still apply
        }
        JsonNode root = new ObjectMapper().readTree(golden.toFile());
        for (JsonNode example : root.get("examples")) {
            long[] expected = new ObjectMapper().convertValue(example.get("input_ids"), long[].class);
            assertThat(ranker.encodePair(
                            example.get("source").asText(),
                            example.get("candidate1").asText(),
                            example.get("candidate2").asText()))
                    .containsExactly(expected);
        }
        for (JsonNode ranking : root.get("rankings")) {
            List<String> candidates = new ObjectMapper()
                    .convertValue(
                            ranking.get("candidates"),
                            new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {});
            PairwiseMatrix matrix =
                    ranker.score(PairQuery.full(ranking.get("source").asText(), candidates));
            for (int i = 0; i < candidates.size(); i++) {
                for (int j = 0; j < candidates.size(); j++) {
                    assertThat(matrix.logit(i, j))
                            .isCloseTo(ranking.get("matrix").get(i).get(j).asDouble(), within(1e-3));
                }
            }
        }
    }
}
