package io.llmblender.router.head;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.BlenderException;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.djl.ConfigFile;
import io.llmblender.core.check.Require;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The router's head: {@code Linear(dim -> hidden) + ReLU + Dropout + Linear(hidden -> N)} over a
 * query embedding, with a softmax giving a distribution over the N candidate LLMs (in the order of
 * the label columns it was trained on).
 *
 * <p>{@link #train} fits it with DJL's training API on the PyTorch engine (CPU) to minimise
 * {@code KL(label || softmax(logits))} with AdamW, mini-batches, a seeded validation split and
 * early stopping that keeps the weights of the epoch with the lowest validation loss. Training is
 * deterministic for a seed: the split, the shuffles, the initial weights (Xavier-uniform, biases 0)
 * and the dropout masks all come from one {@link Random} seeded with {@link HeadConfig#seed()}, and
 * PyTorch's own random generator is never used. The same inputs and settings give bit-identical
 * heads when PyTorch runs with the same number of threads.
 *
 * <p>Thread-safety and ownership: a head owns native memory (a DJL {@link Model} and its
 * {@link NDManager}) and must be {@link #close() closed}. {@link #distribution} and
 * {@link #distributions} are thread-safe: each call works in its own child manager, freed before
 * the call returns, and no native array escapes; inference runs without dropout. The owner must
 * not call them concurrently with {@link #close()}. {@link #metrics()}, {@link #config()} and the
 * size accessors are plain immutable values.
 */
public final class RouterHead implements AutoCloseable {

    /** The JSON file {@link #save} writes: sizes, settings and metrics. */
    public static final String CONFIG_FILE = "head.json";
    /** The binary file {@link #save} writes: the weights. */
    public static final String PARAMS_FILE = "head.params";

    private static final int FORMAT = 1;
    private static final int MAGIC = 0x5A484431; // "ZHD1"
    private static final int HEADER_BYTES = 4 * 4;
    private static final int INFERENCE_CHUNK = 1024;
    private static final double LABEL_SUM_TOLERANCE = 1e-3;

    private final int dim;
    private final int hidden;
    private final int n;
    private final HeadConfig config;
    private final TrainingMetrics metrics;
    /** W1 [hidden x dim], b1 [hidden], W2 [n x hidden], b2 [n], row-major; never modified. */
    private final float[][] weights;
    private final Model model;
    private final Mlp block;
    private volatile boolean closed;

    private RouterHead(int dim, int n, HeadConfig config, TrainingMetrics metrics, float[][] weights) {
        this.dim = dim;
        this.hidden = config.hidden();
        this.n = n;
        this.config = config;
        this.metrics = metrics;
        this.weights = weights;
        Model created = Model.newInstance("router-head", Device.cpu(), "PyTorch");
        try {
            Mlp mlp = new Mlp(hidden, n);
            List<Parameter> params = orderedParameters(mlp);
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
     * Trains a head on precomputed embeddings and soft labels.
     *
     * <p>Rows are split once (seeded) into training and validation rows: with
     * {@code validationShare > 0}, {@code max(1, round(rows * validationShare))} rows are held
     * out. Each epoch shuffles the training rows (seeded) and takes AdamW steps on mini-batches of
     * {@code batchSize} rows, minimising the mean over rows of
     * {@code sum_i label_i * (log label_i - log_softmax(logits)_i)} (terms with {@code label_i = 0}
     * contribute 0). After each epoch the validation loss is measured without dropout; the weights
     * with the lowest one are kept, and training stops after {@code patience} epochs without a
     * lower one. Without validation rows every epoch runs and the last weights are kept.
     *
     * @param embeddings one embedding per query, all of the same positive length, finite values;
     *     not modified
     * @param labels one distribution over the N LLMs per query (N at least 2, same N for every
     *     row), values finite and not negative, each row summing to 1 within {@code 1e-3} (rows
     *     are renormalised to sum to exactly 1); not modified
     * @param config the training settings
     * @return the trained head, which the caller must close
     * @throws NullPointerException if an argument or a row is null
     * @throws IllegalArgumentException naming the row and value when the arrays are empty, of
     *     different row counts, ragged, hold non-finite or negative values, a label row does not
     *     sum to 1, or too few rows remain for training after the validation split
     * @throws IllegalStateException if DJL or PyTorch fails during training
     */
    public static RouterHead train(float[][] embeddings, double[][] labels, HeadConfig config) {
        Require.nonNull(config, "config");
        float[][] x = checkEmbeddings(embeddings, -1, "embeddings");
        int rows = x.length;
        int dim = x[0].length;
        float[][] y = checkLabels(labels, rows);
        int n = y[0].length;

        Random random = new Random(config.seed());
        int[] order = permutation(rows, random);
        int validationRows = config.validationShare() > 0
                ? Math.max(1, (int) Math.round(rows * config.validationShare()))
                : 0;
        if (rows - validationRows < 1) {
            throw new IllegalArgumentException("embeddings must leave at least one training row after holding out "
                    + validationRows + " validation rows (validationShare " + config.validationShare()
                    + "), found " + rows + " rows");
        }
        int[] validation = Arrays.copyOfRange(order, 0, validationRows);
        int[] training = Arrays.copyOfRange(order, validationRows, rows);

        Mlp mlp = new Mlp(config.hidden(), n);
        Optimizer adamW = Optimizer.adamW()
                .optLearningRateTracker(Tracker.fixed((float) config.learningRate()))
                .optWeightDecays((float) config.weightDecay())
                .build();
        SeededInitializer initializer = new SeededInitializer(random);
        DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(new KlLoss())
                .optOptimizer(adamW)
                .optDevices(new Device[] {Device.cpu()})
                .optInitializer(initializer, Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS, Parameter.Type.BIAS);

        float[][] best = null;
        int bestEpoch = 0;
        double bestTrainLoss = Double.NaN;
        double bestValidationLoss = Double.POSITIVE_INFINITY;
        double bestAccuracy = Double.NaN;
        int epochsRun = 0;
        boolean stoppedEarly = false;
        try (Model trainingModel = Model.newInstance("router-head-training", Device.cpu(), "PyTorch")) {
            trainingModel.setBlock(mlp);
            try (Trainer trainer = trainingModel.newTrainer(trainingConfig)) {
                trainer.initialize(new Shape(1, dim), new Shape(1, config.hidden()));
                List<Parameter> params = orderedParameters(mlp);
                int sinceBest = 0;
                for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                    epochsRun = epoch;
                    shuffle(training, random);
                    double trainLoss = trainEpoch(trainer, x, y, training, config, random);
                    if (validationRows == 0) {
                        best = snapshot(params);
                        bestEpoch = epoch;
                        bestTrainLoss = trainLoss;
                        bestValidationLoss = Double.NaN;
                        continue;
                    }
                    float[][] logits = logits(trainer.getManager(), trainer::evaluate, x, validation, dim, n);
                    double validationLoss = 0;
                    int correct = 0;
                    for (int r = 0; r < validationRows; r++) {
                        float[] label = y[validation[r]];
                        validationLoss += kl(label, logits[r]);
                        if (argmax(logits[r]) == argmax(label)) {
                            correct++;
                        }
                    }
                    validationLoss /= validationRows;
                    if (validationLoss < bestValidationLoss) {
                        best = snapshot(params);
                        bestEpoch = epoch;
                        bestTrainLoss = trainLoss;
                        bestValidationLoss = validationLoss;
                        bestAccuracy = (double) correct / validationRows;
                        sinceBest = 0;
                    } else if (++sinceBest >= config.patience()) {
                        stoppedEarly = epoch < config.epochs();
                        break;
                    }
                }
                if (best == null) {
                    // Every validation loss was NaN: keep the last weights rather than none.
                    best = snapshot(params);
                    bestEpoch = epochsRun;
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException || e instanceof NullPointerException) {
                throw e;
            }
            throw new IllegalStateException("training the router head failed: " + e.getMessage(), e);
        }
        if (!Double.isFinite(bestTrainLoss)) {
            throw new IllegalStateException("training the router head diverged: training loss " + bestTrainLoss
                    + " at epoch " + bestEpoch + "; lower the learning rate (" + config.learningRate() + ")");
        }
        TrainingMetrics metrics = new TrainingMetrics(epochsRun, bestEpoch, bestTrainLoss, bestValidationLoss,
                bestAccuracy, training.length, validationRows, stoppedEarly);
        return new RouterHead(dim, n, config, metrics, best);
    }

    /**
     * Loads a head written by {@link #save} from {@code head.json} and {@code head.params} in a
     * directory.
     *
     * @param dir the directory
     * @return the head, which the caller must close
     * @throws NullPointerException if {@code dir} is null
     * @throws ModelLoadException naming the file and the problem when a file is missing,
     *     unreadable, not valid JSON, lacks or has unknown or out-of-range fields, when the weights
     *     file is truncated, too long, has a wrong header, sizes that differ from {@code head.json}
     *     or non-finite weights
     */
    public static RouterHead load(Path dir) {
        Require.nonNull(dir, "dir");
        ConfigFile file = ConfigFile.read(dir, CONFIG_FILE, "written by RouterHead.save",
                java.util.Set.of("format", "dim", "hidden", "n", "config", "metrics"));
        int format = file.integer("format", 1, Integer.MAX_VALUE);
        if (format != FORMAT) {
            throw file.error("has format " + format + "; this version reads format " + FORMAT);
        }
        int dim = file.integer("dim", 1, Integer.MAX_VALUE);
        int hidden = file.integer("hidden", 1, HeadConfig.MAX_HIDDEN);
        int n = file.integer("n", 2, Integer.MAX_VALUE);
        JsonNode root = ConfigFile.readJson(file.file());
        HeadConfig config = readConfig(file, root.get("config"));
        if (config.hidden() != hidden) {
            throw file.error("field 'hidden' is " + hidden + " but config.hidden is " + config.hidden());
        }
        TrainingMetrics metrics = readMetrics(file, root.get("metrics"));
        float[][] weights = readWeights(dir.resolve(PARAMS_FILE), dim, hidden, n);
        try {
            return new RouterHead(dim, n, config, metrics, weights);
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot build the router head from " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code head.json} (format, sizes, settings, metrics) and {@code head.params} (a
     * 16-byte little-endian header {@code magic, dim, hidden, n} followed by the float32 weights
     * {@code W1[hidden x dim], b1[hidden], W2[n x hidden], b2[n]}, row-major, little-endian) into
     * a directory, creating it if needed and replacing these two files; other files in it are left
     * alone. Thread-safe; works after {@link #close()} too, since the weights are also held on the
     * Java heap.
     *
     * @param dir the directory
     * @throws NullPointerException if {@code dir} is null
     * @throws BlenderException if the directory or a file cannot be written
     */
    public void save(Path dir) {
        Require.nonNull(dir, "dir");
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.put("dim", dim);
        root.put("hidden", hidden);
        root.put("n", n);
        ObjectNode c = root.putObject("config");
        c.put("hidden", config.hidden());
        c.put("dropout", config.dropout());
        c.put("learningRate", config.learningRate());
        c.put("weightDecay", config.weightDecay());
        c.put("epochs", config.epochs());
        c.put("batchSize", config.batchSize());
        c.put("validationShare", config.validationShare());
        c.put("patience", config.patience());
        c.put("seed", config.seed());
        ObjectNode m = root.putObject("metrics");
        m.put("epochsRun", metrics.epochsRun());
        m.put("bestEpoch", metrics.bestEpoch());
        m.put("trainLoss", metrics.trainLoss());
        putNullable(m, "validationLoss", metrics.validationLoss());
        putNullable(m, "validationAccuracy", metrics.validationAccuracy());
        m.put("trainRows", metrics.trainRows());
        m.put("validationRows", metrics.validationRows());
        m.put("stoppedEarly", metrics.stoppedEarly());
        try {
            Files.createDirectories(dir);
            mapper.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), root);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(PARAMS_FILE)))) {
                ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                header.putInt(MAGIC).putInt(dim).putInt(hidden).putInt(n);
                out.write(header.array());
                for (float[] tensor : weights) {
                    ByteBuffer bytes = ByteBuffer.allocate(tensor.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    bytes.asFloatBuffer().put(tensor);
                    out.write(bytes.array());
                }
            }
        } catch (IOException e) {
            throw new BlenderException("cannot write the router head to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The distribution over the N LLMs for one embedding.
     *
     * @param embedding the query embedding, of length {@link #dim()}, finite values; not modified
     * @return N probabilities summing to 1, in the order of the training labels' columns
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
     * @return one array of N probabilities summing to 1 per embedding, in order
     * @throws NullPointerException if the array or a row is null
     * @throws IllegalArgumentException naming the row when a length is not {@link #dim()} or a
     *     value is not finite
     * @throws IllegalStateException if the head is closed
     * @throws InferenceException if PyTorch fails
     */
    public double[][] distributions(float[][] embeddings) {
        Require.nonNull(embeddings, "embeddings");
        if (embeddings.length == 0) {
            return new double[0][];
        }
        float[][] x = checkEmbeddings(embeddings, dim, "embeddings");
        if (closed) {
            throw new IllegalStateException("the router head is closed");
        }
        int[] all = new int[x.length];
        Arrays.setAll(all, i -> i);
        float[][] logits;
        try {
            logits = logits(model.getNDManager(), input -> {
                ParameterStore store = new ParameterStore(input.head().getManager(), false);
                return block.forward(store, input, false);
            }, x, all, dim, n);
        } catch (RuntimeException e) {
            throw new InferenceException("the router head failed on " + x.length + " embeddings: " + e.getMessage(), e);
        }
        double[][] out = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            out[r] = softmax(logits[r]);
        }
        return out;
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
     * The number of LLMs the head routes between.
     *
     * @return N, at least 2
     */
    public int size() {
        return n;
    }

    /**
     * Frees the native memory. Idempotent; later calls to {@link #distribution} or
     * {@link #distributions} throw {@link IllegalStateException}. Must not run concurrently with
     * them.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Training helpers

    private static double trainEpoch(Trainer trainer, float[][] x, float[][] y, int[] rows, HeadConfig config,
            Random random) {
        int dim = x[0].length;
        int n = y[0].length;
        int hidden = config.hidden();
        float keep = (float) (1 - config.dropout());
        float scale = 1f / keep;
        double sum = 0;
        for (int start = 0; start < rows.length; start += config.batchSize()) {
            int b = Math.min(config.batchSize(), rows.length - start);
            float[] flatX = new float[b * dim];
            float[] flatY = new float[b * n];
            for (int i = 0; i < b; i++) {
                System.arraycopy(x[rows[start + i]], 0, flatX, i * dim, dim);
                System.arraycopy(y[rows[start + i]], 0, flatY, i * n, n);
            }
            float[] mask = new float[b * hidden];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = config.dropout() == 0 || random.nextFloat() < keep ? scale : 0f;
            }
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray xs = batch.create(flatX, new Shape(b, dim));
                NDArray ys = batch.create(flatY, new Shape(b, n));
                NDArray ms = batch.create(mask, new Shape(b, hidden));
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDList predictions = trainer.forward(new NDList(xs, ms));
                    NDArray loss = trainer.getLoss().evaluate(new NDList(ys), predictions);
                    collector.backward(loss);
                    sum += (double) loss.getFloat() * b;
                }
                trainer.step();
            }
        }
        return sum / rows.length;
    }

    /** Runs the forward pass on the given rows in chunks, each chunk in its own child manager. */
    private static float[][] logits(NDManager parent, UnaryOperator<NDList> forward, float[][] x, int[] rows,
            int dim, int n) {
        float[][] out = new float[rows.length][];
        for (int start = 0; start < rows.length; start += INFERENCE_CHUNK) {
            int b = Math.min(INFERENCE_CHUNK, rows.length - start);
            float[] flat = new float[b * dim];
            for (int i = 0; i < b; i++) {
                System.arraycopy(x[rows[start + i]], 0, flat, i * dim, dim);
            }
            float[] values;
            try (NDManager call = parent.newSubManager()) {
                NDList result = forward.apply(new NDList(call.create(flat, new Shape(b, dim))));
                NDArray logits = result.singletonOrThrow();
                if (logits.getDataType() != DataType.FLOAT32) {
                    logits = logits.toType(DataType.FLOAT32, false);
                }
                values = logits.toFloatArray();
            }
            if (values.length != b * n) {
                throw new IllegalStateException("the head returned " + values.length + " logits for " + b
                        + " rows of " + n + " LLMs");
            }
            for (int i = 0; i < b; i++) {
                out[start + i] = Arrays.copyOfRange(values, i * n, (i + 1) * n);
            }
        }
        return out;
    }

    private static List<Parameter> orderedParameters(Mlp mlp) {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> pair : mlp.getParameters()) {
            params.add(pair.getValue());
        }
        if (params.size() != 4) {
            throw new IllegalStateException("the head must have 4 parameters, found " + params.size());
        }
        return params;
    }

    private static float[][] snapshot(List<Parameter> params) {
        float[][] copy = new float[params.size()][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = params.get(i).getArray().toFloatArray();
        }
        return copy;
    }

    private static int[] permutation(int size, Random random) {
        int[] order = new int[size];
        Arrays.setAll(order, i -> i);
        shuffle(order, random);
        return order;
    }

    private static void shuffle(int[] values, Random random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Maths

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static double kl(float[] label, float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        double logZ = max + Math.log(sum);
        double kl = 0;
        for (int i = 0; i < label.length; i++) {
            if (label[i] > 0) {
                kl += label[i] * (Math.log(label[i]) - (logits[i] - logZ));
            }
        }
        return kl;
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------------------------------
    // Argument checks

    private static float[][] checkEmbeddings(float[][] embeddings, int expectedDim, String field) {
        Require.nonNull(embeddings, field);
        if (embeddings.length == 0) {
            throw new IllegalArgumentException(field + " must not be empty, found 0 rows");
        }
        int dim = expectedDim;
        for (int r = 0; r < embeddings.length; r++) {
            float[] row = Require.nonNull(embeddings[r], field + "[" + r + "]");
            if (dim < 0) {
                if (row.length == 0) {
                    throw new IllegalArgumentException(field + "[0] must not be empty, found length 0");
                }
                dim = row.length;
            }
            if (row.length != dim) {
                throw new IllegalArgumentException(
                        field + "[" + r + "] must have length " + dim + ", found " + row.length);
            }
            for (int i = 0; i < row.length; i++) {
                if (!Float.isFinite(row[i])) {
                    throw new IllegalArgumentException(
                            field + "[" + r + "][" + i + "] must be finite, found " + row[i]);
                }
            }
        }
        return embeddings;
    }

    private static float[][] checkLabels(double[][] labels, int rows) {
        Require.nonNull(labels, "labels");
        if (labels.length != rows) {
            throw new IllegalArgumentException(
                    "labels must have one row per embedding (" + rows + "), found " + labels.length);
        }
        float[][] out = new float[rows][];
        int n = -1;
        for (int r = 0; r < rows; r++) {
            double[] row = Require.nonNull(labels[r], "labels[" + r + "]");
            if (n < 0) {
                if (row.length < 2) {
                    throw new IllegalArgumentException(
                            "labels[0] must cover at least 2 LLMs, found " + row.length);
                }
                n = row.length;
            }
            if (row.length != n) {
                throw new IllegalArgumentException("labels[" + r + "] must have length " + n + ", found " + row.length);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(row[i]) || row[i] < 0) {
                    throw new IllegalArgumentException(
                            "labels[" + r + "][" + i + "] must be finite and not negative, found " + row[i]);
                }
                sum += row[i];
            }
            if (Math.abs(sum - 1) > LABEL_SUM_TOLERANCE) {
                throw new IllegalArgumentException("labels[" + r + "] must sum to 1, found " + sum);
            }
            out[r] = new float[n];
            for (int i = 0; i < n; i++) {
                out[r][i] = (float) (row[i] / sum);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------
    // File helpers

    private static void putNullable(ObjectNode node, String field, double value) {
        if (Double.isNaN(value)) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static HeadConfig readConfig(ConfigFile file, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw file.error("lacks the object field 'config'");
        }
        try {
            return new HeadConfig(
                    intField(file, node, "config.", "hidden"),
                    doubleField(file, node, "config.", "dropout", false),
                    doubleField(file, node, "config.", "learningRate", false),
                    doubleField(file, node, "config.", "weightDecay", false),
                    intField(file, node, "config.", "epochs"),
                    intField(file, node, "config.", "batchSize"),
                    doubleField(file, node, "config.", "validationShare", false),
                    intField(file, node, "config.", "patience"),
                    longField(file, node, "config.", "seed"));
        } catch (IllegalArgumentException e) {
            throw file.error("has an invalid 'config': " + e.getMessage());
        }
    }

    private static TrainingMetrics readMetrics(ConfigFile file, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw file.error("lacks the object field 'metrics'");
        }
        JsonNode early = node.get("stoppedEarly");
        if (early == null || !early.isBoolean()) {
            throw file.error("field 'metrics.stoppedEarly' must be a boolean, found " + early);
        }
        try {
            return new TrainingMetrics(
                    intField(file, node, "metrics.", "epochsRun"),
                    intField(file, node, "metrics.", "bestEpoch"),
                    doubleField(file, node, "metrics.", "trainLoss", false),
                    doubleField(file, node, "metrics.", "validationLoss", true),
                    doubleField(file, node, "metrics.", "validationAccuracy", true),
                    intField(file, node, "metrics.", "trainRows"),
                    intField(file, node, "metrics.", "validationRows"),
                    early.booleanValue());
        } catch (IllegalArgumentException e) {
            throw file.error("has invalid 'metrics': " + e.getMessage());
        }
    }

    private static int intField(ConfigFile file, JsonNode node, String prefix, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw file.error("field '" + prefix + field + "' must be an integer, found " + value);
        }
        return value.intValue();
    }

    private static long longField(ConfigFile file, JsonNode node, String prefix, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
            throw file.error("field '" + prefix + field + "' must be an integer, found " + value);
        }
        return value.longValue();
    }

    private static double doubleField(ConfigFile file, JsonNode node, String prefix, String field,
            boolean nullable) {
        JsonNode value = node.get(field);
        if (nullable && value != null && value.isNull()) {
            return Double.NaN;
        }
        if (value == null || !value.isNumber()) {
            throw file.error("field '" + prefix + field + "' must be a number" + (nullable ? " or null" : "")
                    + ", found " + value);
        }
        return value.doubleValue();
    }

    private static float[][] readWeights(Path file, int dim, int hidden, int n) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + PARAMS_FILE + " in model directory " + file.getParent()
                    + " (written by RouterHead.save)");
        }
        long[] sizes = {(long) hidden * dim, hidden, (long) n * hidden, n};
        long floats = 0;
        for (long size : sizes) {
            floats += size;
        }
        long expected = HEADER_BYTES + floats * Float.BYTES;
        long actual;
        try {
            actual = Files.size(file);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (actual < HEADER_BYTES) {
            throw new ModelLoadException(file + " is truncated: " + actual + " bytes, shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        if (expected > Integer.MAX_VALUE - 16) {
            throw new ModelLoadException(file + " would hold " + expected + " bytes for dim " + dim + ", hidden "
                    + hidden + " and n " + n + "; too large");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buffer.getInt();
        if (magic != MAGIC) {
            throw new ModelLoadException(file + " is not a router head weights file (wrong magic number 0x"
                    + Integer.toHexString(magic) + ")");
        }
        int fileDim = buffer.getInt();
        int fileHidden = buffer.getInt();
        int fileN = buffer.getInt();
        if (fileDim != dim || fileHidden != hidden || fileN != n) {
            throw new ModelLoadException(file + " holds weights for dim " + fileDim + ", hidden " + fileHidden
                    + ", n " + fileN + " but " + CONFIG_FILE + " says dim " + dim + ", hidden " + hidden + ", n " + n);
        }
        if (bytes.length != expected) {
            throw new ModelLoadException(file + " is " + (bytes.length < expected ? "truncated" : "too long") + ": "
                    + bytes.length + " bytes, expected " + expected + " for dim " + dim + ", hidden " + hidden
                    + ", n " + n);
        }
        float[][] weights = new float[sizes.length][];
        for (int t = 0; t < sizes.length; t++) {
            weights[t] = new float[(int) sizes[t]];
            buffer.asFloatBuffer().get(weights[t]);
            buffer.position(buffer.position() + weights[t].length * Float.BYTES);
            for (float v : weights[t]) {
                if (!Float.isFinite(v)) {
                    throw new ModelLoadException(file + " holds a non-finite weight " + v);
                }
            }
        }
        return weights;
    }

    // ---------------------------------------------------------------------------------------
    // DJL pieces

    /**
     * The MLP. Input 0 is the embedding batch; during training, input 1 is the dropout mask
     * ({@code 0} or {@code 1 / (1 - dropout)} per hidden unit), drawn in Java from the seeded
     * random so that PyTorch's generator is never used.
     */
    private static final class Mlp extends AbstractBlock {
        private final int hidden;
        private final int n;
        private final Linear first;
        private final Linear second;

        Mlp(int hidden, int n) {
            this.hidden = hidden;
            this.n = n;
            this.first = addChildBlock("first", Linear.builder().setUnits(hidden).build());
            this.second = addChildBlock("second", Linear.builder().setUnits(n).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray h = first.forward(store, new NDList(inputs.get(0)), training).singletonOrThrow();
            h = Activation.relu(h);
            if (training && inputs.size() > 1) {
                h = h.mul(inputs.get(1));
            }
            return second.forward(store, new NDList(h), training);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), n)};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            first.initialize(manager, dataType, inputShapes[0]);
            second.initialize(manager, dataType, new Shape(inputShapes[0].get(0), hidden));
        }
    }

    /** {@code KL(label || softmax(logits))}, summed over LLMs and averaged over rows. */
    private static final class KlLoss extends Loss {
        KlLoss() {
            super("KL");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray label = labels.singletonOrThrow();
            NDArray logProbabilities = predictions.singletonOrThrow().logSoftmax(1);
            // log(max(label, tiny)) keeps 0 * log 0 at 0 instead of NaN.
            NDArray logLabel = label.clip(1e-30f, 1f).log();
            return label.mul(logLabel.sub(logProbabilities)).sum(new int[] {1}).mean();
        }
    }

    /** Xavier-uniform weights drawn from the training's seeded random, in initialisation order. */
    private static final class SeededInitializer implements Initializer {
        private final Random random;

        SeededInitializer(Random random) {
            this.random = random;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            long fanOut = shape.get(0);
            long fanIn = shape.dimension() > 1 ? shape.size() / fanOut : 1;
            double bound = Math.sqrt(6.0 / (fanIn + fanOut));
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            return manager.create(values, shape).toType(dataType, false);
        }
    }
}
