package io.llmblender.router.head;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.check.Require;
import io.llmblender.core.error.BlenderException;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.djl.ConfigFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Saves and loads a {@link RouterHead}: two files in a directory, {@value #CONFIG_FILE} and
 * {@value #PARAMS_FILE}. Other files in the directory (a router's {@code router.json}) are left
 * alone. Stateless and thread-safe.
 *
 * <h2>{@value #CONFIG_FILE}</h2>
 *
 * A UTF-8 JSON object with exactly these fields (any other field is an error):
 *
 * <table>
 *   <caption>Fields of {@value #CONFIG_FILE}</caption>
 *   <tr><th>field</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code format}</td><td>integer</td><td>the format version: {@value #FORMAT} is written;
 *       1 and 2 are read</td></tr>
 *   <tr><td>{@code dim}</td><td>integer &ge; 1</td><td>the embedding length</td></tr>
 *   <tr><td>{@code hidden}</td><td>integer in {@code [1, 65536]}</td><td>the hidden width; equal to
 *       {@code config.hidden}</td></tr>
 *   <tr><td>{@code n}</td><td>integer &ge; 2</td><td>the number of LLMs (outputs)</td></tr>
 *   <tr><td>{@code llms}</td><td>array of {@code n} strings</td><td>format 2 only (required there,
 *       refused in format 1): the LLM names, distinct and not blank, in the order of the head's
 *       outputs ({@link RouterHead#llms()})</td></tr>
 *   <tr><td>{@code config}</td><td>object</td><td>the training settings, the {@link HeadConfig}
 *       components by name: integers {@code hidden}, {@code epochs}, {@code batchSize},
 *       {@code patience}, {@code seed} (a long); numbers {@code dropout}, {@code learningRate},
 *       {@code weightDecay}, {@code validationShare}; each within the range {@link HeadConfig}
 *       documents</td></tr>
 *   <tr><td>{@code metrics}</td><td>object</td><td>what training achieved, the
 *       {@link TrainingMetrics} components by name: integers {@code epochsRun}, {@code bestEpoch},
 *       {@code trainRows}, {@code validationRows}; number {@code trainLoss}; numbers or
 *       {@code null} (for NaN, no validation split) {@code validationLoss},
 *       {@code validationAccuracy}; boolean {@code stoppedEarly}</td></tr>
 * </table>
 *
 * <h2>{@value #PARAMS_FILE}</h2>
 *
 * Binary, little-endian throughout, the same in formats 1 and 2:
 * <ol>
 *   <li>a 16-byte header of four 32-bit integers: the magic number {@code 0x5A484431} (the bytes
 *       {@code 31 44 48 5A} on disk), {@code dim}, {@code hidden}, {@code n}, which must equal
 *       those of {@value #CONFIG_FILE};</li>
 *   <li>the float32 weights, row-major, with nothing between or after them:
 *       {@code W1 [hidden x dim]}, {@code b1 [hidden]}, {@code W2 [n x hidden]}, {@code b2 [n]},
 *       for {@code logits = W2 relu(W1 x + b1) + b2}; every weight finite.</li>
 * </ol>
 * The file is thus exactly {@code 16 + 4 * (hidden * dim + hidden + n * hidden + n)} bytes.
 *
 * <h2>Versions</h2>
 *
 * Format 1 (written before the LLM order was stored with the head) has no {@code llms} field: the
 * names live only in the enclosing router's {@code router.json}, so a format-1 head loads through
 * {@link #load(Path, List)} with the names in output order. Format 2 adds {@code llms} and is
 * otherwise identical. A later format is refused with an error naming both versions; a reader of
 * format {@code k} reads every format up to {@code k}.
 */
public final class HeadFiles {

    /** The JSON file: format, sizes, LLM names, settings and metrics. */
    public static final String CONFIG_FILE = "head.json";
    /** The binary file: the weights. */
    public static final String PARAMS_FILE = "head.params";
    /** The format {@link #save} writes. */
    public static final int FORMAT = 2;

    /** The format without {@code llms}. */
    private static final int FORMAT_WITHOUT_LLMS = 1;

    private static final int MAGIC = 0x5A484431; // "ZHD1"
    private static final int HEADER_BYTES = 4 * 4;
    private static final Set<String> FIELDS = Set.of("format", "dim", "hidden", "n", "llms", "config", "metrics");

    private HeadFiles() {}

    /**
     * Writes {@value #CONFIG_FILE} (format {@value #FORMAT}) and {@value #PARAMS_FILE} into a
     * directory, creating it if needed and replacing these two files; other files in it are left
     * alone. Works on a closed head too, since the weights are also held on the Java heap.
     *
     * @param head the head
     * @param dir the directory
     * @throws NullPointerException if an argument is null
     * @throws BlenderException naming the directory if the directory or a file cannot be written
     */
    public static void save(RouterHead head, Path dir) {
        Require.nonNull(head, "head");
        Require.nonNull(dir, "dir");
        HeadConfig config = head.config();
        TrainingMetrics metrics = head.metrics();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.put("dim", head.dim());
        root.put("hidden", config.hidden());
        root.put("n", head.size());
        ArrayNode llms = root.putArray("llms");
        head.llms().forEach(llms::add);
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
            try (OutputStream out = Files.newOutputStream(dir.resolve(CONFIG_FILE))) {
                mapper.writerWithDefaultPrettyPrinter().writeValue(out, root);
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(PARAMS_FILE)))) {
                ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                header.putInt(MAGIC).putInt(head.dim()).putInt(config.hidden()).putInt(head.size());
                out.write(header.array());
                for (float[] tensor : head.weights()) {
                    ByteBuffer bytes =
                            ByteBuffer.allocate(tensor.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    bytes.asFloatBuffer().put(tensor);
                    out.write(bytes.array());
                }
            }
        } catch (IOException e) {
            throw new BlenderException("cannot write the router head to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a head whose files store its LLM names (format 2, what {@link #save} writes).
     *
     * @param dir the directory
     * @return the head, which the caller must close
     * @throws NullPointerException if {@code dir} is null
     * @throws ModelLoadException as {@link #load(Path, List)} does, and for a format-1 file, which
     *     does not store the LLM names
     */
    public static RouterHead load(Path dir) {
        return load(dir, null);
    }

    /**
     * Loads a head from {@value #CONFIG_FILE} and {@value #PARAMS_FILE} in a directory.
     *
     * @param dir the directory
     * @param llms the LLM names in the order of the head's outputs, or {@code null}: required for a
     *     format-1 file, which does not store them (they become the head's {@link RouterHead#llms()});
     *     for a format-2 file, when given, they must equal the stored names in the same order
     * @return the head, which the caller must close
     * @throws NullPointerException if {@code dir} is null, or a name in {@code llms} is
     * @throws ModelLoadException naming the file and the problem (and the field, for a bad field)
     *     when a file is missing, unreadable, not valid JSON, lacks or has unknown or out-of-range
     *     fields, has a format this version does not read, stores other LLM names than
     *     {@code llms} or a number of names other than {@code n}; when the weights file is
     *     truncated, too long, has a wrong header, sizes that differ from {@value #CONFIG_FILE} or
     *     non-finite weights
     */
    public static RouterHead load(Path dir, List<String> llms) {
        Require.nonNull(dir, "dir");
        ConfigFile file = ConfigFile.read(dir, CONFIG_FILE, "written by HeadFiles.save", FIELDS);
        int format = file.integer("format", 1, Integer.MAX_VALUE);
        if (format > FORMAT) {
            throw file.error(
                    "has format " + format + "; this version reads formats " + FORMAT_WITHOUT_LLMS + " to " + FORMAT);
        }
        int dim = file.integer("dim", 1, Integer.MAX_VALUE);
        int hidden = file.integer("hidden", 1, HeadConfig.MAX_HIDDEN);
        int n = file.integer("n", 2, Integer.MAX_VALUE);
        JsonNode root = ConfigFile.readJson(file.file());
        List<String> names = readLlms(file, root.get("llms"), format, n, llms);
        HeadConfig config = readConfig(file, root.get("config"));
        if (config.hidden() != hidden) {
            throw file.error("field 'hidden' is " + hidden + " but config.hidden is " + config.hidden());
        }
        TrainingMetrics metrics = readMetrics(file, root.get("metrics"));
        float[][] weights = readWeights(dir.resolve(PARAMS_FILE), dim, hidden, n);
        try {
            return new RouterHead(names, dim, config, metrics, weights);
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot build the router head from " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------
    // head.json

    private static List<String> readLlms(ConfigFile file, JsonNode node, int format, int n, List<String> given) {
        List<String> expected = null;
        if (given != null) {
            expected = new ArrayList<>(given.size());
            for (int i = 0; i < given.size(); i++) {
                expected.add(Require.nonNull(given.get(i), "llms[" + i + "]"));
            }
        }
        if (format == FORMAT_WITHOUT_LLMS) {
            if (node != null) {
                throw file.error(
                        "has format " + format + ", which has no field 'llms'; format " + FORMAT + " stores them");
            }
            if (expected == null) {
                throw file.error("has format " + format + ", which does not store the LLM names; load it with"
                        + " HeadFiles.load(dir, llms), the names in output order (a router's router.json lists them)");
            }
            if (expected.size() != n
                    || new HashSet<>(expected).size() != n
                    || expected.stream().anyMatch(String::isBlank)) {
                throw file.error("has n " + n + " outputs but was given the LLM names " + expected + "; give " + n
                        + " distinct, non-blank names");
            }
            return List.copyOf(expected);
        }
        if (node == null || !node.isArray()) {
            throw file.error("field 'llms' must be an array of " + n + " LLM names, found " + node);
        }
        List<String> stored = new ArrayList<>(node.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode name = node.get(i);
            if (!name.isTextual() || name.textValue().isBlank()) {
                throw file.error("field 'llms[" + i + "]' must be a non-blank string, found " + name);
            }
            if (!seen.add(name.textValue())) {
                throw file.error("field 'llms' must hold distinct names, found \"" + name.textValue() + "\" twice");
            }
            stored.add(name.textValue());
        }
        if (stored.size() != n) {
            throw file.error("field 'llms' lists " + stored.size() + " LLMs " + stored + " but field 'n' is " + n);
        }
        if (expected != null && !expected.equals(stored)) {
            throw file.error("field 'llms' is " + stored + " but the head is asked to route between " + expected
                    + " in this order");
        }
        return List.copyOf(stored);
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

    private static void putNullable(ObjectNode node, String field, double value) {
        if (Double.isNaN(value)) {
            node.putNull(field);
        } else {
            node.put(field, value);
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

    private static double doubleField(ConfigFile file, JsonNode node, String prefix, String field, boolean nullable) {
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

    // ---------------------------------------------------------------------------------------
    // head.params

    private static float[][] readWeights(Path file, int dim, int hidden, int n) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + PARAMS_FILE + " in model directory " + file.getParent()
                    + " (written by HeadFiles.save)");
        }
        long[] sizes = HeadBlock.parameterSizes(dim, hidden, n);
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
            throw new ModelLoadException(
                    file + " is truncated: " + actual + " bytes, shorter than its " + HEADER_BYTES + "-byte header");
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
            throw new ModelLoadException(file + " holds weights for dim " + fileDim + ", hidden " + fileHidden + ", n "
                    + fileN + " but " + CONFIG_FILE + " says dim " + dim + ", hidden " + hidden + ", n " + n);
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
}
