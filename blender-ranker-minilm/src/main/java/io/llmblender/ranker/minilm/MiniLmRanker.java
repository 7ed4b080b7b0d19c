package io.llmblender.ranker.minilm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.ranker.PairRanker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ranker this project ships today: <b>zero-shot</b> all-MiniLM-L6-v2 (Apache-2.0, 22.6M parameters), not trained on
 * preferences: the selected weights are step 0 of a fine-tuning run, with the pair head at zero, so the answer whose
 * embedding is closer to the prompt's wins (see {@code MODEL_CARD.md} in the jar and in {@code models/minilm-ranker/}).
 * On a dev set of six human-judged sources it agrees with people less often than "the longer answer wins" (0.539
 * against 0.563, macro mean; README, Performance); for three or more answers the label-free {@code consensus} ranker
 * picks far better.
 * It reads PairRM's input row ({@code <|source|>}, {@code <|candidate1|>}, {@code <|candidate2|>} segments, 64 tokens
 * of prompt and 128 of each answer) in one pass, but each segment attends only within itself, so every text is
 * encoded as MiniLM encodes it alone; its logit is the difference of two scores, each from the prompt's and one
 * answer's mean-pooled embeddings (their cosine plus a pair head, zero in the shipped weights). It therefore keeps PairRM's contract,
 * {@code logit(i, j) = -logit(j, i)} up to rounding, and plugs into every aggregation of {@link PairRanker}. The
 * model files travel inside this jar, as LangChain4j's in-process embedding models do, and are unpacked once into a
 * cache directory, because DJL loads a model from a directory:
 *
 * <pre>{@code
 * try (PairRanker ranker = MiniLmRanker.load()) {
 *     Ranking ranking = ranker.rank("How do I treat a cold?", answers);
 * }
 * }</pre>
 *
 * <p>Cache directory: {@code $BLENDER_CACHE_DIR} if set, else the system property {@code blender.cache.dir}, else
 * {@code ~/.cache/llm-blender-jvm}; the model goes to {@code rankers/<name>-<hash>} below it, the hash taken from the
 * file list with each file's sha256, so a new model never reuses an old directory. Unpacking writes to a temporary
 * directory, checks every file's size and sha256, then moves it into place atomically: concurrent first calls (in
 * threads or processes) are safe, and a half-written directory is never used. Later calls only check that the
 * directory is there.
 *
 * <p>Thread-safe; holds no state besides the directory of the first successful unpack.
 */
public final class MiniLmRanker {

    /** The model's name, as {@link PairRanker#name()} reports it. */
    public static final String NAME = "blender-minilm-pairranker";

    private static final String ROOT = "/io/llmblender/ranker/minilm/model/";
    private static final String LIST = "files.json";

    private static volatile Path unpacked;

    private MiniLmRanker() {}

    /**
     * Loads the shipped ranker with {@link PairRanker}'s defaults.
     *
     * @return a new ranker; the caller closes it
     * @throws ModelLoadException if the model cannot be unpacked or loaded (the message names the file)
     */
    public static PairRanker load() {
        return PairRanker.load(directory());
    }

    /**
     * The directory holding the shipped model ({@code ranker_config.json}, {@code tokenizer.json}, the
     * encoder files and {@code head.bin}), unpacked from the jar on the first call, for {@link PairRanker#builder(Path)} when a
     * setting other than the defaults is wanted.
     *
     * @return the model directory
     * @throws ModelLoadException if the jar lacks a model file, a file does not match its recorded size or sha256,
     *     or the cache directory cannot be written (the message names the file or directory)
     */
    public static Path directory() {
        Path dir = unpacked;
        if (dir == null) {
            synchronized (MiniLmRanker.class) {
                dir = unpacked;
                if (dir == null) {
                    dir = unpack(cacheRoot());
                    unpacked = dir;
                }
            }
        }
        return dir;
    }

    /**
     * Unpacks the model below {@code cacheRoot} (into {@code rankers/<name>-<hash>}), or finds it there.
     *
     * @param cacheRoot the cache directory
     * @return the model directory
     * @throws ModelLoadException as {@link #directory()}
     */
    static Path unpack(Path cacheRoot) {
        byte[] list = resource(LIST);
        Map<String, String[]> files = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonNode> e :
                    new ObjectMapper().readTree(list).path("files").properties()) {
                files.put(e.getKey(), new String[] {
                    e.getValue().path("bytes").asText(),
                    e.getValue().path("sha256").asText()
                });
            }
        } catch (IOException e) {
            throw new ModelLoadException(ROOT + LIST + " in the jar is not JSON: " + e.getMessage(), e);
        }
        if (!files.containsKey("ranker_config.json")) {
            throw new ModelLoadException(ROOT + LIST + " in the jar does not list ranker_config.json");
        }
        Path target =
                cacheRoot.resolve("rankers").resolve(NAME + "-" + sha256(list).substring(0, 12));
        if (Files.isRegularFile(target.resolve("ranker_config.json"))) {
            return target;
        }
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempDirectory(target.getParent(), NAME + ".tmp");
            for (Map.Entry<String, String[]> file : files.entrySet()) {
                byte[] data = resource(file.getKey());
                if (!String.valueOf(data.length).equals(file.getValue()[0])
                        || !sha256(data).equals(file.getValue()[1])) {
                    throw new ModelLoadException(ROOT + file.getKey() + " in the jar does not match " + LIST
                            + " (expected " + file.getValue()[0] + " bytes, sha256 " + file.getValue()[1] + ")");
                }
                Files.write(tmp.resolve(file.getKey()), data);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.isRegularFile(target.resolve("ranker_config.json"))) {
                    throw e;
                }
            } catch (IOException e) {
                // Another process won the race: a non-empty target cannot be replaced.
                if (!Files.isRegularFile(target.resolve("ranker_config.json"))) {
                    throw e;
                }
            }
            return target;
        } catch (IOException e) {
            throw new ModelLoadException("cannot unpack the shipped ranker into " + target + ": " + e, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static Path cacheRoot() {
        String env = System.getenv("BLENDER_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String prop = System.getProperty("blender.cache.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "llm-blender-jvm");
    }

    private static byte[] resource(String name) {
        try (InputStream in = MiniLmRanker.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new ModelLoadException("the jar lacks " + ROOT + name
                        + " (blender-ranker-minilm was built without models/minilm-ranker)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + ROOT + name + " from the jar: " + e, e);
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temporary directory is harmless: it is never used as the model directory
        }
    }
}
