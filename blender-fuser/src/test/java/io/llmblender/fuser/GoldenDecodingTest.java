package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Prompt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fixture's golden.json was written by models/make_tiny_t5.py with its own Unigram encoder and
 * its own Python decoding loops (transformers' greedy and beam-search semantics) over the same
 * TorchScript model: the Java prompt builder and decoder must reproduce them.
 */
class GoldenDecodingTest {

    static final Path DIR = Path.of("..", "models", "genfuser").toAbsolutePath().normalize();
    private static JsonNode golden;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void read() throws IOException {
        golden = JSON.readTree(DIR.resolve("golden.json").toFile());
    }

    static long[] longs(JsonNode node) {
        return JSON.convertValue(node, long[].class);
    }

    static int[] ints(JsonNode node) {
        return JSON.convertValue(node, int[].class);
    }

    private static List<JsonNode> prompts() {
        List<JsonNode> out = new ArrayList<>();
        golden.get("decoding").get("prompts").forEach(out::add);
        return out;
    }

    private static List<Decoder.Output> run(Decoding decoding, boolean cache, long[]... ids) {
        try (GenFuser fuser = GenFuser.builder(DIR)
                .decoding(decoding)
                .kvCache(cache)
                .maxNewTokens(golden.get("decoding").get("max_new_tokens").asInt())
                .build()) {
            return fuser.generate(ids);
        }
    }

    @Test
    void promptIds_fusionPromptForTwoCandidates_matchPythonEncoder() {
        JsonNode fusion = prompts().stream()
                .filter(p -> p.get("name").asText().equals("fusion_k2"))
                .findFirst()
                .orElseThrow();
        try (GenFuser fuser = GenFuser.load(DIR)) {
            Prompt prompt = Prompt.of("I love you!");
            List<String> candidates = List.of("I hate you!", "I love you, too!");
            assertThat(fuser.promptText(prompt, candidates))
                    .isEqualTo(fusion.get("text").asText());
            assertThat(fuser.promptIds(prompt, candidates)).containsExactly(longs(fusion.get("input_ids")));
        }
    }

    @Test
    void greedy_matchesPythonGreedyOnEveryPrompt() {
        for (JsonNode p : prompts()) {
            Decoder.Output out =
                    run(Decoding.greedy(), true, longs(p.get("input_ids"))).get(0);
            assertThat(out.tokens())
                    .as(p.get("name").asText())
                    .containsExactly(ints(p.get("greedy").get("ids")));
            assertThat(out.endedWithEos())
                    .isEqualTo(p.get("greedy").get("ended_with_eos").asBoolean());
        }
    }

    @Test
    void beamSearch_matchesPythonBeamSearchOnEveryPrompt() {
        for (JsonNode p : prompts()) {
            Decoder.Output out =
                    run(Decoding.beamSearch(4), true, longs(p.get("input_ids"))).get(0);
            JsonNode beam = p.get("beam");
            assertThat(out.tokens()).as(p.get("name").asText()).containsExactly(ints(beam.get("ids")));
            assertThat(out.endedWithEos()).isEqualTo(beam.get("ended_with_eos").asBoolean());
            assertThat(out.score()).isCloseTo(beam.get("score").asDouble(), org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    @Test
    void greedyBatch_ofPromptsOfDifferentLengths_matchesEachAlone() {
        JsonNode batch = golden.get("batch");
        long[][] rows = new long[batch.get("input_ids").size()][];
        for (int r = 0; r < rows.length; r++) {
            long[] padded = longs(batch.get("input_ids").get(r));
            long[] mask = longs(batch.get("attention_mask").get(r));
            int length = 0;
            for (long m : mask) {
                length += (int) m;
            }
            rows[r] = java.util.Arrays.copyOf(padded, length);
        }
        List<Decoder.Output> outs = run(Decoding.greedy(), true, rows);
        for (int r = 0; r < rows.length; r++) {
            assertThat(outs.get(r).tokens())
                    .containsExactly(ints(batch.get("greedy_ids").get(r)));
        }
    }

    @Test
    void fuse_reportsWhyAndHowManyTokens() {
        try (GenFuser fuser = GenFuser.builder(DIR)
                .decoding(Decoding.greedy())
                .maxNewTokens(20)
                .build()) {
            Fusion fusion = fuser.fuse(Prompt.of("I love you!"), List.of("I hate you!", "I love you, too!"));
            JsonNode expected = prompts().stream()
                    .filter(p -> p.get("name").asText().equals("fusion_k2"))
                    .findFirst()
                    .orElseThrow()
                    .get("greedy");
            assertThat(fusion.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(fusion.generatedTokens()).hasValue(expected.get("ids").size() + 1);
            assertThat(fusion.candidatesUsed()).isEqualTo(2);
            assertThat(fusion.text()).isNotBlank();
        }
    }
}
