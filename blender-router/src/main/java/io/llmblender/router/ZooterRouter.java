package io.llmblender.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.check.Require;
import io.llmblender.core.error.BlenderException;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.route.ConfidenceCalibration;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.core.route.Router;
import io.llmblender.djl.ConfigFile;
import io.llmblender.router.encode.QueryEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.head.HeadFiles;
import io.llmblender.router.head.RouterHead;
import io.llmblender.router.head.RouterHeadTrainer;
import io.llmblender.router.head.TrainingMetrics;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.SoftLabels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Zooter's reward-guided router: a query encoder and a small head trained on soft labels
 * distilled from rewards, giving a distribution over the LLMs from the query alone.
 *
 * <p>{@link #train} encodes every training query once, builds the tag-enhanced soft labels
 * ({@link SoftLabels}) in the caller's explicit LLM order and trains the head
 * ({@link RouterHeadTrainer}); {@link #save} writes a router directory ({@value #FILE_NAME}: the
 * LLM names in order, the encoder id, the label settings, the confidence calibration; plus the
 * head's files, see {@link HeadFiles}, which store the same names) and {@link #load} reads it back,
 * refusing another encoder, a head whose stored LLM order differs from {@value #FILE_NAME}'s or,
 * when asked, other LLM names. Routers saved before the head stored its LLM names (head format 1)
 * still load.
 *
 * <p><b>Confidence.</b> The head is trained towards soft labels, {@code softmax(rewards / T)}; with
 * rewards in [0, 1] and the default label temperature those stay below {@code e / (e + N - 1)}
 * (0.576 for three LLMs), so the head's own top probability could never reach an adaptive threshold
 * such as 0.62. {@link #train} therefore also fits a <em>confidence temperature</em> on the training
 * records: the {@code T} that makes {@code max softmax(logits / T)} the likeliest estimate of
 * whether the router's pick is a best LLM of the record (maximum likelihood over the records; ties
 * among the best count as right). {@link #route} returns the head's distribution at that
 * temperature: the choice and the order of the LLMs are the head's, and the confidence reads as
 * "on queries this sure, the pick was a best LLM about this often". By default the distributions
 * the temperature is fitted on are cross-fitted ({@value #DEFAULT_CALIBRATION_FOLDS} folds: each
 * record routed by a head trained on the other folds), because a head judged on the queries it was
 * trained on looks surer than it is on new ones (measured on 235 Arena-Hard prompts and three LLMs,
 * a temperature fitted on the training queries themselves gave picks that were best 47% of the time
 * at a threshold of 0.62). The router also keeps the training queries' (cross-fitted) confidences,
 * so that {@link #thresholdForShare} turns a share of queries to route into a threshold.
 *
 * <p><b>Compatibility.</b> Routers saved before the calibration existed ({@value #FILE_NAME} format
 * {@code blender-router/1}) load with confidence temperature 1, i.e. the head's distribution as
 * before, and without training confidences ({@link #thresholdForShare} refuses them); retrain them
 * to get both.
 *
 * <p><b>Thread-safety.</b> {@link #route} is safe for concurrent use. <b>Ownership.</b> The router
 * owns its head and closes it; it never closes the encoder it was given. {@link #close()} lets
 * the routes in flight finish; later routes throw {@link IllegalStateException}.
 */
public final class ZooterRouter implements Router {

    /** The router's own file in a router directory. */
    public static final String FILE_NAME = "router.json";

    /** The folds {@link #train(QueryEncoder, List, List, SoftLabels, HeadConfig)} cross-fits the calibration on. */
    public static final int DEFAULT_CALIBRATION_FOLDS = 5;

    private static final String FORMAT = "blender-router/2";

    /** The format before the confidence calibration: loads with temperature 1 and no training confidences. */
    private static final String FORMAT_1 = "blender-router/1";

    private final QueryEncoder encoder;
    private final RouterHead head;
    private final SoftLabels labels;
    private final double confidenceTemperature;
    /** The training queries' confidences (at most 1001 quantiles), sorted; empty for a format-1 router. */
    private final double[] trainingConfidences;
    /** The folds the calibration was cross-fitted on; 0 for the training records themselves or a format-1 router. */
    private final int calibrationFolds;

    private ZooterRouter(
            QueryEncoder encoder,
            RouterHead head,
            SoftLabels labels,
            double confidenceTemperature,
            double[] trainingConfidences,
            int calibrationFolds) {
        this.encoder = encoder;
        this.head = head;
        this.labels = labels;
        this.confidenceTemperature = confidenceTemperature;
        this.trainingConfidences = trainingConfidences;
        this.calibrationFolds = calibrationFolds;
    }

    /**
     * Trains a router on reward records, and calibrates its confidence on them, cross-fitted on
     * {@value #DEFAULT_CALIBRATION_FOLDS} folds: {@link #train(QueryEncoder, List, List, SoftLabels,
     * HeadConfig, int)} with that many folds.
     *
     * @param encoder the query encoder, used for training and later routing; not closed by the router
     * @param records the training records, every one with a reward for exactly the LLMs of
     *     {@code llmNames}
     * @param llmNames the LLMs to route between, at least two, distinct, in the order of the
     *     router's {@link #llmNames()} and of its head's outputs (which also fixes the seeded
     *     initialisation, so the same order gives the same router); never taken from the records'
     *     maps. {@link io.llmblender.router.label.RewardRecords#llmNames} gives the order of the
     *     first record's rewards when that is the wanted one
     * @param labels the label settings (softmax temperature, tag beta)
     * @param config the head's training settings
     * @return the trained router
     * @throws NullPointerException if an argument, a record or a name is null
     * @throws IllegalArgumentException if the records are empty, {@code llmNames} has fewer than
     *     two names or repeats one, or a record's LLMs differ from {@code llmNames}
     */
    public static ZooterRouter train(
            QueryEncoder encoder,
            List<RewardRecord> records,
            List<String> llmNames,
            SoftLabels labels,
            HeadConfig config) {
        return train(encoder, records, llmNames, labels, config, DEFAULT_CALIBRATION_FOLDS);
    }

    /**
     * Trains a router on reward records, and calibrates its confidence on them (see the class
     * description): the confidence temperature ({@link #confidenceTemperature()}) and the training
     * queries' confidences behind {@link #thresholdForShare}.
     *
     * <p>With {@code calibrationFolds} K of at least 2, the records are dealt into K folds (a
     * shuffle seeded with {@link HeadConfig#seed()}); for each fold a head is trained, with the same
     * settings, on the soft labels of the other folds' records and gives the distributions of the
     * fold's queries; the temperature is fitted on those out-of-fold distributions and the training
     * confidences are theirs. This costs K more head trainings (the queries are encoded once). With
     * 0, or with fewer than 2K records, the final head's own distributions over its training
     * queries are used instead: faster, and surer than the head will be on new queries as far as it
     * fits its training queries ({@link #calibrationFolds()} then says 0).
     *
     * @param encoder the query encoder, used for training and later routing; not closed by the router
     * @param records the training records, every one with a reward for exactly the LLMs of
     *     {@code llmNames}
     * @param llmNames the LLMs to route between, as {@link #train(QueryEncoder, List, List,
     *     SoftLabels, HeadConfig)}
     * @param labels the label settings (softmax temperature, tag beta)
     * @param config the head's training settings
     * @param calibrationFolds 0 to calibrate on the training records themselves, or at least 2
     * @return the trained router
     * @throws NullPointerException if an argument, a record or a name is null
     * @throws IllegalArgumentException if the records are empty, {@code llmNames} has fewer than
     *     two names or repeats one, a record's LLMs differ from {@code llmNames}, or
     *     {@code calibrationFolds} is negative or 1
     */
    public static ZooterRouter train(
            QueryEncoder encoder,
            List<RewardRecord> records,
            List<String> llmNames,
            SoftLabels labels,
            HeadConfig config,
            int calibrationFolds) {
        Require.nonNull(encoder, "encoder");
        Require.nonNull(records, "records");
        Require.nonNull(llmNames, "llmNames");
        Require.nonNull(labels, "labels");
        Require.nonNull(config, "config");
        if (records.isEmpty()) {
            throw new IllegalArgumentException("records must not be empty");
        }
        if (llmNames.size() < 2) {
            throw new IllegalArgumentException("llmNames must list at least two LLMs, found " + llmNames);
        }
        if (calibrationFolds < 0 || calibrationFolds == 1) {
            throw new IllegalArgumentException(
                    "calibrationFolds must be 0 (the training records themselves) or at least 2, found "
                            + calibrationFolds);
        }
        List<String> names = List.copyOf(llmNames);
        List<String> queries = new ArrayList<>(records.size());
        for (RewardRecord record : records) {
            queries.add(record.query());
        }
        float[][] embeddings = encoder.encode(queries);
        double[][] targets = labels.labels(records, names).toArray(double[][]::new);
        RouterHead head = RouterHeadTrainer.train(embeddings, targets, names, config);
        try {
            int folds = records.size() >= 2 * calibrationFolds ? calibrationFolds : 0;
            double[][] distributions = folds == 0
                    ? head.distributions(embeddings)
                    : crossFitted(records, names, embeddings, labels, config, folds);
            double[][] rewards = new double[records.size()][names.size()];
            for (int q = 0; q < rewards.length; q++) {
                for (int i = 0; i < names.size(); i++) {
                    rewards[q][i] = records.get(q).rewards().get(names.get(i));
                }
            }
            double t = ConfidenceScaling.fit(distributions, rewards);
            double[] confidences = new double[distributions.length];
            for (int q = 0; q < confidences.length; q++) {
                confidences[q] = ConfidenceScaling.confidence(distributions[q], t);
            }
            return new ZooterRouter(encoder, head, labels, t, ConfidenceScaling.summary(confidences), folds);
        } catch (RuntimeException e) {
            head.close();
            throw e;
        }
    }

    /** Each record's distribution from a head trained on the other folds' records. */
    private static double[][] crossFitted(
            List<RewardRecord> records,
            List<String> names,
            float[][] embeddings,
            SoftLabels labels,
            HeadConfig config,
            int folds) {
        int n = records.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Collections.shuffle(Arrays.asList(order), new Random(config.seed()));
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) {
            fold[order[i]] = i % folds;
        }
        double[][] out = new double[n][];
        for (int f = 0; f < folds; f++) {
            List<RewardRecord> train = new ArrayList<>();
            List<float[]> trainX = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            for (int q = 0; q < n; q++) {
                if (fold[q] == f) {
                    held.add(q);
                } else {
                    train.add(records.get(q));
                    trainX.add(embeddings[q]);
                }
            }
            double[][] y = labels.labels(train, names).toArray(double[][]::new);
            try (RouterHead h = RouterHeadTrainer.train(trainX.toArray(float[][]::new), y, names, config)) {
                float[][] x = new float[held.size()][];
                for (int i = 0; i < x.length; i++) {
                    x[i] = embeddings[held.get(i)];
                }
                double[][] p = h.distributions(x);
                for (int i = 0; i < p.length; i++) {
                    out[held.get(i)] = p[i];
                }
            }
        }
        return out;
    }

    /**
     * Loads a router directory written by {@link #save}.
     *
     * @param dir the router directory
     * @param encoder the encoder it was trained with (its {@link QueryEncoder#id()} must match)
     * @param expectedLlmNames the LLM names the caller will route between, in any order, or
     *     {@code null} to accept the saved ones
     * @return the router; one saved in format {@code blender-router/1}, before the confidence
     *     calibration, has confidence temperature 1 (the head's distribution, as it routed then) and
     *     no training confidences
     * @throws ModelLoadException naming the file and the problem, including a different encoder, a
     *     router trained for other LLMs, a head whose stored LLM names differ from
     *     {@value #FILE_NAME}'s, or a bad {@code confidence_temperature},
     *     {@code training_confidences} or {@code calibration_folds}
     */
    public static ZooterRouter load(Path dir, QueryEncoder encoder, List<String> expectedLlmNames) {
        Require.nonNull(dir, "dir");
        Require.nonNull(encoder, "encoder");
        ConfigFile in = ConfigFile.read(
                dir,
                FILE_NAME,
                "train and save a router with ZooterRouter.train",
                Set.of(
                        "format",
                        "llm_names",
                        "encoder",
                        "temperature",
                        "beta",
                        "confidence_temperature",
                        "training_confidences",
                        "calibration_folds"));
        String format = in.text("format", null);
        if (!FORMAT.equals(format) && !FORMAT_1.equals(format)) {
            throw in.error(
                    "field 'format' must be \"" + FORMAT + "\" (or \"" + FORMAT_1 + "\"), found \"" + format + "\"");
        }
        double confidenceTemperature = 1.0;
        double[] trainingConfidences = new double[0];
        int calibrationFolds = 0;
        if (FORMAT.equals(format)) {
            confidenceTemperature = readConfidenceTemperature(in);
            trainingConfidences = readTrainingConfidences(in);
            calibrationFolds = in.integer("calibration_folds", 0, Integer.MAX_VALUE);
        }
        if (!encoder.id().equals(in.text("encoder", null))) {
            throw in.error("was trained with the encoder \"" + in.text("encoder", null) + "\" but was given \""
                    + encoder.id() + "\"");
        }
        List<String> names = new ArrayList<>();
        in.node("llm_names").forEach(n -> names.add(n.asText()));
        double temperature = in.node("temperature").asDouble(SoftLabels.DEFAULT_TEMPERATURE);
        double beta = in.node("beta").asDouble(SoftLabels.DEFAULT_BETA);
        if (names.size() < 2) {
            throw in.error("field 'llm_names' must list at least two LLMs, found " + names);
        }
        if (expectedLlmNames != null && !Set.copyOf(expectedLlmNames).equals(Set.copyOf(names))) {
            throw in.error("was trained for the LLMs " + names + " but is asked to route between " + expectedLlmNames);
        }
        RouterHead head = HeadFiles.load(dir, names);
        if (head.size() != names.size() || head.dim() != encoder.dimension()) {
            head.close();
            throw in.error("does not fit its head: " + names.size() + " LLMs and encoder dimension "
                    + encoder.dimension() + ", but the head has " + head.size() + " outputs over " + head.dim());
        }
        SoftLabels labels =
                SoftLabels.builder().temperature(temperature).beta(beta).build();
        return new ZooterRouter(encoder, head, labels, confidenceTemperature, trainingConfidences, calibrationFolds);
    }

    private static double readConfidenceTemperature(ConfigFile in) {
        JsonNode t = in.node("confidence_temperature");
        if (t.isMissingNode() || t.isNull()) {
            throw in.error("lacks the required field 'confidence_temperature' (format " + FORMAT + ")");
        }
        if (!t.isNumber() || !(t.asDouble() > 0) || Double.isInfinite(t.asDouble())) {
            throw in.error("field 'confidence_temperature' must be a positive finite number, found " + t);
        }
        return t.asDouble();
    }

    private static double[] readTrainingConfidences(ConfigFile in) {
        JsonNode c = in.node("training_confidences");
        if (c.isMissingNode() || c.isNull()) {
            throw in.error("lacks the required field 'training_confidences' (format " + FORMAT + ")");
        }
        if (!c.isArray() || c.isEmpty()) {
            throw in.error("field 'training_confidences' must be a non-empty array of numbers in [0, 1], found "
                    + (c.isArray() ? "[]" : c.toString()));
        }
        double[] out = new double[c.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = c.get(i);
            if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) {
                throw in.error("field 'training_confidences[" + i + "]' must be a number in [0, 1], found " + v);
            }
            out[i] = v.asDouble();
            if (i > 0 && out[i] < out[i - 1]) {
                throw in.error("field 'training_confidences' must be sorted ascending, found " + out[i - 1] + " before "
                        + out[i] + " at index " + i);
            }
        }
        return out;
    }

    /**
     * Writes the router directory: {@value #FILE_NAME} and the head's files.
     *
     * @param dir the directory, created if needed
     * @throws BlenderException if writing fails
     */
    public void save(Path dir) {
        Require.nonNull(dir, "dir");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode names = root.putArray("llm_names");
        head.llms().forEach(names::add);
        root.put("encoder", encoder.id());
        root.put("temperature", labels.temperature());
        root.put("beta", labels.beta());
        root.put("confidence_temperature", confidenceTemperature);
        root.put("calibration_folds", calibrationFolds);
        ArrayNode confidences = root.putArray("training_confidences");
        for (double c : trainingConfidences) {
            confidences.add(c);
        }
        try {
            Files.createDirectories(dir);
            json.writerWithDefaultPrettyPrinter()
                    .writeValue(dir.resolve(FILE_NAME).toFile(), root);
        } catch (IOException e) {
            throw new BlenderException("cannot write " + dir.resolve(FILE_NAME), e);
        }
        HeadFiles.save(head, dir);
    }

    /** The LLM names, in the order of the head's outputs: the explicit order it was trained with. */
    @Override
    public List<String> llmNames() {
        return head.llms();
    }

    /**
     * Routes a query: the encoder's vector through the head, its distribution at the
     * {@link #confidenceTemperature()} (the head's choice and order of the LLMs; the calibrated
     * confidence).
     *
     * @param query the query
     * @return the distribution over the LLMs, the chosen one and its confidence
     */
    @Override
    public RouteDecision route(String query) {
        Require.nonNull(query, "query");
        double[] p = head.distribution(encoder.encode(List.of(query))[0]);
        return RouteDecision.of(head.llms(), ConfidenceScaling.scale(p, confidenceTemperature));
    }

    /**
     * The temperature that {@link #route} applies to the head's logits: fitted on the training
     * records by {@link #train} (see the class description), 1 for a router saved in format
     * {@code blender-router/1}. Below 1 it sharpens the head's distribution, above 1 it flattens it.
     *
     * @return the temperature, positive
     */
    public double confidenceTemperature() {
        return confidenceTemperature;
    }

    /**
     * The share of the training queries an adaptive threshold answers with one LLM: the inverse of
     * {@link #thresholdForShare}, on the same kept (cross-fitted unless {@link #calibrationFolds()}
     * is 0) confidences.
     *
     * @param threshold a confidence threshold, in [0, 1]
     * @return the share of kept confidences at or above it, in [0, 1]
     * @throws IllegalArgumentException naming the value if {@code threshold} is not in [0, 1]
     * @throws IllegalStateException as {@link #thresholdForShare}
     */
    public double shareRoutedAt(double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], found " + threshold);
        }
        requireTrainingConfidences();
        int routed = 0;
        for (double c : trainingConfidences) {
            routed += c >= threshold ? 1 : 0;
        }
        return (double) routed / trainingConfidences.length;
    }

    /**
     * The folds the confidence calibration was cross-fitted on (see {@link #train(QueryEncoder,
     * List, List, SoftLabels, HeadConfig, int)}): at least 2, or 0 when it was fitted on the training
     * queries themselves, and for a router saved in format {@code blender-router/1}.
     *
     * @return the folds, or 0
     */
    public int calibrationFolds() {
        return calibrationFolds;
    }

    /**
     * Whether the router holds its training queries' confidences, so that {@link #thresholdForShare}
     * works: true for every router trained or saved by this version, false for one saved in format
     * {@code blender-router/1}.
     *
     * @return true if share thresholds are available
     */
    public boolean hasTrainingConfidences() {
        return trainingConfidences.length > 0;
    }

    /**
     * The adaptive threshold that answers {@code share} of the training queries with one LLM: a
     * threshold given as the share of queries to route rather than as a confidence, picked as
     * {@link ConfidenceCalibration#forSingleCallShare(double[], double)} picks it, on the training
     * queries' confidences kept by {@link #train} (cross-fitted unless {@link #calibrationFolds()} is
     * 0; all of them up to 1001 queries, else 1001 evenly spaced quantiles, which moves the share by at
     * most 0.1%). New queries get about that share as far as they resemble the training queries; for a share measured on your own validation queries use
     * {@link ConfidenceCalibration#forSingleCallShare(io.llmblender.core.route.Router, List, double)}.
     *
     * @param share the share of queries to answer with one LLM, in [0, 1]
     * @return the calibration: its {@link ConfidenceCalibration#threshold()} goes to
     *     {@code Blender.Builder.confidenceThreshold}; {@link ConfidenceCalibration#size()} is the
     *     number of stored confidences
     * @throws IllegalArgumentException naming the value if {@code share} is not in [0, 1]
     * @throws IllegalStateException if the router was saved without training confidences (format
     *     {@code blender-router/1}): retrain it, or calibrate on your own queries as above
     */
    public ConfidenceCalibration thresholdForShare(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be in [0, 1], found " + share);
        }
        requireTrainingConfidences();
        return ConfidenceCalibration.forSingleCallShare(trainingConfidences, share);
    }

    private void requireTrainingConfidences() {
        if (trainingConfidences.length == 0) {
            throw new IllegalStateException("this router was saved in format " + FORMAT_1
                    + ", without its training queries' confidences, so it cannot relate thresholds and shares of"
                    + " queries; retrain it (blender train-router), or use ConfidenceCalibration.forSingleCallShare"
                    + " on your own queries");
        }
    }

    /**
     * The head's training metrics.
     *
     * @return the metrics
     */
    public TrainingMetrics metrics() {
        return head.metrics();
    }

    /** Closes the head; the encoder stays open (its creator closes it). Idempotent. */
    @Override
    public void close() {
        head.close();
    }
}
