package io.llmblender.router.encode;

import io.llmblender.core.check.Require;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.djl.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A query encoder from a directory holding any TorchScript sentence encoder, for example the mDeBERTa the Zooter
 * paper uses, exported with its Hugging Face {@code tokenizer.json}. Run through DJL's PyTorch engine; vectors are
 * pooled from the model's first output (the last hidden states) by the attention-masked mean or the first token, and
 * L2-normalised when asked.
 *
 * <p>The directory holds {@value #CONFIG_FILE}:
 * <pre>{@code
 * {"format": "blender-encoder/1", "id": "mdeberta-v3-base", "model_file": "encoder.pt",
 *  "tokenizer_file": "tokenizer.json", "dimension": 768, "max_tokens": 512,
 *  "pooling": "mean", "normalize": true, "token_type_ids": false}
 * }</pre>
 * {@code id} names the encoder and its weights; it is saved with a trained router, which then refuses another encoder.
 * The model takes {@code input_ids} and {@code attention_mask} (and {@code token_type_ids} when so configured), each
 * {@code [batch, tokens]} int64, and returns {@code [batch, tokens, dimension]} first. Queries get the tokenizer's
 * special tokens and are cut to {@code max_tokens}. A load reads the config, the tokenizer and the model and encodes a
 * probe query, so that a model of another dimension fails at load, naming the file.
 *
 * <p>Thread-safe: each calling thread borrows its own predictor; no native array outlives a call.
 */
public final class TorchScriptEncoder implements QueryEncoder {

    /** The encoder's own file in its directory. */
    public static final String CONFIG_FILE = "encoder_config.json";

    private static final String FORMAT = "blender-encoder/1";

    private final String id;
    private final int dimension;
    private final SentenceModel model;

    private TorchScriptEncoder(String id, int dimension, SentenceModel model) {
        this.id = id;
        this.dimension = dimension;
        this.model = model;
    }

    /**
     * Loads an encoder directory.
     *
     * @param dir the directory
     * @return the encoder; close it when done
     * @throws ModelLoadException naming the file and the problem: a missing directory or file, a config field of the
     *     wrong type or value, a tokenizer or model that does not load, or a model whose vectors are not
     *     {@code dimension} long
     */
    public static TorchScriptEncoder load(Path dir) {
        return load(dir, 0);
    }

    /**
     * Loads an encoder directory and sets PyTorch's intra-op threads, which are process-wide (the last load wins);
     * {@link #load(Path)} leaves them as they are.
     *
     * @param dir the directory
     * @param threads PyTorch's intra-op threads, positive
     * @return the encoder; close it when done
     * @throws IllegalArgumentException if {@code threads} is not positive
     * @throws ModelLoadException as {@link #load(Path)}
     */
    public static TorchScriptEncoder load(Path dir, int threads) {
        Require.nonNull(dir, "dir");
        if (threads != 0) {
            Require.positive(threads, "threads");
        }
        ConfigFile config = ConfigFile.read(
                dir,
                CONFIG_FILE,
                "export an encoder as models/README.md describes",
                Set.of(
                        "format",
                        "id",
                        "model_file",
                        "tokenizer_file",
                        "dimension",
                        "max_tokens",
                        "pooling",
                        "normalize",
                        "token_type_ids"));
        String format = config.text("format", null);
        if (!FORMAT.equals(format)) {
            throw config.error("field 'format' must be \"" + FORMAT + "\", found \"" + format + "\"");
        }
        String id = config.text("id", null);
        int dimension = config.integer("dimension", 1, 1 << 16);
        int maxTokens = config.integer("max_tokens", 2, 1 << 16);
        SentenceModel.Pooling pooling =
                config.choice("pooling", SentenceModel.Pooling.class, SentenceModel.Pooling.MEAN);
        boolean normalize = config.bool("normalize", true);
        boolean tokenTypeIds = config.bool("token_type_ids", false);
        Path tokenizer = existing(config, dir, "tokenizer_file", "tokenizer.json");
        Path modelFile = existing(config, dir, "model_file", "encoder.pt");
        SentenceModel model = SentenceModel.load(
                id, tokenizer, modelFile, "PyTorch", maxTokens, tokenTypeIds, pooling, normalize, threads);
        try {
            float[] probe = model.encode(List.of("probe"))[0];
            if (probe.length != dimension) {
                throw new ModelLoadException(modelFile + " gives vectors of " + probe.length + " values, but "
                        + config.file() + " says 'dimension' " + dimension);
            }
        } catch (RuntimeException e) {
            model.close();
            throw e instanceof ModelLoadException loadError
                    ? loadError
                    : new ModelLoadException(modelFile + " fails on a probe query: " + e.getMessage(), e);
        }
        return new TorchScriptEncoder(id, dimension, model);
    }

    private static Path existing(ConfigFile config, Path dir, String field, String fallback) {
        Path file = dir.resolve(config.text(field, fallback));
        if (!Files.isRegularFile(file)) {
            throw config.error("names '" + field + "' " + file.getFileName() + ", but there is no file " + file);
        }
        return file;
    }

    /** The config's {@code id}. */
    @Override
    public String id() {
        return id;
    }

    /** The config's {@code dimension}. */
    @Override
    public int dimension() {
        return dimension;
    }

    /**
     * Encodes queries.
     *
     * @param queries the queries, none null
     * @return one vector of {@link #dimension()} floats per query, L2-normalised when configured
     * @throws io.llmblender.core.error.InferenceException if the model fails
     * @throws IllegalStateException if the encoder is closed
     */
    @Override
    public float[][] encode(List<String> queries) {
        return model.encode(queries);
    }

    /**
     * The token ids of a query exactly as the model gets them, for comparing with another implementation.
     *
     * @param query the query
     * @return the ids, special tokens included, cut to {@code max_tokens}
     * @throws IllegalStateException if the encoder is closed
     */
    public long[] ids(String query) {
        return model.ids(Require.nonNull(query, "query"));
    }

    /**
     * Waits for the encodes in flight, then frees the model and tokenizer; later encodes throw
     * {@link IllegalStateException}. Idempotent and thread-safe.
     */
    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return "TorchScriptEncoder[" + id + ", " + dimension + "]";
    }
}
