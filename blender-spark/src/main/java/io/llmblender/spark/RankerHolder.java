package io.llmblender.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.Ranker;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.ranker.minilm.MiniLmRewardRanker;
import io.llmblender.ranker.names.RankerNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;

/**
 * One {@link Ranker} per JVM, ranker name and engine thread count: an executor makes a ranker the first time one of
 * its tasks asks for that name and every later task on that executor (any partition, any core) reuses it, so a job
 * with many partitions loads each model once per executor, not once per partition.
 *
 * <p><b>Ranker names.</b> The names {@code blender rank --ranker} accepts, made by {@link RankerNames#resolve}: {@code
 * default} (also for {@code null} or blank), {@code consensus} and its variants, {@code length}, {@code
 * combined:FILE}, an exported PairRanker directory, and whatever else {@link RankerNames} takes. Before the name goes
 * to {@link RankerNames}, a directory that does not exist on this machine is looked up with {@link SparkFiles#get}
 * (one added with {@code SparkContext.addFile(dir, true)} or {@code --files}), and so is the file of {@code
 * combined:FILE}; a directory unpacked into the executor's working directory by {@code spark-submit --archives} is a
 * directory on this machine. Refused, with the option and value named ({@link #check}): {@code none} (a job needs a
 * ranker) and {@code judge:NAME}, also inside a combination file (a judge needs an LLM client configured on every
 * executor, which a Spark job does not carry).
 *
 * <p><b>Threads.</b> A thread count above 1 is the PairRanker engine's intra-op threads, so it needs a PairRanker
 * directory; other names are made with their own defaults and refuse it.
 *
 * <p><b>Lifetime.</b> Rankers are never closed by this class: they live as long as the executor JVM, which is what a
 * Spark job wants. {@link #closeAll()} frees them (tests, a driver that ranks in local mode and goes on).
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use: concurrent tasks asking for the same name get the same ranker,
 * made once; every ranker {@link RankerNames} makes is safe for concurrent calls.
 */
public final class RankerHolder {

    /** The name of the default ranker, whichever {@link RankerNames} makes for it. */
    public static final String DEFAULT = "default";

    /** What messages call the setting, as the jobs' option. */
    static final String OPTION = "--ranker";

    /** A name as given (stripped; {@value #DEFAULT} for none), so that a task's lookup touches no file. */
    private record Key(String name, int threads) {}

    /** A ranker and everything made for it, in creation order, to close in reverse. */
    private record Held(Ranker ranker, List<AutoCloseable> made) {}

    private static final Map<Key, Held> RANKERS = new ConcurrentHashMap<>();

    private RankerHolder() {}

    /**
     * The ranker a name stands for, made with its defaults on the first call in this JVM.
     *
     * @param name a ranker name, see the class comment; {@code null} for {@value #DEFAULT}
     * @return the JVM's ranker for that name; the caller must not close it
     * @throws IllegalArgumentException naming {@value #OPTION} and the value when the name is refused or names
     *     nothing
     * @throws io.llmblender.core.error.ModelLoadException if a model cannot be loaded
     */
    public static Ranker get(String name) {
        return get(name, 1);
    }

    /**
     * The ranker a name stands for, with a given engine thread count, made on the first call in this JVM for that
     * name and count. With more than one thread the name must be a PairRanker directory: for an ONNX model the
     * threads are the ranker's own pool; PyTorch's thread count is process-wide, so for a TorchScript model the last
     * load sets it for the JVM.
     *
     * @param name a ranker name, see the class comment; {@code null} for {@value #DEFAULT}
     * @param threads the engine's intra-op threads, at least 1
     * @return the JVM's ranker for that name and thread count; the caller must not close it
     * @throws IllegalArgumentException naming {@value #OPTION} and the value when the name is refused or names
     *     nothing, or when {@code threads} is under 1, or above 1 for a name that is no PairRanker directory
     * @throws io.llmblender.core.error.ModelLoadException if a model cannot be loaded
     */
    public static Ranker get(String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        String v = name == null || name.isBlank() ? DEFAULT : name.strip();
        Held held = RANKERS.get(new Key(v, threads));
        if (held != null) {
            return held.ranker();
        }
        return RANKERS.computeIfAbsent(new Key(v, threads), key -> {
                    check(key.name(), key.threads());
                    return make(locate(key.name()), key.threads());
                })
                .ranker();
    }

    /**
     * Checks a ranker name without loading anything or looking at the executors, as a job does before Spark starts:
     * refuses {@code none}, {@code judge:NAME} (also inside a {@code combined:FILE} file that exists here) and, with
     * more than one thread, {@value #DEFAULT} and the {@code prefix:} names, which are no PairRanker directory.
     * Directories and other names are left to the executors, where a directory shipped with the job exists.
     *
     * @param name the ranker name, {@code null} for {@value #DEFAULT}
     * @param threads the engine threads asked for
     * @throws IllegalArgumentException naming {@value #OPTION} and the value, saying why
     */
    public static void check(String name, int threads) {
        String v = name == null || name.isBlank() ? DEFAULT : name.strip();
        if (v.equals("none")) {
            throw new IllegalArgumentException(OPTION + " none: a Spark job needs a ranker; accepted: " + accepted());
        }
        if (v.startsWith("judge:")) {
            throw new IllegalArgumentException(OPTION + " '" + v + "': " + JUDGE_REFUSED);
        }
        if (v.startsWith("combined:")) {
            refuseJudges(v, Path.of(v.substring("combined:".length())));
        }
        if (threads > 1 && !Files.isDirectory(Path.of(v)) && (v.equals(DEFAULT) || v.contains(":"))) {
            throw new IllegalArgumentException(threadsRefused(v, threads));
        }
    }

    /** The PairRanker directory of a shipped name or a directory, or null for any other name. */
    private static Path shippedPairRanker(String v) {
        return switch (v) {
            case "reward" -> MiniLmRewardRanker.directory();
            case "minilm" -> MiniLmRanker.directory();
            default -> Files.isDirectory(Path.of(v)) ? Path.of(v) : null;
        };
    }

    private static final String JUDGE_REFUSED = "judge rankers are not available in Spark jobs (a judge needs an LLM"
            + " client configured on every executor); rank with a judge through blender rank, blend or serve";

    /** RankerNames' accepted forms less the two a job refuses. */
    private static String accepted() {
        return RankerNames.ACCEPTED.replace("none, ", "").replace("judge:NAME, ", "");
    }

    private static String threadsRefused(String v, int threads) {
        return "--threads " + threads + ": engine threads are a setting of a PairRanker, and " + OPTION + " '" + v
                + "' is not one (give --threads 1, reward, minilm, or the directory of an exported PairRanker)";
    }

    /** Refuses a combination file here that lists a judge; one that is not here is left to the executors. */
    private static void refuseJudges(String value, Path file) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            return; // RankerNames reports an unreadable file with its reason
        }
        JsonNode rankers = root == null ? null : root.get("rankers");
        if (rankers != null && rankers.isArray()) {
            for (int k = 0; k < rankers.size(); k++) {
                if (rankers.get(k).asText().strip().startsWith("judge:")) {
                    throw new IllegalArgumentException(OPTION + " '" + value + "': " + file + " rankers[" + k + "] '"
                            + rankers.get(k).asText() + "': " + JUDGE_REFUSED);
                }
            }
        }
    }

    /**
     * The name as {@link RankerNames} should see it: {@value #DEFAULT} for {@code null} or blank; a directory, or the
     * file of {@code combined:FILE}, that is not on this machine but shipped with the job replaced by the shipped
     * copy's absolute path; anything else unchanged.
     */
    private static String locate(String name) {
        String v = name == null || name.isBlank() ? DEFAULT : name.strip();
        if (v.startsWith("combined:")) {
            String file = v.substring("combined:".length());
            String shipped = Files.isRegularFile(Path.of(file)) ? null : shipped(file);
            return shipped != null && Files.isRegularFile(Path.of(shipped)) ? "combined:" + shipped : v;
        }
        if (v.contains(":") || Files.isDirectory(Path.of(v))) {
            return v;
        }
        String shipped = shipped(v);
        return shipped != null && Files.isDirectory(Path.of(shipped))
                ? Path.of(shipped).toAbsolutePath().normalize().toString()
                : v;
    }

    /** Where SparkFiles keeps a file of that name, or null outside a Spark JVM. */
    private static String shipped(String name) {
        try {
            return SparkFiles.get(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Held make(String v, int threads) {
        List<AutoCloseable> made = new ArrayList<>();
        try {
            Ranker ranker;
            if (threads > 1) {
                Path dir = shippedPairRanker(v);
                if (dir == null) {
                    throw new IllegalArgumentException(threadsRefused(v, threads));
                }
                ranker = PairRanker.builder(dir).threads(threads).build();
                made.add(ranker);
            } else {
                try {
                    ranker = RankerNames.resolve(v, OPTION, Map.of(), made);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            e.getMessage().replace("accepted: " + RankerNames.ACCEPTED, "accepted: " + accepted()), e);
                }
            }
            return new Held(ranker, List.copyOf(made));
        } catch (RuntimeException e) {
            close(made);
            throw e;
        }
    }

    /**
     * The directory of an exported PairRanker a location names: {@code null}, blank or {@value #DEFAULT} is the
     * shipped PairRanker's ({@link MiniLmRanker#directory()}), a directory is used as is, and otherwise the location
     * is looked up with {@link SparkFiles#get(String)}. For code that loads a {@link PairRanker} itself (the
     * benchmarks); the jobs take ranker names ({@link #get(String, int)}).
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
        String shipped = shipped(location);
        if (shipped != null && Files.isDirectory(Path.of(shipped))) {
            return Path.of(shipped).toAbsolutePath().normalize();
        }
        throw new IllegalArgumentException("no " + what + " directory at " + location
                + " (neither a directory on this machine nor a directory shipped with the job"
                + (shipped == null ? "" : " at " + shipped) + ")");
    }

    /** Closes and forgets every ranker this JVM made; a later {@link #get(String)} makes afresh. */
    public static void closeAll() {
        for (Key key : List.copyOf(RANKERS.keySet())) {
            Held held = RANKERS.remove(key);
            if (held != null) {
                close(held.made());
            }
        }
    }

    private static void close(List<AutoCloseable> made) {
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                made.get(i).close();
            } catch (Exception e) {
                // closing is best effort; the other rankers still close
            }
        }
    }
}
