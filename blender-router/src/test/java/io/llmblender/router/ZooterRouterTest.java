package io.llmblender.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.BlendMode;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.route.ConfidenceCalibration;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.router.encode.MiniLmEncoder;
import io.llmblender.router.encode.QueryEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.SoftLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A synthetic routing task on the real MiniLM encoder: arithmetic questions are best answered by
 * "calc", history questions by "historian", cooking questions by "chef". The router sees only the
 * query text and must learn which is which.
 */
class ZooterRouterTest {

    private static final List<String> LLMS = List.of("calc", "historian", "chef");
    private static MiniLmEncoder encoder;
    private static ZooterRouter router;
    private static List<String> heldOutQueries;
    private static List<String> heldOutBest;

    @BeforeAll
    static void train() {
        encoder = MiniLmEncoder.load(Path.of("target", "minilm-cache"));
        Random random = new Random(3);
        String[][] templates = {
            {"What is %d plus %d?", "Compute %d times %d.", "How much is %d minus %d?", "Divide %d by %d."},
            {
                "Who ruled Rome in year %d? Think of %d.",
                "What happened in %d during the war of %d?",
                "Which empire fell in %d, %d years ago?",
                "Describe the revolution of %d and its %d leaders."
            },
            {
                "How long do I bake bread at %d degrees for %d minutes?",
                "A cake recipe for %d people with %d eggs?",
                "How do I cook pasta for %d guests in %d minutes?",
                "Season a soup with %d herbs for %d bowls?"
            }
        };
        List<RewardRecord> train = new ArrayList<>();
        heldOutQueries = new ArrayList<>();
        heldOutBest = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            int kind = i % 3;
            String[] forms = templates[kind];
            String query = String.format(
                    forms[random.nextInt(forms.length)], 2 + random.nextInt(1900), 2 + random.nextInt(90));
            if (i >= 120) {
                heldOutQueries.add(query);
                heldOutBest.add(LLMS.get(kind));
                continue;
            }
            Map<String, Double> rewards = new LinkedHashMap<>();
            for (int l = 0; l < LLMS.size(); l++) {
                rewards.put(LLMS.get(l), (l == kind ? 2.0 : 0.0) + random.nextGaussian() * 0.3);
            }
            train.add(RewardRecord.of(query, rewards));
        }
        router = ZooterRouter.train(
                encoder,
                train,
                LLMS,
                SoftLabels.defaults(),
                HeadConfig.builder().epochs(60).hidden(64).learningRate(3e-3).build());
    }

    @AfterAll
    static void close() {
        router.close();
        encoder.close();
    }

    @Test
    void route_heldOutQueries_pickTheBestLlmWellAboveChance() {
        int right = 0;
        for (int i = 0; i < heldOutQueries.size(); i++) {
            RouteDecision decision = router.route(heldOutQueries.get(i));
            if (decision.chosen().equals(heldOutBest.get(i))) {
                right++;
            }
        }
        assertThat(right / (double) heldOutQueries.size()).isGreaterThan(0.8); // chance is 1/3
    }

    @Test
    void saveAndLoad_giveIdenticalDistributions(@TempDir Path dir) {
        router.save(dir);
        try (ZooterRouter loaded = ZooterRouter.load(dir, encoder, List.of("chef", "calc", "historian"))) {
            assertThat(loaded.llmNames()).isEqualTo(LLMS);
            for (String query : heldOutQueries.subList(0, 5)) {
                RouteDecision a = router.route(query);
                RouteDecision b = loaded.route(query);
                for (String llm : LLMS) {
                    assertThat(b.probability(llm)).isEqualTo(a.probability(llm));
                }
            }
        }
    }

    @Test
    void load_forOtherLlms_isALoadErrorNamingBoth(@TempDir Path dir) {
        router.save(dir);
        assertThatThrownBy(() -> ZooterRouter.load(dir, encoder, List.of("calc", "historian", "gpt-4")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("[calc, historian, chef]")
                .hasMessageContaining("gpt-4")
                .hasMessageContaining(ZooterRouter.FILE_NAME);
    }

    @Test
    void load_withAnotherEncoder_isALoadError(@TempDir Path dir) {
        router.save(dir);
        QueryEncoder other = new QueryEncoder() {
            @Override
            public String id() {
                return "some-other-encoder";
            }

            @Override
            public int dimension() {
                return 384;
            }

            @Override
            public float[][] encode(List<String> queries) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {}
        };
        assertThatThrownBy(() -> ZooterRouter.load(dir, other, null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("some-other-encoder")
                .hasMessageContaining(MiniLmEncoder.ID);
    }

    @Test
    void adaptiveBlender_takesEachBranchAtTheCalibratedThreshold() {
        ConfidenceCalibration half = ConfidenceCalibration.forSingleCallShare(router, heldOutQueries, 0.5);
        String sure = heldOutQueries.stream()
                .max(Comparator.comparingDouble(q -> router.route(q).confidence()))
                .orElseThrow();
        String unsure = heldOutQueries.stream()
                .min(Comparator.comparingDouble(q -> router.route(q).confidence()))
                .orElseThrow();
        List<LlmClient> clients = new ArrayList<>();
        for (String name : List.of("chef", "historian", "calc")) {
            clients.add(LlmClient.of(name, p -> Generation.of(name + " says hello")));
        }
        try (Blender blender = Blender.builder()
                .clients(clients)
                .router(router)
                .mode(BlendMode.ADAPTIVE)
                .confidenceThreshold(half.threshold())
                .fanOut(2)
                .build()) {
            BlendResult routed = blender.blend(Prompt.of(sure));
            BlendResult blended = blender.blend(Prompt.of(unsure));

            assertThat(half.achievedShare()).isBetween(0.5, 0.6);
            assertThat(routed.mode()).isEqualTo(BlendMode.ROUTE);
            assertThat(routed.called()).containsExactly(router.route(sure).chosen());
            assertThat(routed.answer()).isEqualTo(router.route(sure).chosen() + " says hello");
            assertThat(blended.mode()).isEqualTo(BlendMode.BLEND);
            assertThat(blended.called())
                    .hasSize(2)
                    .containsExactlyInAnyOrderElementsOf(router.route(unsure).topK(2));
            assertThat(blended.route().orElseThrow().probabilities())
                    .containsExactly(router.route(unsure).probabilities());
        }
    }

    @Test
    void blender_withARouterForOtherLlms_refusesToBuild() {
        List<LlmClient> clients = new ArrayList<>();
        for (String name : List.of("calc", "historian", "gpt-4")) {
            clients.add(LlmClient.of(name, p -> Generation.of("x")));
        }
        assertThatThrownBy(() -> Blender.builder()
                        .clients(clients)
                        .router(router)
                        .mode(BlendMode.ROUTE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[calc, historian, chef]")
                .hasMessageContaining("[calc, historian, gpt-4]");
    }

    @Test
    void load_brokenRouterDirectory_namesTheFileAndProblem(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ZooterRouter.load(dir.resolve("missing"), encoder, null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("missing");
        router.save(dir);
        Files.writeString(dir.resolve(ZooterRouter.FILE_NAME), "{ not json");
        assertThatThrownBy(() -> ZooterRouter.load(dir, encoder, null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(ZooterRouter.FILE_NAME);
        Files.writeString(dir.resolve(ZooterRouter.FILE_NAME), "{\"format\": \"blender-router/9\"}");
        assertThatThrownBy(() -> ZooterRouter.load(dir, encoder, null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("format")
                .hasMessageContaining("blender-router/9");
        router.save(dir);
        Files.write(dir.resolve("head.params"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> ZooterRouter.load(dir, encoder, null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.params");
    }
}
