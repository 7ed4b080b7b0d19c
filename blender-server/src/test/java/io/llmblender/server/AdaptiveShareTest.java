package io.llmblender.server;

import static io.llmblender.server.Fixtures.chat;
import static io.llmblender.server.Fixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.ranker.PairRanker;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.QueryEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.SoftLabels;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code adaptive-share-S}: the adaptive ensemble at the threshold that routes share S of a real trained
 * {@link ZooterRouter}'s training queries, over HTTP on loopback. The router's encoder is a tiny stand-in (4 bytes of
 * the query's hash), so no model is loaded for it; its head is trained for real.
 */
class AdaptiveShareTest {

    static final QueryEncoder HASH = new QueryEncoder() {
        @Override
        public String id() {
            return "hash-encoder";
        }

        @Override
        public int dimension() {
            return 4;
        }

        @Override
        public float[][] encode(List<String> queries) {
            float[][] out = new float[queries.size()][4];
            for (int q = 0; q < out.length; q++) {
                for (int i = 0; i < 4; i++) {
                    out[q][i] = ((queries.get(q).hashCode() >>> (i * 8)) & 0xff) / 255f;
                }
            }
            return out;
        }

        @Override
        public void close() {}
    };

    static LoopbackOpenAiServer alpha;
    static LoopbackOpenAiServer beta;
    static OpenAiCompatibleClient alphaClient;
    static OpenAiCompatibleClient betaClient;
    static PairRanker ranker;
    static ZooterRouter router;
    static List<String> queries;
    static BlenderServer server;

    @BeforeAll
    static void start() throws Exception {
        List<RewardRecord> records = new ArrayList<>();
        queries = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String q = "question number " + i;
            float[] v = HASH.encode(List.of(q))[0];
            Map<String, Double> rewards = new LinkedHashMap<>();
            rewards.put("alpha", v[0] > 0.5 ? 1.0 : 0.0);
            rewards.put("beta", v[0] > 0.5 ? 0.0 : 1.0);
            records.add(RewardRecord.of(q, rewards));
            queries.add(q);
        }
        router = ZooterRouter.train(
                HASH,
                records,
                List.of("alpha", "beta"),
                SoftLabels.defaults(),
                HeadConfig.builder().hidden(8).epochs(20).seed(3).build(),
                0); // calibrated on the training queries themselves, so that a share holds exactly on them
        alpha = Fixtures.upstream("alpha", "Alpha answers.", 3, 2);
        beta = Fixtures.upstream("beta", "Beta answers too.", 3, 3);
        alphaClient = Fixtures.client("alpha", alpha);
        betaClient = Fixtures.client("beta", beta);
        ranker = PairRanker.load(Fixtures.TINY_RANKER);
        server = BlenderServer.builder()
                .upstream(alphaClient)
                .upstream(betaClient)
                .ranker(ranker)
                .router(router)
                .port(0)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        ranker.close();
        router.close();
        alphaClient.close();
        betaClient.close();
        alpha.close();
        beta.close();
    }

    private static String mode(String model, String query) throws Exception {
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat(model, query));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-blender-mode").orElseThrow();
    }

    @Test
    void adaptiveShare_routesAboutThatShareOfTheTrainingQueries() throws Exception {
        int routed = 0;
        for (String q : queries) {
            routed += mode("adaptive-share-0.5", q).equals("route") ? 1 : 0;
        }
        assertThat(routed / (double) queries.size()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.05));
        String surest = queries.stream()
                .max(Comparator.comparingDouble(q -> router.route(q).confidence()))
                .orElseThrow();
        String leastSure = queries.stream()
                .min(Comparator.comparingDouble(q -> router.route(q).confidence()))
                .orElseThrow();
        assertThat(mode("adaptive-share-0", leastSure)).isEqualTo("blend");
        assertThat(mode("adaptive-share-1", surest)).isEqualTo("route");
        // the same threshold as a number
        double t = router.thresholdForShare(0.5).threshold();
        for (String q : queries.subList(0, 10)) {
            assertThat(mode("adaptive-share-0.5", q)).isEqualTo(router.route(q).confidence() >= t ? "route" : "blend");
        }
    }

    @Test
    void adaptiveShare_outOfRange_is400NamingTheModel() throws Exception {
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat("adaptive-share-1.5", "hi"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(Fixtures.error(r).get("message").asText())
                .contains("the share in model 'adaptive-share-1.5' must be in [0, 1]");
    }

    @Test
    void adaptiveShare_withARouterThatKeepsNoTrainingConfidences_is400() throws Exception {
        try (BlenderServer fixed = BlenderServer.builder()
                .upstream(alphaClient)
                .upstream(betaClient)
                .ranker(ranker)
                .router(Fixtures.router(List.of("alpha", "beta"), 0.3, 0.7))
                .port(0)
                .start()) {
            Fixtures.Reply r = post(fixed, "/v1/chat/completions", chat("adaptive-share-0.5", "hi"));
            assertThat(r.status()).isEqualTo(400);
            assertThat(Fixtures.error(r).get("message").asText())
                    .contains("model 'adaptive-share-0.5' asks for a share of queries")
                    .contains("'adaptive-0.6'");
            assertThat(post(fixed, "/v1/chat/completions", chat("adaptive-0.6", "hi"))
                            .status())
                    .isEqualTo(200);
        }
    }
}
