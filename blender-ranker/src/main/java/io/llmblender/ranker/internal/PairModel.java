package io.llmblender.ranker.internal;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import ai.djl.util.Pair;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.djl.PredictorPool;
import io.llmblender.djl.TorchScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An exported ranker network run through DJL: {@code forward(input_ids int64[B,T], attention_mask int64[B,T])}
 * returning a fixed number of floats per row: one logit for a pair-row model ({@code [B]} or {@code [B,1]}), a text
 * vector for a segment encoder ({@code [B,H]}). A file ending {@code .onnx} runs on DJL's OnnxRuntime engine, any
 * other (TorchScript) on DJL's PyTorch engine; both take the same batches.
 *
 * <p>Threads: OnnxRuntime gets {@code threads} intra-op threads and one inter-op thread per model. PyTorch's thread
 * count is process-wide: {@code threads > 0} sets it for every PyTorch model in the JVM (last load wins).
 *
 * <p>Thread-safe: each call borrows a predictor from a {@link PredictorPool} (one per concurrently
 * calling thread; DJL predictors are not thread-safe) and returns it afterwards. Every native array
 * of a call lives in the predictor's per-call manager and is freed before the call returns.
 * {@link #close()} waits for the calls in flight; later calls throw {@link IllegalStateException}.
 *
 * <p>Internal: PairRanker's forward pass, public only so that the benchmarks time exactly the rows
 * and batches PairRanker runs. Not part of the API; it may change in any release.
 */
public final class PairModel implements AutoCloseable {

    /** One padded micro-batch: {@code rows x length} ids and mask, row-major. */
    @SuppressWarnings("ArrayRecordComponent") // internal carrier: never compared, hashed or exposed
    public record Batch(long[] ids, long[] mask, int rows, int length) {

        /**
         * Copies the chosen rows into one batch, padded with {@code padId} to {@code length}; the mask
         * is 1 on each row's own tokens.
         *
         * @param all every row's token ids
         * @param which the rows of this batch, in order
         * @param length the padded length, at least the longest chosen row
         * @param padId the id written after each row's tokens
         * @return the batch
         */
        public static Batch of(List<long[]> all, int[] which, int length, long padId) {
            long[] ids = new long[which.length * length];
            long[] mask = new long[which.length * length];
            Arrays.fill(ids, padId);
            for (int b = 0; b < which.length; b++) {
                long[] row = all.get(which[b]);
                System.arraycopy(row, 0, ids, b * length, row.length);
                Arrays.fill(mask, b * length, b * length + row.length, 1L);
            }
            return new Batch(ids, mask, which.length, length);
        }
    }

    private final PredictorPool<Batch, float[]> pool;

    private PairModel(String what, ZooModel<Batch, float[]> model) {
        this.pool = new PredictorPool<>(what, model);
    }

    /**
     * Loads a TorchScript file on a device with PyTorch's threads left as they are.
     *
     * @param dir the model directory
     * @param fileName the TorchScript file inside it
     * @param device where to run
     * @return the model
     * @throws ModelLoadException naming the file when it is missing or not a TorchScript module
     */
    public static PairModel load(Path dir, String fileName, Device device) {
        return load(dir, fileName, device, 0);
    }

    /**
     * Loads a model file, choosing the engine by its name: {@code .onnx} on OnnxRuntime (CPU), else TorchScript
     * on PyTorch.
     *
     * @param dir the model directory
     * @param fileName the model file inside it
     * @param device where to run (PyTorch only; OnnxRuntime runs on the CPU)
     * @param threads intra-op threads, or 0 to keep the engine's default
     * @return the model
     * @throws ModelLoadException naming the file when it is missing or the engine cannot load it
     */
    public static PairModel load(Path dir, String fileName, Device device, int threads) {
        Path file = dir.resolve(fileName);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing model file " + fileName + " in model directory " + dir);
        }
        boolean onnx = isOnnx(fileName);
        Criteria.Builder<Batch, float[]> criteria =
                Criteria.builder().setTypes(Batch.class, float[].class).optTranslator(new RowTranslator());
        if (onnx) {
            criteria.optModelPath(file).optEngine("OnnxRuntime").optOption("interOpNumThreads", "1");
            if (threads > 0) {
                criteria.optOption("intraOpNumThreads", Integer.toString(threads));
            }
        } else {
            TorchScript.locate(criteria, dir, fileName, device);
            TorchScript.setThreads(threads);
        }
        try {
            return new PairModel("the ranker model " + file, criteria.build().loadModel());
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            throw new ModelLoadException(
                    "cannot load " + (onnx ? "ONNX" : "TorchScript") + " model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether a model file runs on OnnxRuntime.
     *
     * @param fileName the file name
     * @return true when it ends in {@code .onnx} (any case)
     */
    public static boolean isOnnx(String fileName) {
        return fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    }

    /**
     * Runs one batch of a pair-row model.
     *
     * @param batch the padded rows
     * @return one logit per row
     * @throws InferenceException if the model fails or returns the wrong number of logits
     */
    public float[] forward(Batch batch) {
        return forward(batch, 1);
    }

    /**
     * Runs one batch.
     *
     * @param batch the padded rows
     * @param width the floats the model returns per row
     * @return {@code rows x width} floats, row-major
     * @throws InferenceException if the model fails or returns another number of floats
     * @throws IllegalStateException if the model is closed
     */
    public float[] forward(Batch batch, int width) {
        try {
            float[] logits = pool.predict(batch);
            if (logits.length != (long) batch.rows() * width) {
                throw new InferenceException("the ranker model returned " + logits.length + " values for "
                        + batch.rows() + " rows; it must return " + (width == 1 ? "one logit" : width + " values")
                        + " per row");
            }
            return logits;
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof InferenceException ie) {
                throw ie;
            }
            if (e instanceof IllegalStateException closed && pool.isClosed()) {
                throw closed;
            }
            throw new InferenceException(
                    "the ranker model failed on a batch of " + batch.rows() + " rows of " + batch.length() + " tokens: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * The encoder's hidden size (the token embedding's width) and layer count, read from the
     * TorchScript module's parameters; -1 where the module does not name them as this project's
     * exports do ({@code embed.weight}, {@code layers.N.*}).
     *
     * @return {@code {hidden, layers}}
     */
    public int[] hiddenAndLayers() {
        ZooModel<Batch, float[]> model = pool.model();
        int hidden = -1;
        if (model.getBlock() == null
                || !"PyTorch".equals(model.getNDManager().getEngine().getEngineName())) {
            return new int[] {-1, -1};
        }
        Set<String> layers = new HashSet<>();
        for (Pair<String, Parameter> p : model.getBlock().getDirectParameters()) {
            String key = p.getKey();
            if ("embed.weight".equals(key) && p.getValue().getArray() != null) {
                hidden = (int) p.getValue().getArray().getShape().get(1);
            }
            if (key.startsWith("layers.") && key.indexOf('.', "layers.".length()) > 0) {
                layers.add(key.substring(0, key.indexOf('.', "layers.".length())));
            }
        }
        return new int[] {hidden, layers.isEmpty() ? -1 : layers.size()};
    }

    /** Waits for the calls in flight, then frees the predictors and the model. Idempotent. */
    @Override
    public void close() {
        pool.close();
    }

    /** Creates the two input arrays in the per-call manager and reads the logits back as floats. */
    private static final class RowTranslator implements Translator<Batch, float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, Batch batch) {
            NDManager manager = ctx.getNDManager();
            Shape shape = new Shape(batch.rows(), batch.length());
            NDArray ids = manager.create(batch.ids(), shape);
            ids.setName("input_ids");
            NDArray mask = manager.create(batch.mask(), shape);
            mask.setName("attention_mask");
            return new NDList(ids, mask);
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            NDArray out = list.get(0);
            if (out.getDataType() != DataType.FLOAT32) {
                out = out.toType(DataType.FLOAT32, false);
            }
            return out.toFloatArray();
        }

        @Override
        public Batchifier getBatchifier() {
            return null;
        }
    }
}
