package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Parity of a reward ranker exported by {@code models/export_reward_ranker.py} with the Python that wrote its
 * {@code golden.json}, opt-in:
 * {@code mvn -pl blender-ranker test -Dtest=ExportedRewardRankerTest -Dblender.reward.dir=/abs/path/export}.
 * Checks the token ids and rows exactly and the fp32 file's rewards within 1e-4; where the export has an int8 file,
 * prints how far its rewards are from Python's and whether each golden query keeps its order. Skipped otherwise.
 */
@EnabledIfSystemProperty(named = "blender.reward.dir", matches = ".+")
class ExportedRewardRankerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void export_reproducesItsGoldenRowsAndRewards() throws IOException, NoSuchAlgorithmException {
        Path dir = Path.of(System.getProperty("blender.reward.dir"));
        JsonNode golden = JSON.readTree(dir.resolve("golden.json").toFile());
        RankerConfig config = RankerConfig.read(dir);
        try (PairRanker ranker = PairRanker.builder(dir)
                        .device("cpu")
                        .precision(Precision.FP32)
                        .build();
                PairEncoder encoder = PairEncoder.load(dir, config)) {
            double worst = 0;
            for (JsonNode q : golden.get("queries")) {
                String prompt = RewardRankerTest.text(q.get("prompt"));
                List<String> answers = RewardRankerTest.answers(q);
                assertThat(RewardRankerTest.digest(encoder.rewardIds(List.of(prompt))[0]))
                        .isEqualTo(q.get("prompt_tokens").get("sha256").asText());
                double[] want = RewardRankerTest.doubles(q.get("rewards"));
                double[] got = ranker.rewardsOf(prompt, answers);
                for (int a = 0; a < answers.size(); a++) {
                    assertThat(RewardRankerTest.digest(encoder.rewardIds(List.of(answers.get(a)))[0]))
                            .isEqualTo(
                                    q.get("answer_tokens").get(a).get("sha256").asText());
                    assertThat(ranker.rewardRow(prompt, answers.get(a)))
                            .containsExactly(JSON.convertValue(q.get("rows").get(a), long[].class));
                    worst = Math.max(worst, Math.abs(got[a] - want[a]));
                }
            }
            System.out.printf("ExportedRewardRankerTest %s: largest |Java - Python| reward %.2e%n", dir, worst);
            assertThat(worst).as("largest |Java - Python| reward").isLessThan(1e-4);
        }
        if (config.int8ModelFile() != null && Files.isRegularFile(dir.resolve(config.int8ModelFile()))) {
            try (PairRanker int8 = PairRanker.builder(dir)
                    .device("cpu")
                    .precision(Precision.INT8)
                    .build()) {
                double worst = 0;
                int sameOrder = 0;
                for (JsonNode q : golden.get("queries")) {
                    double[] want = RewardRankerTest.doubles(q.get("rewards"));
                    double[] got = int8.rewardsOf(RewardRankerTest.text(q.get("prompt")), RewardRankerTest.answers(q));
                    boolean same = true;
                    for (int i = 0; i < want.length; i++) {
                        worst = Math.max(worst, Math.abs(got[i] - want[i]));
                        for (int j = 0; j < want.length; j++) {
                            same &= Math.signum(got[i] - got[j]) == Math.signum(want[i] - want[j]);
                        }
                    }
                    sameOrder += same ? 1 : 0;
                }
                System.out.printf(
                        "ExportedRewardRankerTest int8: largest |int8 - Python fp32| reward %.2e; %d of %d golden"
                                + " queries in fp32's order%n",
                        worst, sameOrder, golden.get("queries").size());
            }
        }
    }
}
