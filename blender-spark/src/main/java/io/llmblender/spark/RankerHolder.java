package io.llmblender.spark;

import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;

/**
 * One {@link PairRanker} per JVM, model directory and engine thread count: an executor loads a model the first time one of its tasks
 * asks for it and every later task on that executor (any partition, any core) reuses it, so a job with many
 * partitions loads each model once per executor, not once per partition.
 *
 * <p><b>Model locations.</b> {@link #resolve(String)} maps a location to a directory: {@code null}, blank or
 * {@value #DEFAULT} is the shipped ranker ({@link MiniLmRanker#directory()}); an existing directory path (a path
 * shared by all executors, or the name of an archive unpacked into the executor's working directory by
 * {@code spark-submit --archives}) is used as is; otherwise the location is looked up with
 * {@link SparkFiles#get(String)} (a directory added with {@code SparkContext.addFile(dir, true)} or {@code --files}).
 *
 * <p><b>Lifetime.</b> Rankers are never closed by this class: they live as long as the executor JVM, which is what a
 * Spark job wants. {@link #closeAll()} frees them (tests, a driver that ranks in local mode and goes on).
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use: concurrent tasks asking for the same directory get the same
 * ranker, loaded once; {@link PairRanker} itself is safe for concurrent calls.
 */
public final class RankerHolder {

    /** The location that names the shipped ranker. */
    public static final String DEFAULT = "default";

    private record Key(Path dir, int threads) {}

    private static final Map<Key, PairRanker> RANKERS = new ConcurrentHashMap<>();

    private RankerHolder() {}

    /**
     * The ranker of a model location, loaded with {@link PairRanker}'s defaults (one engine thread) on the first call
     * in this JVM.
     *
     * @param location a model location, see {@link #resolve(String)}; {@code null} for the shipped ranker
     * @return the JVM's ranker for that directory; the caller must not close it
     * @throws IllegalArgumentException if the location names no directory
     * @throws io.llmblender.core.error.ModelLoadException if the model cannot be loaded
     */
    public static PairRanker get(String location) {
        return get(location, 1);
    }

    /**
     * The ranker of a model location with a given engine thread count, loaded on the first call in this JVM for that
     * directory and count. For an ONNX model (the shipped ranker) the threads are the ranker's own pool; PyTorch's
     * thread count is process-wide, so for a TorchScript model the last load sets it for the JVM.
     *
     * @param location a model location, see {@link #resolve(String)}; {@code null} for the shipped ranker
     * @param threads the engine's intra-op threads, at least 1
     * @return the JVM's ranker for that directory and thread count; the caller must not close it
     * @throws IllegalArgumentException if the location names no directory, or {@code threads} is under 1
     * @throws io.llmblender.core.error.ModelLoadException if the model cannot be loaded
     */
    public static PairRanker get(String location, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        Path dir = resolve(location);
        return RANKERS.computeIfAbsent(
                new Key(dir, threads),
                key -> PairRanker.builder(key.dir()).threads(key.threads()).build());
    }

    /**
     * The model directory a location names, as described in the class comment.
     *
     * @param location a path, a name shipped with the job, {@value #DEFAULT}, or {@code null}
     * @return the directory, absolute and normalized
     * @throws IllegalArgumentException if the location names no directory
     */
    public static Path resolve(String location) {
        if (location == null || location.isBlank() || DEFAULT.equals(location)) {
            return MiniLmRanker.directory().toAbsolutePath().normalize();
        }
        return resolveDirectory(location, "ranker");
    }

    /**
     * A directory path, or a directory shipped with the job under that name.
     *
     * @param location a path or a shipped name
     * @param what what the directory holds, for the error message
     * @return the directory, absolute and normalized
     * @throws IllegalArgumentException if the location names no directory
     */
    static Path resolveDirectory(String location, String what) {
        Path direct = Path.of(location);
        if (Files.isDirectory(direct)) {
            return direct.toAbsolutePath().normalize();
        }
        String shipped;
        try {
            shipped = SparkFiles.get(location);
        } catch (RuntimeException e) {
            shipped = null;
        }
        if (shipped != null && Files.isDirectory(Path.of(shipped))) {
            return Path.of(shipped).toAbsolutePath().normalize();
        }
        throw new IllegalArgumentException("no " + what + " directory at " + location
                + " (neither a directory on this machine nor a directory shipped with the job"
                + (shipped == null ? "" : " at " + shipped) + ")");
    }

    /** Closes and forgets every ranker this JVM loaded; a later {@link #get(String)} loads afresh. */
    public static void closeAll() {
        for (Key key : List.copyOf(RANKERS.keySet())) {
            PairRanker ranker = RANKERS.remove(key);
            if (ranker != null) {
                Objects.requireNonNull(ranker).close();
            }
        }
    }
}
