package io.llmblender.ranker.minilm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniLmRankerTest {

    @Test
    void unpack_writesEveryListedFileWithItsSize(@TempDir Path cache) throws IOException {
        Path dir = MiniLmRanker.unpack(cache);
        JsonNode files = ShippedModel.json("files.json").get("files");
        assertThat(files.size()).isGreaterThanOrEqualTo(3);
        for (Map.Entry<String, JsonNode> file : files.properties()) {
            assertThat(Files.size(dir.resolve(file.getKey())))
                    .as(file.getKey())
                    .isEqualTo(file.getValue().get("bytes").asLong());
        }
        assertThat(dir.getParent()).isEqualTo(cache.resolve("rankers"));
        assertThat(dir.getFileName().toString()).startsWith(MiniLmRanker.NAME + "-");
    }

    @Test
    void unpack_secondCall_reusesTheDirectoryAndLeavesNoTemporaryOne(@TempDir Path cache) throws IOException {
        Path first = MiniLmRanker.unpack(cache);
        long written = Files.getLastModifiedTime(first.resolve("encoder.onnx")).toMillis();
        Path second = MiniLmRanker.unpack(cache);
        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second.resolve("encoder.onnx")).toMillis())
                .isEqualTo(written);
        try (var entries = Files.list(cache.resolve("rankers"))) {
            assertThat(entries).containsExactly(first);
        }
    }

    @Test
    void directory_isStableAcrossCalls() {
        assertThat(MiniLmRanker.directory()).isEqualTo(MiniLmRanker.directory());
    }
}
