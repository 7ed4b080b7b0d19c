package io.llmblender.ranker.internal;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The TorchScript cross-encoder: {@code forward(input_ids int64[B,T], attention_mask int64[B,T])}
 * returning one logit per row ({@code [B]} or {@code [B,1]}).
 *
 * <p>Thread-safe: each call borrows a predictor from a pool (one per concurrently calling thread;
 * DJL predictors are not thread-safe) and returns it afterwards. Every native array of a call lives
 * in the predictor's per-call manager and is freed before the call returns. The owner must not call
 * {@link #forward} concurrently with {@link #close()}.
 *
 * <p>Internal: PairRanker's forward pass, public only so that the benchmarks time exactly the rows
 * and batches PairRanker runs. Not part of the API; it may change in any release.
 */
public final class PairModel implements AutoCloseable {

    /** One padded micro-batch: {@code rows x length} ids and mask, row-major. */
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

    private final ZooModel<Batch, float[]> model;
    private final ConcurrentLinkedDeque<Predictor<Batch, float[]>> idle = new ConcurrentLinkedDeque<>();
    private final List<Predictor<Batch, float[]>> all = new ArrayList<>();

    private PairModel(ZooModel<Batch, float[]> model) {
        this.model = model;
    }

    /**
     * Loads a TorchScript file on a device.
     *
     * @param dir the model directory
     * @param fileName the TorchScript file inside it
     * @param device where to run
     * @return the model
     * @throws ModelLoadException naming the file when it is missing or not a TorchScript module
     */
    public static PairModel load(Path dir, String fileName, Device device) {
        Path file = dir.resolve(fileName);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing model file " + fileName + " in model directory " + dir);
        }
        String name = fileName.endsWith(".pt") ? fileName.substring(0, fileName.length() - 3) : fileName;
        Criteria<Batch, float[]> criteria = Criteria.builder()
                .setTypes(Batch.class, float[].class)
                .optModelPath(dir)
                .optModelName(name)
                .optEngine("PyTorch")
                .optDevice(device)
                .optTranslator(new RowTranslator())
                .optOption("mapLocation", "true")
                .build();
        try {
            return new PairModel(criteria.loadModel());
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load TorchScript model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs one batch.
     *
     * @param batch the padded rows
     * @return one logit per row
     * @throws InferenceException if the model fails or returns the wrong number of logits
     */
    public float[] forward(Batch batch) {
        Predictor<Batch, float[]> predictor = idle.pollFirst();
        if (predictor == null) {
            predictor = model.newPredictor();
            synchronized (all) {
                all.add(predictor);
            }
        }
        try {
            float[] logits = predictor.predict(batch);
            if (logits.length != batch.rows()) {
                throw new InferenceException("the ranker model returned " + logits.length + " logits for "
                        + batch.rows() + " rows; it must return one logit per row");
            }
            return logits;
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof InferenceException ie) {
                throw ie;
            }
            throw new InferenceException("the ranker model failed on a batch of " + batch.rows() + " rows of "
                    + batch.length() + " tokens: " + e.getMessage(), e);
        } finally {
            idle.addFirst(predictor);
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
        int hidden = -1;
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

    @Override
    public void close() {
        synchronized (all) {
            for (Predictor<Batch, float[]> predictor : all) {
                predictor.close();
            }
            all.clear();
        }
        idle.clear();
        model.close();
    }

    /** Creates the two input arrays in the per-call manager and reads the logits back as floats. */
    private static final class RowTranslator implements Translator<Batch, float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, Batch batch) {
            NDManager manager = ctx.getNDManager();
            Shape shape = new Shape(batch.rows(), batch.length());
            return new NDList(manager.create(batch.ids(), shape), manager.create(batch.mask(), shape));
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
