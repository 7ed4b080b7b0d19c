package io.llmblender.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LLM-Blender's GPT-Rank from cmp_results, on hand-made comparisons. */
class GptRankTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> MODELS = List.of("m1", "m2", "m3");

    @Test
    void ranks_decisiveVerdicts_rankByWinsMinusLosses() throws Exception {
        // m2 beats m1 and m3, m3 beats m1: scores 2*(wins-losses) = m1 -4, m2 4, m3 0
        JsonNode record = JSON.readTree("{\"cmp_results\": {\"m1,m2\": \"B is better\", \"m1,m3\": \"B is better\","
                + " \"m2,m3\": \"A is better\"}}");

        assertThat(GptRank.scores(record, MODELS)).containsExactly(-4, 4, 0);
        assertThat(GptRank.ranks(record, MODELS)).containsExactly(3, 1, 2);
    }

    @Test
    void ranks_sameVerdicts_cancelAndTiesShareTheBestPosition() throws Exception {
        // m1 beats m2 ("A") and m3 (key m3,m1: "B"); m2 vs m3 "Same good" adds +0.5 both ways and cancels:
        // scores m1 4, m2 -2, m3 -2; ranks 1 + number strictly better: [1, 2, 2]
        for (String same : List.of("Same good", "Same bad")) {
            JsonNode record = JSON.readTree("{\"cmp_results\": {\"m1,m2\": \"A is better\", \"m3,m1\": \"B is better\","
                    + " \"m2,m3\": \"" + same + "\"}}");

            assertThat(GptRank.scores(record, MODELS)).containsExactly(4, -2, -2);
            assertThat(GptRank.ranks(record, MODELS)).containsExactly(1, 2, 2);
        }
    }

    @Test
    void ranks_cmpResultsAsJsonString_readAsOnHuggingFace() throws Exception {
        JsonNode record = JSON.createObjectNode()
                .put(
                        "cmp_results",
                        "{\"m1,m2\": \"B is better\", \"m1,m3\": \"B is better\", \"m2,m3\": \"A is better\"}");

        assertThat(GptRank.ranks(record, MODELS)).containsExactly(3, 1, 2);
    }

    @Test
    void ranks_modelNameWithComma_findsTheOneSplitNamingTwoCandidates() throws Exception {
        JsonNode record = JSON.readTree("{\"cmp_results\": {\"org/a,b,c\": \"B is better\"}}");

        assertThat(GptRank.ranks(record, List.of("org/a,b", "c"))).containsExactly(2, 1);
    }

    @Test
    void present_nullOrNullString_isFalse() throws Exception {
        assertThat(GptRank.present(JSON.readTree("{\"cmp_results\": \"null\"}")))
                .isFalse();
        assertThat(GptRank.present(JSON.readTree("{\"cmp_results\": null}"))).isFalse();
        assertThat(GptRank.present(JSON.readTree("{}"))).isFalse();
        assertThat(GptRank.present(JSON.readTree("{\"cmp_results\": {}}"))).isTrue();
    }

    @Test
    void ranks_unusableComparisons_throwNamingTheProblem() throws Exception {
        assertThatThrownBy(() -> GptRank.ranks(JSON.readTree("{\"cmp_results\": \"null\"}"), MODELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no cmp_results");
        assertThatThrownBy(() -> GptRank.ranks(
                        JSON.readTree("{\"cmp_results\": {\"m1,m2\": \"A is better\", \"m1,m3\": \"A is better\"}}"),
                        MODELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"m2\" and \"m3\"");
        assertThatThrownBy(
                        () -> GptRank.ranks(JSON.readTree("{\"cmp_results\": {\"m1,m9\": \"A is better\"}}"), MODELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m1,m9");
        assertThatThrownBy(() -> GptRank.ranks(JSON.readTree("{\"cmp_results\": {\"m1,m2\": \"tie\"}}"), MODELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"tie\"");
        assertThatThrownBy(() -> GptRank.ranks(JSON.readTree("{\"cmp_results\": {}}"), List.of("m1", "m1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("share the model name");
        assertThatThrownBy(() -> GptRank.ranks(JSON.readTree("{\"cmp_results\": [1]}"), MODELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be an object");
    }
}
