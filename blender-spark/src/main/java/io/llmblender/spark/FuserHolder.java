package io.llmblender.spark;

import io.llmblender.fuser.GenFuser;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link GenFuser} per JVM, model directory and token budget, as {@link RankerHolder} keeps rankers: an executor
 * loads a fuser the first time one of its tasks asks for it and every later task reuses it.
 *
 * <p><b>Model locations.</b> As {@link RankerHolder#resolve(String)}, except that there is no shipped fuser: a location
 * is a directory path (shared, or unpacked by {@code --archives}) or a name shipped with {@code --files} /
 * {@code SparkContext.addFile(dir, true)}.
 *
 * <p><b>Lifetime.</b> Fusers live as long as the JVM; {@link #closeAll()} frees them.
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use; {@link GenFuser} is safe for concurrent calls.
 */
public final class FuserHolder {

    private record Key(Path dir, int maxNewTokens) {}

    private static final Map<Key, GenFuser> FUSERS = new ConcurrentHashMap<>();

    private FuserHolder() {}

    /**
     * The JVM's fuser for a location, loaded with {@link GenFuser}'s defaults (beam search, one PyTorch thread) on the
     * first call.
     *
     * @param location a directory or a shipped name, not null
     * @param maxNewTokens the most tokens a fusion generates, or 0 for the fuser's default (128)
     * @return the fuser; the caller must not close it
     * @throws IllegalArgumentException if the location names no directory
     * @throws io.llmblender.core.error.ModelLoadException if the model cannot be loaded
     */
    public static GenFuser get(String location, int maxNewTokens) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("a fuser needs a model directory; there is no shipped fuser");
        }
        Path dir = RankerHolder.resolveDirectory(location, "fuser");
        return FUSERS.computeIfAbsent(new Key(dir, maxNewTokens), key -> {
            GenFuser.Builder builder = GenFuser.builder(key.dir());
            if (key.maxNewTokens() > 0) {
                builder.maxNewTokens(key.maxNewTokens());
            }
            return builder.build();
        });
    }

    /** Closes and forgets every fuser this JVM loaded. */
    public static void closeAll() {
        for (Key key : List.copyOf(FUSERS.keySet())) {
            GenFuser fuser = FUSERS.remove(key);
            if (fuser != null) {
                fuser.close();
            }
        }
    }
}
