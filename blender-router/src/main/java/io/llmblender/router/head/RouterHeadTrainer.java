package io.llmblender.router.head;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.llmblender.core.check.Require;
import io.llmblender.djl.Argmax;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Trains a {@link RouterHead}: fits the MLP with DJL's training API on the PyTorch engine (CPU) to
 * minimise {@code KL(label || softmax(logits))} with AdamW, mini-batches, a seeded validation split
 * and early stopping that keeps the weights of the epoch with the lowest validation loss, and
 * returns an immutable head holding those weights.
 *
 * <p>Training is deterministic for a seed: the split, the shuffles, the initial weights
 * (Xavier-uniform, biases 0) and the dropout masks all come from one {@link Random} seeded with
 * {@link HeadConfig#seed()}, and PyTorch's own random generator is never used. The same inputs,
 * LLM order and settings give bit-identical heads when PyTorch runs with the same number of
 * threads. The order of the LLMs is always the caller's explicit list: label column {@code i} is
 * {@code llms.get(i)}, and so is the head's output {@code i}.
 *
 * <p>Stateless and thread-safe: each call builds and frees its own DJL model; calls may run in
 * parallel.
 */
public final class RouterHeadTrainer {

    private static final double LABEL_SUM_TOLERANCE = 1e-3;

    private RouterHeadTrainer() {}

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
     *     are renormalised to sum to exactly 1); column {@code i} is the LLM {@code llms.get(i)};
     *     not modified
     * @param llms the N LLM names in the order of the label columns, distinct and not blank; the
     *     head's {@link RouterHead#llms()} and the order of its outputs; copied
     * @param config the training settings
     * @return the trained head, which the caller must close
     * @throws NullPointerException if an argument, a row or a name is null
     * @throws IllegalArgumentException naming the row and value when the arrays are empty, of
     *     different row counts, ragged, hold non-finite or negative values, a label row does not
     *     sum to 1, or too few rows remain for training after the validation split; naming the
     *     name when one in {@code llms} is blank or repeated; naming both numbers when the labels'
     *     width differs from the number of {@code llms}
     * @throws IllegalStateException if DJL or PyTorch fails during training, or training diverges
     */
    public static RouterHead train(float[][] embeddings, double[][] labels, List<String> llms, HeadConfig config) {
        Require.nonNull(config, "config");
        List<String> names = HeadSupport.checkLlms(llms);
        float[][] x = HeadSupport.checkEmbeddings(embeddings, -1, "embeddings");
        int rows = x.length;
        int dim = x[0].length;
        float[][] y = checkLabels(labels, rows);
        int n = y[0].length;
        if (n != names.size()) {
            throw new IllegalArgumentException("labels have " + n + " columns but llms names " + names.size() + " LLMs "
                    + names + "; give one name per label column, in column order");
        }

        Random random = new Random(config.seed());
        int[] order = permutation(rows, random);
        int validationRows =
                config.validationShare() > 0 ? Math.max(1, (int) Math.round(rows * config.validationShare())) : 0;
        if (rows - validationRows < 1) {
            throw new IllegalArgumentException("embeddings must leave at least one training row after holding out "
                    + validationRows + " validation rows (validationShare " + config.validationShare()
                    + "), found " + rows + " rows");
        }
        int[] validation = Arrays.copyOfRange(order, 0, validationRows);
        int[] training = Arrays.copyOfRange(order, validationRows, rows);

        HeadBlock block = new HeadBlock(config.hidden(), n);
        Optimizer adamW = Optimizer.adamW()
                .optLearningRateTracker(Tracker.fixed((float) config.learningRate()))
                .optWeightDecays((float) config.weightDecay())
                .build();
        DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(new KlLoss())
                .optOptimizer(adamW)
                .optDevices(new Device[] {Device.cpu()})
                .optInitializer(new SeededInitializer(random), Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS, Parameter.Type.BIAS);

        float[][] best = null;
        int bestEpoch = 0;
        double bestTrainLoss = Double.NaN;
        double bestValidationLoss = Double.POSITIVE_INFINITY;
        double bestAccuracy = Double.NaN;
        int epochsRun = 0;
        boolean stoppedEarly = false;
        try (Model trainingModel = Model.newInstance("router-head-training", Device.cpu(), "PyTorch")) {
            trainingModel.setBlock(block);
            try (Trainer trainer = trainingModel.newTrainer(trainingConfig)) {
                trainer.initialize(new Shape(1, dim), new Shape(1, config.hidden()));
                List<Parameter> params = block.orderedParameters();
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
                    float[][] logits =
                            HeadSupport.logits(trainer.getManager(), trainer::evaluate, x, validation, dim, n);
                    double validationLoss = 0;
                    int correct = 0;
                    for (int r = 0; r < validationRows; r++) {
                        float[] label = y[validation[r]];
                        validationLoss += HeadSupport.kl(label, logits[r]);
                        if (Argmax.of(logits[r]) == Argmax.of(label)) {
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
        TrainingMetrics metrics = new TrainingMetrics(
                epochsRun,
                bestEpoch,
                bestTrainLoss,
                bestValidationLoss,
                bestAccuracy,
                training.length,
                validationRows,
                stoppedEarly);
        return new RouterHead(names, dim, config, metrics, best);
    }

    // ---------------------------------------------------------------------------------------
    // Training steps

    private static double trainEpoch(
            Trainer trainer, float[][] x, float[][] y, int[] rows, HeadConfig config, Random random) {
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
    // Argument checks

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
                    throw new IllegalArgumentException("labels[0] must cover at least 2 LLMs, found " + row.length);
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
}
