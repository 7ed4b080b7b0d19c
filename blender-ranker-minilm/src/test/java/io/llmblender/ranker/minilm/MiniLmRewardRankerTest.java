package io.llmblender.ranker.minilm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankers;
import io.llmblender.core.rank.Rankings;
import io.llmblender.ranker.PairRanker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped trained reward ranker, unpacked from the jar and run through the real DJL / OnnxRuntime path, against
 * models/minilm-reward/golden.json, written by models/export_reward_ranker.py from the same stored weights in Python
 * (its own WordPiece encoder, rows and length features): every logit is the difference of Python's two rewards within
 * 2e-4 (each reward within 1e-4).
 */
class MiniLmRewardRankerTest {

    private static final Path SOURCES =
            Path.of("..", "models", "minilm-reward").toAbsolutePath().normalize();

    private static PairRanker ranker;
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        ranker = MiniLmRewardRanker.load();
        golden = new ObjectMapper().readTree(SOURCES.resolve("golden.json").toFile());
    }

    @AfterAll
    static void close() {
        ranker.close();
    }

    /** A golden text: a string, or a recipe {head, unit, count, tail} for one too long to store. */
    private static String text(JsonNode spec) {
        if (spec.isTextual()) {
            return spec.asText();
        }
        return spec.get("head").asText()
                + spec.get("unit").asText().repeat(spec.get("count").asInt())
                + spec.get("tail").asText();
    }

    @Test
    void loads_asTheNamedRewardModelOnOnnx() {
        assertThat(ranker.name()).isEqualTo(MiniLmRewardRanker.NAME);
        assertThat(ranker.modelFile()).isEqualTo("encoder.onnx");
        assertThat(ranker.toString()).contains("reward");
    }

    @Test
    void logits_areDifferencesOfPythonsRewards_onEveryGoldenQuery() {
        int pairs = 0;
        for (JsonNode q : golden.get("queries")) {
            String prompt = text(q.get("prompt"));
            List<String> answers = new ArrayList<>();
            q.get("answers").forEach(a -> answers.add(text(a)));
            PairwiseMatrix m = ranker.score(PairQuery.full(prompt, answers));
            for (int i = 0; i < answers.size(); i++) {
                for (int j = 0; j < answers.size(); j++) {
                    if (i != j) {
                        double want = q.get("rewards").get(i).asDouble()
                                - q.get("rewards").get(j).asDouble();
                        assertThat(m.logit(i, j))
                                .as("logit(%d, %d) of %s", i, j, prompt.substring(0, Math.min(40, prompt.length())))
                                .isCloseTo(want, within(2e-4));
                        assertThat(m.logit(i, j)).isEqualTo(-m.logit(j, i));
                        pairs++;
                    }
                }
            }
        }
        assertThat(pairs).isGreaterThanOrEqualTo(30);
    }

    @Test
    void defaultRanker_consensusForThreeAnswers_theRewardModelForAnEnglishPair_lengthForAChinesePair() {
        List<String> three = List.of(
                "Paris is the capital of France.",
                "The capital of France is Paris, on the Seine.",
                "Berlin is the capital of France.");
        try (Ranker def = MiniLmRewardRanker.defaultRanker();
                Ranker consensus = Rankers.defaultRanker()) {
            assertThat(def.name()).isEqualTo(MiniLmRewardRanker.DEFAULT_NAME);
            assertThat(Rankings.rank(def, "What is the capital of France?", three)
                            .order())
                    .isEqualTo(Rankings.rank(consensus, "What is the capital of France?", three)
                            .order());
            assertThat(def.toString()).as("three answers never load the model").contains("not loaded");

            String prompt = "How do I boil an egg?";
            List<String> pair = List.of(
                    "Put the egg in boiling water for about nine minutes, then cool it in cold water.",
                    "Eggs are laid by hens.");
            PairwiseMatrix m = def.score(PairQuery.full(prompt, pair));
            assertThat(m.logit(0, 1))
                    .as("an English pair is the reward model's")
                    .isCloseTo(ranker.score(PairQuery.full(prompt, pair)).logit(0, 1), within(1e-6));
            assertThat(def.toString()).contains("loaded").doesNotContain("not loaded");

            List<String> zh = List.of("多喝水，注意休息。", "感冒时应多喝水、注意休息，必要时在医生指导下服药。");
            PairwiseMatrix z = def.score(PairQuery.full("感冒了怎么办？", zh));
            assertThat(z.logit(1, 0))
                    .as("a Chinese pair: the longer answer wins")
                    .isPositive();
            assertThat(z.logit(1, 0))
                    .isEqualTo(Rankers.lengthPrior()
                            .score(PairQuery.full("感冒了怎么办？", zh))
                            .logit(1, 0));
        }
    }

    @Test
    void unpack_writesEveryListedFileWithItsSize(@TempDir Path cache) throws IOException {
        Path dir = MiniLmRewardRanker.unpack(cache);
        JsonNode files = new ObjectMapper()
                .readTree(SOURCES.resolve("files.json").toFile())
                .get("files");
        assertThat(files.size()).isGreaterThanOrEqualTo(4);
        for (Map.Entry<String, JsonNode> file : files.properties()) {
            assertThat(Files.size(dir.resolve(file.getKey())))
                    .as(file.getKey())
                    .isEqualTo(file.getValue().get("bytes").asLong());
        }
        assertThat(dir.getFileName().toString()).startsWith(MiniLmRewardRanker.NAME + "-");
        assertThat(MiniLmRanker.unpack(cache))
                .as("the two shipped models unpack side by side")
                .isNotEqualTo(dir);
    }
}
