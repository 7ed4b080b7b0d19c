package io.llmblender.ranker.minilm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.error.ModelLoadException;
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
 * A ranker directory that travels inside this jar (a {@code files.json} listing each file's size and sha256, the files
 * beside it), unpacked once into a cache directory because DJL loads a model from a directory.
 *
 * <p>Cache directory: {@code $BLENDER_CACHE_DIR} if set, else the system property {@code blender.cache.dir}, else
 * {@code ~/.cache/llm-blender-jvm}; the model goes to {@code rankers/<name>-<hash>} below it, the hash taken from the
 * file list, so a new model never reuses an old directory. Unpacking writes to a temporary directory, checks every
 * file's size and sha256, then moves it into place atomically: concurrent first calls (in threads or processes) are
 * safe, and a half-written directory is never used. Later calls only check that the directory is there.
 *
 * <p>Thread-safe; holds no state besides the directory of the first successful unpack.
 */
final class BundledModel {

    private static final String LIST = "files.json";

    private final String root;
    private final String name;
    private final String sources;
    private volatile Path unpacked;

    /**
     * @param root the class-path directory of the files, with leading and trailing {@code /}
     * @param name the model's name, the start of its cache directory's name
     * @param sources the repository directory the jar's files come from, for the error of a jar built without them
     */
    BundledModel(String root, String name, String sources) {
        this.root = root;
        this.name = name;
        this.sources = sources;
    }

    /** The unpacked directory, unpacked below the cache directory on the first call. */
    Path directory() {
        Path dir = unpacked;
        if (dir == null) {
            synchronized (this) {
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
     * @throws ModelLoadException if the jar lacks a file, a file does not match its recorded size or sha256, or the
     *     directory cannot be written (the message names the file or directory)
     */
    Path unpack(Path cacheRoot) {
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
            throw new ModelLoadException(root + LIST + " in the jar is not JSON: " + e.getMessage(), e);
        }
        if (!files.containsKey("ranker_config.json")) {
            throw new ModelLoadException(root + LIST + " in the jar does not list ranker_config.json");
        }
        Path target =
                cacheRoot.resolve("rankers").resolve(name + "-" + sha256(list).substring(0, 12));
        if (Files.isRegularFile(target.resolve("ranker_config.json"))) {
            return target;
        }
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempDirectory(target.getParent(), name + ".tmp");
            for (Map.Entry<String, String[]> file : files.entrySet()) {
                byte[] data = resource(file.getKey());
                if (!String.valueOf(data.length).equals(file.getValue()[0])
                        || !sha256(data).equals(file.getValue()[1])) {
                    throw new ModelLoadException(root + file.getKey() + " in the jar does not match " + LIST
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
            throw new ModelLoadException("cannot unpack the shipped ranker " + name + " into " + target + ": " + e, e);
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

    private byte[] resource(String file) {
        try (InputStream in = BundledModel.class.getResourceAsStream(root + file)) {
            if (in == null) {
                throw new ModelLoadException(
                        "the jar lacks " + root + file + " (blender-ranker-minilm was built without " + sources + ")");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + root + file + " from the jar: " + e, e);
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
