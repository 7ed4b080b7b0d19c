package io.llmblender.router;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.check.Require;
import io.llmblender.core.error.BlenderException;
import io.llmblender.core.error.ModelLoadException;
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
import java.util.List;
import java.util.Set;

/**
 * Zooter's reward-guided router: a query encoder and a small head trained on soft labels
 * distilled from rewards, giving a distribution over the LLMs from the query alone.
 *
 * <p>{@link #train} encodes every training query once, builds the tag-enhanced soft labels
 * ({@link SoftLabels}) in the caller's explicit LLM order and trains the head
 * ({@link RouterHeadTrainer}); {@link #save} writes a router directory ({@value #FILE_NAME}: the
 * LLM names in order, the encoder id, the label settings; plus the head's files, see
 * {@link HeadFiles}, which store the same names) and {@link #load} reads it back, refusing another
 * encoder, a head whose stored LLM order differs from {@value #FILE_NAME}'s or, when asked, other
 * LLM names. Routers saved before the head stored its LLM names (head format 1) still load.
 *
 * <p><b>Thread-safety.</b> {@link #route} is safe for concurrent use. <b>Ownership.</b> The router
 * owns its head and closes it; it never closes the encoder it was given. {@link #close()} lets
 * the routes in flight finish; later routes throw {@link IllegalStateException}.
 */
public final class ZooterRouter implements Router {

    /** The router's own file in a router directory. */
    public static final String FILE_NAME = "router.json";

    private static final String FORMAT = "blender-router/1";

    private final QueryEncoder encoder;
    private final RouterHead head;
    private final SoftLabels labels;

    private ZooterRouter(QueryEncoder encoder, RouterHead head, SoftLabels labels) {
        this.encoder = encoder;
        this.head = head;
        this.labels = labels;
    }

    /**
     * Trains a router on reward records.
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
        List<String> names = List.copyOf(llmNames);
        List<String> queries = new ArrayList<>(records.size());
        for (RewardRecord record : records) {
            queries.add(record.query());
        }
        float[][] embeddings = encoder.encode(queries);
        double[][] targets = labels.labels(records, names).toArray(double[][]::new);
        return new ZooterRouter(encoder, RouterHeadTrainer.train(embeddings, targets, names, config), labels);
    }

    /**
     * Loads a router directory written by {@link #save}.
     *
     * @param dir the router directory
     * @param encoder the encoder it was trained with (its {@link QueryEncoder#id()} must match)
     * @param expectedLlmNames the LLM names the caller will route between, in any order, or
     *     {@code null} to accept the saved ones
     * @return the router
     * @throws ModelLoadException naming the file and the problem, including a different encoder, a
     *     router trained for other LLMs, or a head whose stored LLM names differ from
     *     {@value #FILE_NAME}'s
     */
    public static ZooterRouter load(Path dir, QueryEncoder encoder, List<String> expectedLlmNames) {
        Require.nonNull(dir, "dir");
        Require.nonNull(encoder, "encoder");
        ConfigFile in = ConfigFile.read(
                dir,
                FILE_NAME,
                "train and save a router with ZooterRouter.train",
                Set.of("format", "llm_names", "encoder", "temperature", "beta"));
        if (!FORMAT.equals(in.text("format", null))) {
            throw in.error("field 'format' must be \"" + FORMAT + "\", found \"" + in.text("format", null) + "\"");
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
        return new ZooterRouter(encoder, head, labels);
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
     * Routes a query: the encoder's vector through the head.
     *
     * @param query the query
     * @return the distribution over the LLMs, the chosen one and its confidence
     */
    @Override
    public RouteDecision route(String query) {
        Require.nonNull(query, "query");
        return RouteDecision.of(head.llms(), head.distribution(encoder.encode(List.of(query))[0]));
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
