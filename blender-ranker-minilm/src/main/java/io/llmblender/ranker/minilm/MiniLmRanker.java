package io.llmblender.ranker.minilm;

import io.llmblender.core.error.ModelLoadException;
import io.llmblender.ranker.PairRanker;
import java.nio.file.Path;

/**
 * The ranker this project ships today: <b>zero-shot</b> all-MiniLM-L6-v2 (Apache-2.0, 22.6M parameters), not trained on
 * preferences: the selected weights are step 0 of a fine-tuning run, with the pair head at zero, so the answer whose
 * embedding is closer to the prompt's wins (see {@code MODEL_CARD.md} in the jar and in {@code models/minilm-ranker/}).
 * On a dev set of six human-judged sources it agrees with people less often than "the longer answer wins" (0.539
 * against 0.563, macro mean; README, Performance); for three or more answers the label-free {@code consensus} ranker
 * picks far better.
 * It reads PairRM's input row ({@code <|source|>}, {@code <|candidate1|>}, {@code <|candidate2|>} segments, 64 tokens
 * of prompt and 128 of each answer) in one pass, but each segment attends only within itself, so every text is
 * encoded as MiniLM encodes it alone; its logit is the difference of two scores, each from the prompt's and one
 * answer's mean-pooled embeddings (their cosine plus a pair head, zero in the shipped weights). It therefore keeps PairRM's contract,
 * {@code logit(i, j) = -logit(j, i)} up to rounding, and plugs into every aggregation of {@link PairRanker}. The
 * model files travel inside this jar, as LangChain4j's in-process embedding models do, and are unpacked once into a
 * cache directory, because DJL loads a model from a directory:
 *
 * <pre>{@code
 * try (PairRanker ranker = MiniLmRanker.load()) {
 *     Ranking ranking = ranker.rank("How do I treat a cold?", answers);
 * }
 * }</pre>
 *
 * <p>The files are unpacked once below {@code $BLENDER_CACHE_DIR}, else the system property {@code blender.cache.dir},
 * else {@code ~/.cache/llm-blender-jvm}, into {@code rankers/<name>-<hash>}, each file's size and sha256 checked, the
 * directory moved into place atomically (safe for concurrent first calls in threads or processes).
 *
 * <p>Thread-safe; holds no state besides the directory of the first successful unpack.
 */
public final class MiniLmRanker {

    /** The model's name, as {@link PairRanker#name()} reports it. */
    public static final String NAME = "blender-minilm-pairranker";

    private static final BundledModel MODEL =
            new BundledModel("/io/llmblender/ranker/minilm/model/", NAME, "models/minilm-ranker");

    private MiniLmRanker() {}

    /**
     * Loads the shipped ranker with {@link PairRanker}'s defaults.
     *
     * @return a new ranker; the caller closes it
     * @throws ModelLoadException if the model cannot be unpacked or loaded (the message names the file)
     */
    public static PairRanker load() {
        return PairRanker.load(directory());
    }

    /**
     * The directory holding the shipped model ({@code ranker_config.json}, {@code tokenizer.json}, the
     * encoder files and {@code head.bin}), unpacked from the jar on the first call, for {@link PairRanker#builder(Path)} when a
     * setting other than the defaults is wanted.
     *
     * @return the model directory
     * @throws ModelLoadException if the jar lacks a model file, a file does not match its recorded size or sha256,
     *     or the cache directory cannot be written (the message names the file or directory)
     */
    public static Path directory() {
        return MODEL.directory();
    }

    /**
     * Unpacks the model below {@code cacheRoot} (into {@code rankers/<name>-<hash>}), or finds it there.
     *
     * @param cacheRoot the cache directory
     * @return the model directory
     * @throws ModelLoadException as {@link #directory()}
     */
    static Path unpack(Path cacheRoot) {
        return MODEL.unpack(cacheRoot);
    }
}
