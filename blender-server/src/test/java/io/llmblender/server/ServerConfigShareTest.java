package io.llmblender.server;

import static io.llmblender.server.Fixtures.chat;
import static io.llmblender.server.Fixtures.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.MiniLmEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.SoftLabels;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server config's {@code share}: the adaptive threshold given as the share of the router's training queries to
 * route, turned into a threshold when the real router (all-MiniLM-L6-v2 encoder, a trained head) is loaded; requests
 * over HTTP on loopback show which mode each ensemble took.
 */
class ServerConfigShareTest {

    @TempDir
    Path dir;

    private static final String[] TOPICS = {"cooking pasta", "fixing a bicycle", "planting tomatoes", "tax returns"};

    @Test
    void share_zeroAndOne_blendOrRouteEveryTrainingQuery_theTopLevelShareSetsTheDefaultAdaptive() throws Exception {
        List<RewardRecord> records = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String q = "How do I go about " + TOPICS[i % TOPICS.length] + ", step " + i + "?";
            Map<String, Double> rewards = new LinkedHashMap<>();
            rewards.put("alpha", i % 2 == 0 ? 1.0 : 0.0);
            rewards.put("beta", i % 2 == 0 ? 0.0 : 1.0);
            records.add(RewardRecord.of(q, rewards));
            queries.add(q);
        }
        Path routerDir = dir.resolve("router");
        try (MiniLmEncoder encoder = MiniLmEncoder.load();
                ZooterRouter router = ZooterRouter.train(
                        encoder,
                        records,
                        List.of("alpha", "beta"),
                        SoftLabels.defaults(),
                        HeadConfig.builder().hidden(8).epochs(10).seed(5).build(),
                        0)) {
            router.save(routerDir);
        }
        try (LoopbackOpenAiServer alpha = Fixtures.upstream("alpha", "Alpha answers.", 3, 2);
                LoopbackOpenAiServer beta = Fixtures.upstream("beta", "Beta answers too.", 3, 3)) {
            String json = "{\"llms\": [{\"name\": \"alpha\", \"base_url\": \"" + alpha.baseUrl()
                    + "\", \"model\": \"alpha\"}, {\"name\": \"beta\", \"base_url\": \"" + beta.baseUrl()
                    + "\", \"model\": \"beta\"}], \"ranker\": \"length\", \"router\": \""
                    + routerDir.toString().replace("\\", "\\\\") + "\", \"share\": 1,"
                    + " \"ensembles\": [{\"name\": \"never\", \"mode\": \"adaptive\", \"share\": 0},"
                    + " {\"name\": \"always\", \"mode\": \"adaptive\", \"share\": 1},"
                    + " {\"name\": \"adaptive\", \"mode\": \"adaptive\"}],"
                    + " \"server\": {\"port\": 0}}";
            Path file = Files.writeString(dir.resolve("server.json"), json);
            try (BlenderServer server = ServerConfig.read(file).toBuilder().start()) {
                for (String q : queries.subList(0, 6)) {
                    assertThat(mode(server, "never", q)).as(q).isEqualTo("blend");
                    assertThat(mode(server, "always", q)).as(q).isEqualTo("route");
                    assertThat(mode(server, "adaptive", q))
                            .as("an adaptive ensemble without its own takes the top-level share: " + q)
                            .isEqualTo("route");
                }
            }
        }
    }

    private static String mode(BlenderServer server, String model, String query) throws Exception {
        Fixtures.Reply r = post(server, "/v1/chat/completions", chat(model, query));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-blender-mode").orElseThrow();
    }

    @Test
    void share_misused_isRefusedNamingTheField() {
        String llms = ServerConfigTest.LLMS;
        assertThatThrownBy(() -> ServerConfig.parse("{" + llms + ", \"share\": 0.5}", "s.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s.json: field 'share'")
                .hasMessageContaining("needs a 'router'");
        assertThatThrownBy(() -> ServerConfig.parse(
                        "{" + llms + ", \"router\": \"r\", \"threshold\": 0.6, \"share\": 0.5}", "s.json"))
                .hasMessageContaining("field 'share'")
                .hasMessageContaining("give one of them");
        assertThatThrownBy(() -> ServerConfig.parse("{" + llms + ", \"router\": \"r\", \"share\": 1.5}", "s.json"))
                .hasMessageContaining("field 'share'")
                .hasMessageContaining("found 1.5");
        assertThatThrownBy(() -> ServerConfig.parse(
                        "{" + llms + ", \"router\": \"r\", \"ensembles\": [{\"name\": \"b\", \"share\": 0.5}]}",
                        "s.json"))
                .hasMessageContaining("field 'ensembles[0].share'")
                .hasMessageContaining("only in mode adaptive");
        assertThatThrownBy(() -> ServerConfig.parse(
                        "{" + llms + ", \"router\": \"r\", \"ensembles\": [{\"name\": \"a\", \"mode\": \"adaptive\","
                                + " \"share\": 0.5, \"threshold\": 0.4}]}",
                        "s.json"))
                .hasMessageContaining("field 'ensembles[0].share'")
                .hasMessageContaining("give one of them");
    }
}
