package io.llmblender.router.encode;

import io.llmblender.core.check.Require;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link MiniLmEncoder} and {@link BgeSmallZhEncoder} share: a sentence model shipped as ONNX
 * plus {@code tokenizer.json} inside a Maven artifact, unpacked into a cache directory ({@link ModelResources}) and run
 * on OnnxRuntime, producing L2-normalised vectors. Subclasses name the resources, pooling and limits. Thread-safe: each
 * calling thread borrows its own predictor; {@link #close()} waits for the encodes in flight.
 */
abstract class BundledOnnxEncoder implements QueryEncoder {

    /** The resources and settings of one bundled model. */
    record Spec(
            String id,
            String artifact,
            String modelResource,
            String modelFile,
            String tokenizerResource,
            int dimension,
            int maxTokens,
            SentenceModel.Pooling pooling) {}

    private final Spec spec;
    private final SentenceModel model;

    /** Unpacks the model if needed and loads it; {@code threads} 0 keeps OnnxRuntime's default. */
    BundledOnnxEncoder(Spec spec, Path cacheDirectory, int threads) {
        Require.nonNull(cacheDirectory, "cacheDirectory");
        if (threads != 0) {
            Require.positive(threads, "threads");
        }
        Path onnx =
                ModelResources.unpack(spec.modelResource(), cacheDirectory.resolve(spec.modelFile()), spec.artifact());
        Path tokenizerFile = ModelResources.unpack(
                spec.tokenizerResource(), cacheDirectory.resolve("tokenizer.json"), spec.artifact());
        this.spec = spec;
        this.model = SentenceModel.load(
                spec.id(), tokenizerFile, onnx, "OnnxRuntime", spec.maxTokens(), true, spec.pooling(), true, threads);
    }

    /** The model's identifier, saved with routers trained on this encoder. */
    @Override
    public String id() {
        return spec.id();
    }

    /** The model's vector length. */
    @Override
    public int dimension() {
        return spec.dimension();
    }

    /**
     * Encodes queries into L2-normalised vectors of {@link #dimension()} floats.
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
