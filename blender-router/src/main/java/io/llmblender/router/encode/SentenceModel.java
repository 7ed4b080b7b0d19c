package io.llmblender.router.encode;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.llmblender.core.check.Require;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.djl.CloseGuard;
import io.llmblender.djl.PredictorPool;
import io.llmblender.djl.Tokenizers;
import io.llmblender.djl.TorchScript;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A transformer sentence encoder run through DJL: a Hugging Face tokenizer (special tokens added, cut to a maximum
 * length, padded per batch), a model whose first output is the last hidden states {@code [batch, tokens, dim]}, and
 * pooling (attention-masked mean, or the first token) with optional L2 normalisation, all in one translator. Shared by
 * {@link MiniLmEncoder} (OnnxRuntime) and {@link TorchScriptEncoder} (PyTorch).
 *
 * <p>Thread-safe: each calling thread borrows its own predictor from a {@link PredictorPool}; no
 * native array outlives a call. {@link #close()} waits for the calls in flight; later calls throw
 * {@link IllegalStateException}.
 */
final class SentenceModel implements AutoCloseable {

    /** How token vectors become one vector. */
    enum Pooling {
        /** The mean of the token vectors under the attention mask (sentence-transformers' default). */
        MEAN,
        /** The first token's vector ({@code [CLS]}). */
        CLS
    }

    private final String label;
    private final HuggingFaceTokenizer tokenizer;
    private final PredictorPool<long[][][], float[][]> pool;
    /** Calls in flight finish before close frees the model and tokenizer; later calls throw. */
    private final CloseGuard guard;

    private SentenceModel(String label, HuggingFaceTokenizer tokenizer, ZooModel<long[][][], float[][]> model) {
        this.label = label;
        this.tokenizer = tokenizer;
        this.pool = new PredictorPool<>(label, model);
        this.guard = new CloseGuard(label);
    }

    /**
     * Loads the tokenizer and the model.
     *
     * @param label the model's name in error messages
     * @param tokenizerFile a {@code tokenizer.json}
     * @param modelFile the model file
     * @param engine the DJL engine, {@code "OnnxRuntime"} or {@code "PyTorch"}
     * @param maxTokens the longest tokenized query, special tokens included
     * @param tokenTypeIds whether the model takes a third input, the token type ids
     * @param pooling the pooling
     * @param normalize whether to L2-normalise the pooled vector
     * @param threads intra-op threads (OnnxRuntime: this model's own pool, plus one inter-op thread; PyTorch:
     *     process-wide), or 0 to keep the engine's default
     * @return the model
     * @throws ModelLoadException naming the file that failed to load
     */
    static SentenceModel load(
            String label,
            Path tokenizerFile,
            Path modelFile,
            String engine,
            int maxTokens,
            boolean tokenTypeIds,
            Pooling pooling,
            boolean normalize,
            int threads) {
        HuggingFaceTokenizer tokenizer = Tokenizers.load(
                tokenizerFile,
                b -> b.optAddSpecialTokens(true)
                        .optTruncation(true)
                        .optMaxLength(maxTokens)
                        .optPadding(false));
        Criteria.Builder<long[][][], float[][]> builder = Criteria.builder()
                .setTypes(long[][][].class, float[][].class)
                .optModelPath(modelFile)
                .optEngine(engine)
                .optTranslator(new PoolingTranslator(tokenTypeIds, pooling, normalize));
        if (threads > 0 && engine.equals("OnnxRuntime")) {
            builder.optOption("intraOpNumThreads", Integer.toString(threads)).optOption("interOpNumThreads", "1");
        } else {
            TorchScript.setThreads(threads);
        }
        Criteria<long[][][], float[][]> criteria = builder.build();
        try {
            return new SentenceModel(label, tokenizer, criteria.loadModel());
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            tokenizer.close();
            throw new ModelLoadException("cannot load model " + modelFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The token ids of one query, exactly as fed to the model.
     *
     * @param query the query
     * @return its ids, special tokens included, cut to the maximum length
     * @throws IllegalStateException if closed
     */
    long[] ids(String query) {
        return guard.call(() -> tokenizer.encode(query).getIds());
    }

    /**
     * Encodes queries.
     *
     * @param queries the queries, none null
     * @return one pooled vector per query
     * @throws InferenceException if the model fails
     * @throws IllegalStateException if closed
     */
    float[][] encode(List<String> queries) {
        Require.nonNull(queries, "queries");
        guard.enter();
        try {
            return encodeOpen(queries);
        } finally {
            guard.exit();
        }
    }

    private float[][] encodeOpen(List<String> queries) {
        if (queries.isEmpty()) {
            return new float[0][];
        }
        String[] texts = new String[queries.size()];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = Require.nonNull(queries.get(i), "queries[" + i + "]");
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int length = 1;
        for (Encoding e : encodings) {
            length = Math.max(length, e.getIds().length);
        }
        long[][][] batch = new long[3][texts.length][length];
        for (int i = 0; i < texts.length; i++) {
            long[] ids = encodings[i].getIds();
            long[] types = encodings[i].getTypeIds();
            for (int t = 0; t < ids.length; t++) {
                batch[0][i][t] = ids[t];
                batch[1][i][t] = 1;
                batch[2][i][t] = types[t];
            }
        }
        try {
            return pool.predict(batch);
        } catch (TranslateException | RuntimeException e) {
            throw new InferenceException(label + " failed on " + texts.length + " queries: " + e.getMessage(), e);
        }
    }

    /**
     * Waits for the calls in flight, then frees the model and tokenizer; later calls throw
     * {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        guard.close(() -> {
            try {
                pool.close();
            } finally {
                tokenizer.close();
            }
        });
    }

    /** Feeds ids, mask (and type ids); pools the first output over the mask; normalises. */
    private static final class PoolingTranslator implements Translator<long[][][], float[][]> {

        private final boolean tokenTypeIds;
        private final Pooling pooling;
        private final boolean normalize;

        PoolingTranslator(boolean tokenTypeIds, Pooling pooling, boolean normalize) {
            this.tokenTypeIds = tokenTypeIds;
            this.pooling = pooling;
            this.normalize = normalize;
        }

        @Override
        public NDList processInput(TranslatorContext ctx, long[][][] batch) {
            NDManager manager = ctx.getNDManager();
            int rows = batch[0].length;
            int length = batch[0][0].length;
            ctx.setAttachment("mask", batch[1]);
            Shape shape = new Shape(rows, length);
            NDArray ids = manager.create(flatten(batch[0]), shape);
            ids.setName("input_ids");
            NDArray attention = manager.create(flatten(batch[1]), shape);
            attention.setName("attention_mask");
            if (!tokenTypeIds) {
                return new NDList(ids, attention);
            }
            NDArray types = manager.create(flatten(batch[2]), shape);
            types.setName("token_type_ids");
            return new NDList(ids, attention, types);
        }

        @Override
        public float[][] processOutput(TranslatorContext ctx, NDList list) {
            long[][] mask = (long[][]) ctx.getAttachment("mask");
            float[] flat = list.get(0).toFloatArray();
            int rows = mask.length;
            int length = mask[0].length;
            int dim = flat.length / (rows * length);
            float[][] out = new float[rows][dim];
            for (int r = 0; r < rows; r++) {
                double[] pooled = new double[dim];
                if (pooling == Pooling.CLS) {
                    for (int d = 0; d < dim; d++) {
                        pooled[d] = flat[r * length * dim + d];
                    }
                } else {
                    double count = 0;
                    for (int t = 0; t < length; t++) {
                        if (mask[r][t] == 0) {
                            continue;
                        }
                        count++;
                        int base = (r * length + t) * dim;
                        for (int d = 0; d < dim; d++) {
                            pooled[d] += flat[base + d];
                        }
                    }
                    for (int d = 0; d < dim; d++) {
                        pooled[d] /= Math.max(1, count);
                    }
                }
                double norm = 1;
                if (normalize) {
                    double sum = 0;
                    for (double v : pooled) {
                        sum += v * v;
                    }
                    norm = Math.max(Math.sqrt(sum), 1e-12);
                }
                for (int d = 0; d < dim; d++) {
                    out[r][d] = (float) (pooled[d] / norm);
                }
            }
            return out;
        }

        @Override
        public Batchifier getBatchifier() {
            return null;
        }

        private static long[] flatten(long[][] rows) {
            long[] out = new long[rows.length * rows[0].length];
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(rows[r], 0, out, r * rows[r].length, rows[r].length);
            }
            return out;
        }
    }
}
