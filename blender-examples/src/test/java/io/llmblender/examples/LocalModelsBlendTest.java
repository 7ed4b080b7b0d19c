package io.llmblender.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.fuser.Decoding;
import io.llmblender.fuser.GenFuser;
import io.llmblender.ranker.PairRanker;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Blender wired with the local PairRanker and GenFuser (the committed tiny models). */
class LocalModelsBlendTest {

    private static final Path MODELS = Path.of("..", "models").toAbsolutePath().normalize();

    @Test
    void blend_withPairRankerAndGenFuser_ranksEveryAnswerAndFusesTheTopK() {
        List<String> answers = List.of("She sells 9 eggs at $2, so $18.", "$18", "Janet makes 14 dollars.");
        try (PairRanker ranker = PairRanker.load(MODELS.resolve("pairranker"));
                GenFuser fuser = GenFuser.builder(MODELS.resolve("genfuser"))
                        .decoding(Decoding.greedy())
                        .maxNewTokens(16)
                        .build();
                Blender blender = Blender.builder()
                        .client(LlmClient.of("a", p -> Generation.of(answers.get(0))))
                        .client(LlmClient.of("b", p -> Generation.of(answers.get(1))))
                        .client(LlmClient.of("c", p -> Generation.of(answers.get(2))))
                        .ranker(ranker)
                        .fuser(fuser)
                        .topK(2)
                        .build()) {
            BlendResult result = blender.blend(Prompt.of("How much does Janet make a day?"));

            PairwiseMatrix matrix = result.matrix().orElseThrow();
            assertThat(matrix.isComplete()).isTrue();
            assertThat(matrix.logit(0, 1) - matrix.logit(1, 0))
                    .isCloseTo(
                            ranker.compare("How much does Janet make a day?", answers.get(0), answers.get(1)),
                            org.assertj.core.data.Offset.offset(1e-5));
            assertThat(result.rankerName()).contains(ranker.name());
            Fusion fusion = result.fusion().orElseThrow();
            assertThat(fusion.fuserName()).isEqualTo(fuser.name());
            assertThat(fusion.candidatesUsed()).isEqualTo(2);
            List<String> top2 =
                    result.ranked().subList(0, 2).stream().map(c -> c.text()).toList();
            assertThat(fusion.text())
                    .isEqualTo(fuser.fuse(Prompt.of("How much does Janet make a day?"), top2)
                            .text());
            assertThat(result.answer()).isEqualTo(fusion.text());
            assertThat(result.failures()).isEmpty();
        }
    }
}
