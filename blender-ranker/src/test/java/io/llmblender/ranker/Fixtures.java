package io.llmblender.ranker;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the committed test models under the repository's {@code models/} directory. */
final class Fixtures {

    private Fixtures() {
    }

    /** The tiny random PairRM-shaped ranker made by {@code models/make_tiny_pairranker.py}. */
    static Path tinyRanker() {
        Path dir = Path.of("..", "models", "pairranker").toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("test fixture missing: " + dir);
        }
        return dir;
    }
}
