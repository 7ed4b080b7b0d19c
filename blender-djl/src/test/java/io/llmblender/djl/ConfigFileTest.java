package io.llmblender.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

    @Test
    void node_givesAFieldAsParsed_andAMissingNodeWhenAbsent(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("c.json"), "{\"names\": [\"a\", \"b\"], \"beta\": 0.25}");
        ConfigFile config = ConfigFile.read(dir, "c.json", "write it", Set.of("names", "beta", "absent"));

        assertThat(config.node("names").isArray()).isTrue();
        assertThat(config.node("names").get(1).asText()).isEqualTo("b");
        assertThat(config.node("beta").asDouble(1.0)).isEqualTo(0.25);
        assertThat(config.node("absent").isMissingNode()).isTrue();
        assertThat(config.node("absent").asDouble(1.0)).isEqualTo(1.0);
    }

    @Test
    void read_unknownField_namesItAndTheKnownOnes(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("c.json"), "{\"name\": \"x\", \"typo\": 1}");

        assertThatThrownBy(() -> ConfigFile.read(dir, "c.json", "write it", Set.of("name")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unknown fields [typo]")
                .hasMessageContaining("known fields are [name]");
    }
}
