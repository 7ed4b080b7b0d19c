package io.llmblender.fuser;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.djl.TorchScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The TorchScript encoder-decoder: {@code encode(input_ids, attention_mask) -> (cross_k, cross_v)}
 * and {@code decode_step(tokens, cross_k, cross_v, enc_mask, past_k, past_v) -> (logits, k, v)},
 * the caches shaped {@code [layers, rows, heads, length, head_dim]}.
 *
 * <p>Thread-safe: every call works in its own {@link Session}, whose child manager holds all of the
 * call's native arrays and frees them when the session closes.
 */
final class Seq2SeqModel implements AutoCloseable {

    private final ZooModel<NDList, NDList> model;
    private final FuserConfig config;

    private Seq2SeqModel(ZooModel<NDList, NDList> model, FuserConfig config) {
        this.model = model;
        this.config = config;
    }

    /**
     * Loads the TorchScript module.
     *
     * @param threads PyTorch's intra-op threads, process-wide; 0 leaves them as they are
     */
    static Seq2SeqModel load(Path dir, FuserConfig config, Device device, int threads) {
        Path file = dir.resolve(config.modelFile());
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing model file " + config.modelFile() + " in model directory " + dir);
        }
        Criteria<NDList, NDList> criteria = TorchScript.locate(
                        Criteria.builder().setTypes(NDList.class, NDList.class).optTranslator(new NoopTranslator()),
                        dir,
                        config.modelFile(),
                        device)
                .build();
        TorchScript.setThreads(threads);
        try {
            return new Seq2SeqModel(criteria.loadModel(), config);
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load TorchScript model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a session over a batch of encoded prompts.
     *
     * @param prompts the prompt token ids, one array per prompt
     * @param copies how many decoder rows each prompt gets (beams), consecutive
     * @param cached whether to keep the decoder's key/value cache, or recompute every step
     * @return the session; close it
     */
    Session open(long[][] prompts, int copies, boolean cached) {
        return new Session(prompts, copies, cached);
    }

    @Override
    public void close() {
        model.close();
    }

    /** One fusion call: the encoder output and the decoder state of every row. */
    final class Session implements AutoCloseable, Decoder.StepFunction {
        private final NDManager manager;
        private final boolean cached;
        private final int rows;
        private NDArray crossK;
        private NDArray crossV;
        private NDArray encMask;
        private NDArray pastK;
        private NDArray pastV;
        private long[][] history;

        Session(long[][] prompts, int copies, boolean cached) {
            this.manager = model.getNDManager().newSubManager();
            this.cached = cached;
            this.rows = prompts.length * copies;
            try {
                int length = 1;
                for (long[] p : prompts) {
                    length = Math.max(length, p.length);
                }
                long[] ids = new long[prompts.length * length];
                long[] mask = new long[prompts.length * length];
                java.util.Arrays.fill(ids, config.padId());
                for (int b = 0; b < prompts.length; b++) {
                    System.arraycopy(prompts[b], 0, ids, b * length, prompts[b].length);
                    java.util.Arrays.fill(mask, b * length, b * length + prompts[b].length, 1L);
                }
                Shape shape = new Shape(prompts.length, length);
                NDArray maskArray = manager.create(mask, shape);
                NDList out = call("encode", new NDList(manager.create(ids, shape), maskArray));
                if (out.size() != 2) {
                    throw new InferenceException("the fuser model's encode returned " + out.size()
                            + " arrays; it must return (cross_k, cross_v)");
                }
                crossK = out.get(0);
                crossV = out.get(1);
                encMask = maskArray;
                if (copies > 1) {
                    long[] index = new long[rows];
                    for (int r = 0; r < rows; r++) {
                        index[r] = r / copies;
                    }
                    NDArray idx = manager.create(index);
                    crossK = crossK.get(new NDIndex(":, {}", idx));
                    crossV = crossV.get(new NDIndex(":, {}", idx));
                    encMask = encMask.get(new NDIndex("{}", idx));
                }
                Shape empty = new Shape(config.layers(), rows, config.heads(), 0, config.headDim());
                pastK = manager.zeros(empty, crossK.getDataType());
                pastV = manager.zeros(empty, crossK.getDataType());
                history = new long[rows][0];
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        @Override
        public float[][] step(long[] tokens, int[] parents) {
            try (NDManager stepManager = manager.newSubManager()) {
                if (parents != null && isIdentity(parents)) {
                    parents = null; // every beam continues itself: no cache gather needed
                }
                if (parents != null) {
                    long[][] reordered = new long[rows][];
                    for (int r = 0; r < rows; r++) {
                        reordered[r] = history[parents[r]];
                    }
                    history = reordered;
                }
                for (int r = 0; r < rows; r++) {
                    history[r] = java.util.Arrays.copyOf(history[r], history[r].length + 1);
                    history[r][history[r].length - 1] = tokens[r];
                }
                NDArray input;
                NDArray k;
                NDArray v;
                if (cached) {
                    input = stepManager.create(tokens, new Shape(rows, 1));
                    if (parents != null) {
                        NDArray idx = stepManager.create(toLongs(parents));
                        k = pastK.get(new NDIndex(":, {}", idx));
                        v = pastV.get(new NDIndex(":, {}", idx));
                        k.attach(stepManager);
                        v.attach(stepManager);
                    } else {
                        k = pastK;
                        v = pastV;
                    }
                } else {
                    int t = history[0].length;
                    long[] flat = new long[rows * t];
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(history[r], 0, flat, r * t, t);
                    }
                    input = stepManager.create(flat, new Shape(rows, t));
                    k = pastK; // always empty
                    v = pastV;
                }
                NDList out = call("decode_step", new NDList(input, crossK, crossV, encMask, k, v));
                if (out.size() != 3) {
                    throw new InferenceException("the fuser model's decode_step returned " + out.size()
                            + " arrays; it must return (logits, k, v)");
                }
                NDArray logits = out.get(0);
                if (logits.getDataType() != DataType.FLOAT32) {
                    logits = logits.toType(DataType.FLOAT32, false);
                }
                float[] flat = logits.toFloatArray();
                int vocab = flat.length / rows;
                float[][] perRow = new float[rows][vocab];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(flat, r * vocab, perRow[r], 0, vocab);
                }
                if (cached) {
                    NDArray newK = out.get(1);
                    NDArray newV = out.get(2);
                    Shape expected =
                            new Shape(config.layers(), rows, config.heads(), history[0].length, config.headDim());
                    if (!newK.getShape().equals(expected) || !newV.getShape().equals(expected)) {
                        throw new InferenceException("the fuser model's decode_step returned a cache of shape "
                                + newK.getShape() + " where num_layers, num_heads and head_dim of "
                                + FuserConfig.FILE_NAME + " give " + expected);
                    }
                    newK.attach(manager);
                    newV.attach(manager);
                    pastK.close();
                    pastV.close();
                    pastK = newK;
                    pastV = newV;
                }
                return perRow;
            }
        }

        private NDList call(String method, NDList inputs) {
            NDArray selector = inputs.get(0).getManager().create(new long[0]);
            selector.setName("module_method:" + method);
            inputs.add(selector);
            Block block = model.getBlock();
            try {
                return block.forward(new ParameterStore(manager, false), inputs, false);
            } catch (RuntimeException e) {
                throw new InferenceException("the fuser model's " + method + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    private static boolean isIdentity(int[] parents) {
        for (int r = 0; r < parents.length; r++) {
            if (parents[r] != r) {
                return false;
            }
        }
        return true;
    }

    private static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
