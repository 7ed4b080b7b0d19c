package io.llmblender.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.testkit.LoopbackOpenAiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    static final String LLMS =
            "\"llms\": [{\"name\": \"alpha\", \"base_url\": \"http://127.0.0.1:9/v1\", \"model\": \"a\"},"
                    + " {\"name\": \"beta\", \"base_url\": \"http://127.0.0.1:9/v1\", \"model\": \"b\"}]";

    @TempDir
    Path dir;

    private Path write(String json) throws Exception {
        Path f = dir.resolve("server.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void read_unknownField_isRefusedNamingFileAndField() throws Exception {
        Path f = write("{" + LLMS + ", \"colour\": \"blue\"}");
        assertThatThrownBy(() -> ServerConfig.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("unknown field 'colour'");
        Path nested = write("{" + LLMS + ", \"server\": {\"limits\": {\"max_body\": 5}}}");
        assertThatThrownBy(() -> ServerConfig.read(nested))
                .hasMessageContaining(nested.toString())
                .hasMessageContaining("unknown field 'server.limits.max_body'")
                .hasMessageContaining("max_body_bytes");
        Path inLlm =
                write("{\"llms\": [{\"name\": \"a\", \"base_url\": \"http://x/v1\", \"model\": \"m\", \"key\": 1}]}");
        assertThatThrownBy(() -> ServerConfig.read(inLlm)).hasMessageContaining("unknown field 'llms[0].key'");
    }

    @Test
    void read_badValues_areRefusedNamingFieldAndValue() throws Exception {
        assertThatThrownBy(() -> ServerConfig.parse("{" + LLMS + ", \"server\": {\"port\": 70000}}", "s.json"))
                .hasMessageContaining("s.json: field 'server.port'")
                .hasMessageContaining("70000");
        assertThatThrownBy(() ->
                        ServerConfig.parse("{" + LLMS + ", \"server\": {\"keys\": [{\"name\": \"k\"}]}}", "s.json"))
                .hasMessageContaining("'server.keys[0]'")
                .hasMessageContaining("exactly one of sha256");
        assertThatThrownBy(() -> ServerConfig.parse(
                        "{" + LLMS + ", \"server\": {\"keys\": [{\"name\": \"k\","
                                + " \"env\": \"BLENDER_SURELY_UNSET_VAR\"}]}}",
                        "s.json"))
                .hasMessageContaining("BLENDER_SURELY_UNSET_VAR");
        assertThatThrownBy(() -> ServerConfig.parse(
                        "{" + LLMS + ", \"ensembles\": [{\"name\": \"x\", \"llms\": [\"gamma\"]}]}", "s.json"))
                .hasMessageContaining("'ensembles[0].llms[0]'")
                .hasMessageContaining("\"gamma\"");
        assertThatThrownBy(() -> ServerConfig.parse(
                        "{" + LLMS + ", \"ensembles\": [{\"name\": \"x\","
                                + " \"mode\": \"adaptive\", \"threshold\": 2}]}",
                        "s.json"))
                .hasMessageContaining("'ensembles[0].threshold'")
                .hasMessageContaining("found 2");
        assertThatThrownBy(() -> ServerConfig.parse("{\"llms\": []}", "s.json")).hasMessageContaining("'llms'");
        assertThatThrownBy(() -> ServerConfig.parse(
                        "{" + LLMS + ", \"server\": {\"limits\": {\"request_deadline_s\": -1}}}", "s.json"))
                .hasMessageContaining("'server.limits.request_deadline_s'")
                .hasMessageContaining("-1");
        assertThatThrownBy(() ->
                        ServerConfig.parse("{" + LLMS + ", \"server\": {\"shutdown_grace_s\": \"soon\"}}", "s.json"))
                .hasMessageContaining("'server.shutdown_grace_s'")
                .hasMessageContaining("\"soon\"");
        assertThatThrownBy(() -> ServerConfig.parse("{" + LLMS + ", \"ensembles\": [{\"name\": \"alpha\"}]}", "s.json"))
                .hasMessageContaining("'ensembles[0].name'")
                .hasMessageContaining("'alpha'");
        assertThatThrownBy(() -> ServerConfig.parse(
                        "{\"llms\": [{\"name\": \"a\", \"base_url\": \"localhost:11434\", \"model\": \"m\"}]}",
                        "s.json"))
                .hasMessageContaining("'llms[0].base_url'")
                .hasMessageContaining("\"localhost:11434\"")
                .hasMessageNotContaining("baseUrl");
        assertThatThrownBy(() -> ServerConfig.parse("[1]", "s.json"))
                .hasMessageContaining("s.json: must hold a JSON object");
    }

    @Test
    void toBuilder_blendConfigExtended_servesItsEnsemblesWithItsKeys() throws Exception {
        String key = "sk-config-key";
        String sha = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        try (LoopbackOpenAiServer alpha = Fixtures.upstream("a", "From alpha.", 1, 1);
                LoopbackOpenAiServer beta = Fixtures.upstream("b", "From beta, longer.", 1, 1)) {
            String json = "{\"llms\": [{\"name\": \"alpha\", \"base_url\": \"" + alpha.baseUrl()
                    + "\", \"model\": \"a\"},"
                    + " {\"name\": \"beta\", \"base_url\": \"" + beta.baseUrl() + "\", \"model\": \"b\"}],"
                    + " \"ranker\": \"" + Fixtures.TINY_RANKER.toString().replace("\\", "/") + "\", \"top_k\": 2,"
                    + " \"timeout_s\": 10, \"mode\": \"blend\","
                    + " \"ensembles\": [{\"name\": \"blend\"}, {\"name\": \"cheap\", \"llms\": [\"alpha\"]}],"
                    + " \"server\": {\"port\": 0, \"keys\": [{\"name\": \"ops\", \"sha256\": \"" + sha + "\"}],"
                    + " \"limits\": {\"max_messages\": 4}}}";
            ServerConfig config = ServerConfig.read(write(json));
            assertThat(config.limits().maxMessages()).isEqualTo(4);
            try (BlenderServer server = config.toBuilder().start()) {
                assertThat(server.models()).containsExactly("blend", "cheap", "alpha", "beta");
                Fixtures.Reply cheap = Fixtures.post(
                        server, "/v1/chat/completions", Fixtures.chat("cheap", "hi"), "Authorization", "Bearer " + key);
                assertThat(cheap.status()).isEqualTo(200);
                assertThat(cheap.headers().firstValue("x-blender-calls")).contains("1");
                assertThat(cheap.json().get("model").asText()).isEqualTo("alpha");
                Fixtures.Reply blend = Fixtures.post(
                        server, "/v1/chat/completions", Fixtures.chat("blend", "hi"), "Authorization", "Bearer " + key);
                assertThat(blend.headers().firstValue("x-blender-calls")).contains("2");
                assertThat(Fixtures.post(server, "/v1/chat/completions", Fixtures.chat("blend", "hi"))
                                .status())
                        .isEqualTo(401);
            }
        }
    }

    @Test
    void toBuilder_judgeRankerNamesAnUpstream_andUnknownNamesListTheAccepted() throws Exception {
        try (LoopbackOpenAiServer alpha = Fixtures.upstream("a", "From alpha.", 1, 1);
                LoopbackOpenAiServer beta = Fixtures.upstream("b", "From beta, longer.", 1, 1)) {
            String llms = "\"llms\": [{\"name\": \"alpha\", \"base_url\": \"" + alpha.baseUrl()
                    + "\", \"model\": \"a\"}, {\"name\": \"beta\", \"base_url\": \"" + beta.baseUrl()
                    + "\", \"model\": \"b\"}], \"server\": {\"port\": 0}";
            ServerConfig judge = ServerConfig.read(write("{" + llms + ", \"ranker\": \"judge:beta\"}"));
            try (BlenderServer server = judge.toBuilder().start()) {
                assertThat(server.models()).contains("blend");
            }
            ServerConfig missing = ServerConfig.read(write("{" + llms + ", \"ranker\": \"judge:gamma\"}"));
            assertThatThrownBy(missing::toBuilder)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("field 'ranker' 'judge:gamma': no LLM named 'gamma'")
                    .hasMessageContaining("alpha, beta");
            ServerConfig bogus = ServerConfig.read(write("{" + llms + ", \"ranker\": \"bogus\"}"));
            assertThatThrownBy(bogus::toBuilder)
                    .hasMessageContaining("'bogus' is no ranker name and no directory")
                    .hasMessageContaining(io.llmblender.ranker.names.RankerNames.ACCEPTED);
        }
    }
}
