package io.llmblender.router.head;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.llmblender.core.check.Require;
import io.llmblender.core.error.InferenceException;
import io.llmblender.djl.CloseGuard;
import java.util.Arrays;
import java.util.List;

/**
 * A trained router head: {@code Linear(dim -> hidden) + ReLU + Linear(hidden -> N)} over a query
 * embedding (dropout is a training-time layer only), with a softmax giving a distribution over
 * the N candidate LLMs in the order of {@link #llms()}. Inference only; make one with
 * {@link RouterHeadTrainer#train} or {@link HeadFiles#load}, write one with {@link HeadFiles#save}.
 *
 * <p><b>Immutable.</b> The LLM names, sizes, settings, metrics and weights never change after
 * construction; the weights are also kept on the Java heap, so {@link HeadFiles#save} works even
 * after {@link #close()}.
 *
 * <p><b>Thread-safety.</b> Every method is safe for concurrent use, {@link #close()} included.
 * {@link #distribution} and {@link #distributions} each work in their own child manager, freed
 * before the call returns, and no native array escapes.
 *
 * <p><b>Ownership and closing.</b> A head owns native memory (a DJL {@link Model} and its
 * {@link NDManager}) and must be closed. {@link #close()} waits for the inference calls already
 * running to finish, then frees the memory; calls that start after it has begun throw
 * {@link IllegalStateException}. The accessors keep working after close.
 */
public final class RouterHead implements AutoCloseable {

    private final List<String> llms;
    private final int dim;
    private final int hidden;
    private final int n;
    private final HeadConfig config;
    private final TrainingMetrics metrics;
    /** W1 [hidden x dim], b1 [hidden], W2 [n x hidden], b2 [n], row-major; never modified. */
    private final float[][] weights;

    private final Model model;
    private final HeadBlock block;
    /** Inference calls in flight finish before close frees the model; later calls throw. */
    private final CloseGuard guard = new CloseGuard("the router head");

    /**
     * Builds the head's inference model from its weights.
     *
     * @param llms the N LLM names in output order, checked (distinct, not blank) by the caller
     * @param dim the embedding length, positive
     * @param config the training settings; {@code config.hidden()} is the hidden width
     * @param metrics what training achieved
     * @param weights W1, b1, W2, b2 in the sizes {@link HeadBlock#parameterSizes}; kept, not copied,
     *     and never modified
     * @throws IllegalArgumentException if the names or weights do not fit the sizes
     * @throws RuntimeException from DJL if the model cannot be built
     */
    RouterHead(List<String> llms, int dim, HeadConfig config, TrainingMetrics metrics, float[][] weights) {
        this.llms = List.copyOf(llms);
        this.dim = dim;
        this.hidden = config.hidden();
        this.n = this.llms.size();
        this.config = config;
        this.metrics = metrics;
        this.weights = weights;
        if (n < 2) {
            throw new IllegalArgumentException("a head needs at least 2 LLMs, found " + n);
        }
        long[] sizes = HeadBlock.parameterSizes(dim, hidden, n);
        if (weights.length != sizes.length) {
            throw new IllegalArgumentException(
                    "a head needs " + sizes.length + " weight tensors, found " + weights.length);
        }
        for (int i = 0; i < sizes.length; i++) {
            if (weights[i].length != sizes[i]) {
                throw new IllegalArgumentException(
                        "weight tensor " + i + " must hold " + sizes[i] + " values, found " + weights[i].length);
            }
        }
        Model created = Model.newInstance("router-head", Device.cpu(), "PyTorch");
        try {
            HeadBlock mlp = new HeadBlock(hidden, n);
            List<Parameter> params = mlp.orderedParameters();
            for (int i = 0; i < params.size(); i++) {
                float[] values = weights[i];
                params.get(i).setInitializer((manager, shape, type) -> manager.create(values, shape));
            }
            created.setBlock(mlp);
            mlp.initialize(created.getNDManager(), DataType.FLOAT32, new Shape(1, dim));
            mlp.freezeParameters(true);
            this.block = mlp;
            this.model = created;
        } catch (RuntimeException e) {
            created.close();
            throw e;
        }
    }

    /**
     * The distribution over the N LLMs for one embedding.
     *
     * @param embedding the query embedding, of length {@link #dim()}, finite values; not modified
     * @return N probabilities summing to 1, {@code out[i]} for {@code llms().get(i)}
     * @throws NullPointerException if {@code embedding} is null
     * @throws IllegalArgumentException if its length is not {@link #dim()} or a value is not finite
     * @throws IllegalStateException if the head is closed
     * @throws InferenceException if PyTorch fails
     */
    public double[] distribution(float[] embedding) {
        Require.nonNull(embedding, "embedding");
        return distributions(new float[][] {embedding})[0];
    }

    /**
     * The distributions over the N LLMs for many embeddings, computed in batches of up to 1024
     * rows. Thread-safe. The same call always gives the same result, but a row's distribution may
     * differ from the one computed for it in a batch of another size by float32 rounding (about
     * {@code 1e-7}), since PyTorch picks its matrix kernels by batch size.
     *
     * @param embeddings the query embeddings, each of length {@link #dim()}, finite values; not
     *     modified; may be empty
     * @return one array of N probabilities summing to 1 per embedding, in order, each in the order
     *     of {@link #llms()}
     * @throws NullPointerException if the array or a row is null
     * @throws IllegalArgumentException naming the row when a length is not {@link #dim()} or a
     *     value is not finite
     * @throws IllegalStateException if the head is closed (also for an empty array)
     * @throws InferenceException if PyTorch fails
     */
    public double[][] distributions(float[][] embeddings) {
        Require.nonNull(embeddings, "embeddings");
        float[][] x = embeddings.length == 0 ? embeddings : HeadSupport.checkEmbeddings(embeddings, dim, "embeddings");
        guard.enter();
        try {
            if (x.length == 0) {
                return new double[0][];
            }
            int[] all = new int[x.length];
            Arrays.setAll(all, i -> i);
            float[][] logits;
            try {
                logits = HeadSupport.logits(
                        model.getNDManager(),
                        input -> {
                            ParameterStore store =
                                    new ParameterStore(input.head().getManager(), false);
                            return block.forward(store, input, false);
                        },
                        x,
                        all,
                        dim,
                        n);
            } catch (RuntimeException e) {
                throw new InferenceException(
                        "the router head failed on " + x.length + " embeddings: " + e.getMessage(), e);
            }
            double[][] out = new double[x.length][];
            for (int r = 0; r < x.length; r++) {
                out[r] = HeadSupport.softmax(logits[r]);
            }
            return out;
        } finally {
            guard.exit();
        }
    }

    /**
     * The LLMs the head routes between, in the order of its outputs: the explicit list it was
     * trained with, or read back from its file.
     *
     * @return the N names, an unmodifiable list
     */
    public List<String> llms() {
        return llms;
    }

    /**
     * What training achieved (read back from {@code head.json} for a loaded head).
     *
     * @return the metrics
     */
    public TrainingMetrics metrics() {
        return metrics;
    }

    /**
     * The settings the head was trained with.
     *
     * @return the settings
     */
    public HeadConfig config() {
        return config;
    }

    /**
     * The embedding length the head expects.
     *
     * @return the length, positive
     */
    public int dim() {
        return dim;
    }

    /**
     * The number of LLMs the head routes between, {@code llms().size()}.
     *
     * @return N, at least 2
     */
    public int size() {
        return n;
    }

    /**
     * The weights W1, b1, W2, b2 (sizes {@link HeadBlock#parameterSizes}), for {@link HeadFiles}.
     * The arrays themselves, which nobody may modify.
     */
    float[][] weights() {
        return weights;
    }

    /**
     * Frees the native memory, after waiting for the inference calls in flight to finish. Later
     * calls to {@link #distribution} or {@link #distributions} throw {@link IllegalStateException}.
     * Idempotent and thread-safe.
     */
    @Override
    public void close() {
        guard.close(model::close);
    }
}
