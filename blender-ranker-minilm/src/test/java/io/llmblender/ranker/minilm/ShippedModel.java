package io.llmblender.ranker.minilm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped model's source files under the repository's {@code models/minilm-ranker/}, with the Python goldens. */
final class ShippedModel {

    private ShippedModel() {}

    static Path sourceDir() {
        Path dir = Path.of("..", "models", "minilm-ranker").toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("shipped model sources missing: " + dir);
        }
        return dir;
    }

    static JsonNode json(String file) throws IOException {
        return new ObjectMapper().readTree(sourceDir().resolve(file).toFile());
    }
}
