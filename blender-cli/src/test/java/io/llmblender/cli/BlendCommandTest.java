package io.llmblender.cli;

import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static io.llmblender.testkit.LoopbackOpenAiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blender blend} against real HTTP servers on loopback speaking the OpenAI wire format. */
class BlendCommandTest {

    private static final String KEY = System.getenv("BLENDER_TEST_API_KEY");

    private LoopbackOpenAiServer alpha;
    private LoopbackOpenAiServer beta;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        alpha = new LoopbackOpenAiServer().reply(completion("Red.", "stop", 5, 2));
        beta = new LoopbackOpenAiServer().reply(completion("A deep ocean blue.", "stop", 5, 5));
    }

    @AfterEach
    void stop() {
        alpha.close();
        beta.close();
    }

    private int run(String... args) {
        return BlenderCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private String llm(String name, LoopbackOpenAiServer server) {
        return "name=" + name + ",url=" + server.baseUrl() + ",model=m-" + name;
    }

    @Test
    void blend_twoLlmsWithTestRanker_printsTheBestAnswerAndReportsTheRest() {
        int rc = run(
                "blend",
                "--llm",
                llm("alpha", alpha),
                "--llm",
                llm("beta", beta),
                "--ranker",
                "test",
                "Name",
                "a",
                "colour.");

        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString().strip()).isIn("Red.", "A deep ocean blue.");
        assertThat(err.toString())
                .contains("mode blend, asked [alpha, beta], 2 answered, 0 failed")
                .contains("ranked by random-pairranker-tiny")
                .contains("random weights");
        assertThat(alpha.requests())
                .singleElement()
                .satisfies(r ->
                        assertThat(r.body()).contains("\"model\":\"m-alpha\"").contains("Name a colour."));
    }

    @Test
    void blend_llmFuser_fusesWithTheNamedLlm() throws Exception {
        LoopbackOpenAiServer judge = new LoopbackOpenAiServer().reply(completion("Red, or blue.", "stop", 9, 3));
        try (judge) {
            int rc = run(
                    "blend",
                    "--llm",
                    llm("alpha", alpha),
                    "--llm",
                    llm("beta", beta),
                    "--llm",
                    llm("judge", judge),
                    "--fuser",
                    "llm:judge",
                    "--top-k",
                    "2",
                    "--json",
                    "Name a colour.");

            assertThat(rc).as(err.toString()).isZero();
            JsonNode result = new ObjectMapper().readTree(out.toString());
            assertThat(result.get("answer").asText()).isIn("Red, or blue.", "Red.", "A deep ocean blue.");
            assertThat(result.get("called")).hasSize(3);
            assertThat(result.get("fusion").get("fuser").asText()).contains("judge");
            assertThat(result.get("failures")).isEmpty();
        }
    }

    @Test
    void blend_oneEndpointFailing_answersWithTheOtherAndReportsTheFailure() throws Exception {
        LoopbackOpenAiServer broken =
                new LoopbackOpenAiServer().reply(json(500, "{\"error\":{\"message\":\"overloaded\"}}"));
        java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        try (broken) {
            System.setErr(new java.io.PrintStream(logged, true, java.nio.charset.StandardCharsets.UTF_8));
            int rc;
            try {
                rc = run(
                        "blend",
                        "--llm",
                        llm("alpha", alpha),
                        "--llm",
                        llm("broken", broken),
                        "--timeout",
                        "5",
                        "Name a colour.");
            } finally {
                System.setErr(original);
            }

            assertThat(rc).as(err.toString()).isZero();
            assertThat(out.toString().strip()).isEqualTo("Red.");
            assertThat(err.toString()).contains("1 failed").contains("failed: broken");
            String everything = err + logged.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(everything.split("blending without it|failed: broken", -1))
                    .as("the failure is reported once: %s", everything)
                    .hasSize(2);
        }
    }

    @Test
    void blend_unreachableEndpoint_failsNamingIt() {
        int rc = run("blend", "--llm", "name=gone,url=http://127.0.0.1:1/v1,model=x", "--timeout", "5", "Hi");

        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains("error: no LLM client answered").contains("gone");
    }

    @Test
    void blend_apiKeyFromEnvironment_reachesTheServerAndIsNeverPrinted() {
        assertThat(KEY).as("surefire sets BLENDER_TEST_API_KEY").isNotBlank();
        LoopbackOpenAiServer failing = alpha;
        int rc = run("blend", "--llm", llm("alpha", failing) + ",key-env=BLENDER_TEST_API_KEY", "--json", "Hi");

        assertThat(rc).isZero();
        assertThat(alpha.requests().get(0).header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(out.toString()).doesNotContain(KEY);
        assertThat(err.toString()).doesNotContain(KEY);
    }

    @Test
    void blend_unsetKeyVariable_namesTheVariableOnly() {
        int rc = run("blend", "--llm", llm("alpha", alpha) + ",key-env=BLENDER_NO_SUCH_VARIABLE", "Hi");

        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains("BLENDER_NO_SUCH_VARIABLE");
    }

    @Test
    void blend_configFile_givesLlmsAndSettings(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("blend.json");
        Files.writeString(
                config,
                "{\"llms\": [{\"name\": \"alpha\", \"base_url\": \"" + alpha.baseUrl()
                        + "\", \"model\": \"m\"}, {\"name\": \"beta\", \"base_url\": \"" + beta.baseUrl()
                        + "\", \"model\": \"m\"}], \"ranker\": \"test\", \"top_k\": 2, \"timeout_s\": 5}");

        int rc = run("blend", "--config", config.toString(), "Name a colour.");

        assertThat(rc).as(err.toString()).isZero();
        assertThat(err.toString()).contains("asked [alpha, beta]").contains("ranked by");
    }

    @Test
    void blend_badConfig_namesFileAndField(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("blend.json");
        Files.writeString(config, "{\"llms\": [{\"name\": \"a\", \"model\": \"m\"}]}");
        assertThat(run("blend", "--config", config.toString(), "Hi")).isEqualTo(1);
        assertThat(err.toString()).contains(config.toString()).contains("llms[0].base_url");

        Files.writeString(config, "{\"llms\": [], \"top_k\": \"three\"}");
        assertThat(run("blend", "--config", config.toString(), "Hi")).isEqualTo(1);
        assertThat(err.toString()).contains("field 'top_k' must be an integer, found \"three\"");

        assertThat(run("blend", "--config", dir.resolve("missing.json").toString(), "Hi"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("no such file");
    }

    @Test
    void blend_usageErrors_exitTwoAndSayWhat() {
        assertThat(run("blend", "Hi")).isEqualTo(2);
        assertThat(err.toString()).contains("give at least one LLM");
        assertThat(run("blend", "--llm", "url=http://x/v1", "Hi")).isEqualTo(2);
        assertThat(err.toString()).contains("'model' is required");
        assertThat(run("blend", "--llm", "name=a,url=http://x/v1,model=m,colour=red", "Hi"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("unknown key 'colour'");
        assertThat(run("blend", "--llm", llm("alpha", alpha), "--mode", "route", "Hi"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("needs --router");
        assertThat(run("blend", "--frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--frobnicate'");
    }

    @Test
    void blend_adaptiveModeWithATrainedRouter_routesWhenSureAndBlendsWhenNot(@TempDir Path dir) throws Exception {
        Path records = dir.resolve("rewards.jsonl");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            jsonl.append("{\"query\": \"What is ")
                    .append(i)
                    .append(" plus 2?\", \"rewards\": {\"alpha\": 1.0, \"beta\": 0.0}}\n");
            jsonl.append("{\"query\": \"Write a poem about the sea, part ")
                    .append(i)
                    .append(".\", \"rewards\": {\"alpha\": 0.0, \"beta\": 1.0}}\n");
        }
        Files.writeString(records, jsonl);
        Path router = dir.resolve("router");
        assertThat(run("train-router", "--records", records.toString(), "--epochs", "20", "--out", router.toString()))
                .as(err.toString())
                .isZero();
        out.getBuffer().setLength(0);

        int rc = run(
                "blend",
                "--llm",
                llm("alpha", alpha),
                "--llm",
                llm("beta", beta),
                "--mode",
                "adaptive",
                "--router",
                router.toString(),
                "--threshold",
                "0",
                "--json",
                "What is 7 plus 2?");
        assertThat(rc).as(err.toString()).isZero();
        JsonNode routed = new ObjectMapper().readTree(out.toString());
        assertThat(routed.get("mode").asText()).isEqualTo("route");
        assertThat(routed.get("called")).hasSize(1);
        assertThat(routed.get("route").get("probabilities").has("alpha")).isTrue();

        out.getBuffer().setLength(0);
        rc = run(
                "blend",
                "--llm",
                llm("alpha", alpha),
                "--llm",
                llm("beta", beta),
                "--mode",
                "adaptive",
                "--router",
                router.toString(),
                "--threshold",
                "1",
                "--json",
                "What is 7 plus 2?");
        assertThat(rc).as(err.toString()).isZero();
        JsonNode blended = new ObjectMapper().readTree(out.toString());
        assertThat(blended.get("mode").asText()).isEqualTo("blend");
        assertThat(blended.get("called")).hasSize(2);

        // the threshold as a share: 1 routes every training query, so this one is routed; 0 routes none
        for (String s : List.of("1", "0")) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            rc = run(
                    "blend",
                    "--llm",
                    llm("alpha", alpha),
                    "--llm",
                    llm("beta", beta),
                    "--mode",
                    "adaptive",
                    "--router",
                    router.toString(),
                    "--share",
                    s,
                    "--json",
                    "What is 7 plus 2?");
            assertThat(rc).as(err.toString()).isZero();
            assertThat(err.toString()).contains("--share " + s + ".0: confidence threshold ");
            assertThat(new ObjectMapper().readTree(out.toString()).get("mode").asText())
                    .isEqualTo(s.equals("1") ? "route" : "blend");
        }
        assertThat(run(
                        "blend",
                        "--llm",
                        llm("alpha", alpha),
                        "--llm",
                        llm("beta", beta),
                        "--mode",
                        "adaptive",
                        "--router",
                        router.toString(),
                        "--share",
                        "1.5",
                        "Hi"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--share must be in [0, 1], found 1.5");
        assertThat(run("blend", "--llm", llm("alpha", alpha), "--share", "0.5", "--threshold", "0.5", "Hi"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("give --share or --threshold, not both");
    }
}
