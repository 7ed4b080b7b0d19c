package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Parity with a real exported T5 (e.g. google/flan-t5-small or llm-blender/gen_fuser_3b), opt-in:
 * export it with {@code models/export_t5.py}, then run
 * {@code mvn -pl blender-fuser test -Dtest=RealGenFuserTest -Dblender.genfuser.dir=/abs/path/export}.
 * The export's golden.json holds transformers' own greedy and 4-beam outputs. Skipped otherwise.
 */
@EnabledIfSystemProperty(named = "blender.genfuser.dir", matches = ".+")
class RealGenFuserTest {

    @Test
    void greedyAndBeamSearch_matchTransformersGenerate() throws IOException {
        Path dir = Path.of(System.getProperty("blender.genfuser.dir"));
        JsonNode decoding =
                new ObjectMapper().readTree(dir.resolve("golden.json").toFile()).get("decoding");
        int maxNew = decoding.get("max_new_tokens").asInt();
        for (Decoding strategy : new Decoding[] {Decoding.greedy(), Decoding.beamSearch(4)}) {
            try (GenFuser fuser = GenFuser.builder(dir)
                    .device("cpu")
                    .decoding(strategy)
                    .maxNewTokens(maxNew)
                    .build()) {
                for (JsonNode prompt : decoding.get("prompts")) {
                    JsonNode expected = prompt.get(strategy.strategy() == Decoding.Strategy.GREEDY ? "greedy" : "beam");
                    Decoder.Output out = fuser.generate(
                                    new long[][] {GoldenDecodingTest.longs(prompt.get("input_ids"))})
                            .get(0);
                    assertThat(out.tokens())
                            .as(strategy + " " + prompt.get("name").asText())
                            .containsExactly(GoldenDecodingTest.ints(expected.get("ids")));
                    assertThat(out.endedWithEos())
                            .isEqualTo(expected.get("ended_with_eos").asBoolean());
                }
            }
        }
    }
}
