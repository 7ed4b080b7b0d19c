package io.llmblender.ranker;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the committed test models under the repository's {@code models/} directory. */
final class Fixtures {

    private Fixtures() {}

    /** The tiny random PairRM-shaped ranker made by {@code models/make_tiny_pairranker.py}. */
    static Path tinyRanker() {
        return fixture("pairranker");
    }

    /** The tiny random segment ranker (TorchScript, fp32 ONNX, int8 ONNX) made by {@code models/make_tiny_segment_ranker.py}. */
    static Path tinySegmentRanker() {
        return fixture("pairranker-segment");
    }

    /** The tiny random reward ranker (fp16-stored ONNX, the real MiniLM tokenizer) made by {@code models/make_tiny_reward_ranker.py}. */
    static Path tinyRewardRanker() {
        return fixture("reward-tiny");
    }

    private static Path fixture(String name) {
        Path dir = Path.of("..", "models", name).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("test fixture missing: " + dir);
        }
        return dir;
    }
}
