package io.llmblender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors exit 2 through the tool's entry point, naming the option or the config field, not a builder's. */
class UsageErrorsTest {

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        return BlenderCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void noCommand_exitsTwoWithTheUsageOnStandardError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("give a command").contains("Usage: blender");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void serve_negativePort_exitsTwoNamingTheOption() throws Exception {
        Path config = dir.resolve("server.json");
        Files.writeString(
                config, "{\"llms\": [{\"name\": \"a\", \"base_url\": \"http://127.0.0.1:9/v1\", \"model\": \"m\"}]}");
        assertThat(run("serve", "--config", config.toString(), "--port", "-5")).isEqualTo(2);
        assertThat(err.toString()).contains("--port must be in [0, 65535], found -5");
    }

    @Test
    void route_blankQuery_exitsTwo() {
        assertThat(run("route", "--router", dir.toString(), "")).isEqualTo(2);
        assertThat(err.toString()).contains("QUERY 1 is blank");
    }

    @Test
    void blend_badUrl_namesTheOptionOrTheConfigField() throws Exception {
        assertThat(run("blend", "--llm", "url=localhost:11434,model=m", "Hi")).isEqualTo(2);
        assertThat(err.toString())
                .contains("--llm url=must be an absolute http or https URL")
                .doesNotContain("baseUrl");
        Path config = dir.resolve("blend.json");
        Files.writeString(config, "{\"llms\": [{\"base_url\": \"ftp://x\", \"model\": \"m\"}]}");
        int rc = run("blend", "--config", config.toString(), "Hi");
        assertThat(rc).isNotZero();
        assertThat(err.toString()).contains("'llms[0].base_url'").doesNotContain("baseUrl");
    }
}
