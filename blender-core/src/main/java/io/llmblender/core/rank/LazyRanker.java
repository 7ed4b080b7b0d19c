package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A ranker created on its first use: the supplier runs on the first call that scores (once, even under concurrent
 * calls), so that a model nobody asks for is never loaded. This ranker owns what the supplier returned and closes it
 * in {@link #close()}. If the supplier throws, the exception reaches the caller of that call and the next call tries
 * again. After {@link #close()} every call that scores throws {@link IllegalStateException}.
 *
 * <p>Thread-safe when the created ranker is. {@link #name()} is the name given, known without loading.
 */
public final class LazyRanker implements Ranker {

    private final String name;
    private final Supplier<? extends Ranker> supplier;
    private final Object lock = new Object();
    private volatile Ranker ranker;
    private volatile boolean closed;

    /**
     * A ranker made by {@code supplier} on first use.
     *
     * @param name its name, for {@link #name()} before it is loaded, not blank
     * @param supplier creates the ranker, not null; called at most once successfully
     */
    public LazyRanker(String name, Supplier<? extends Ranker> supplier) {
        this.name = Require.nonBlank(name, "name");
        this.supplier = Require.nonNull(supplier, "supplier");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PairwiseMatrix score(PairQuery query) {
        return get().score(query);
    }

    @Override
    public PairwiseMatrix score(PairQuery query, Consumer<RankingCost> costs) {
        return get().score(query, costs);
    }

    @Override
    public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
        return get().scoreAll(queries);
    }

    /**
     * Whether the ranker has been created.
     *
     * @return true once it is loaded
     */
    public boolean loaded() {
        return ranker != null;
    }

    /**
     * The ranker, created now if it was not yet.
     *
     * @return the ranker
     * @throws IllegalStateException if this ranker is closed
     */
    public Ranker get() {
        Ranker r = ranker;
        if (r != null && !closed) {
            return r;
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("ranker '" + name + "' is closed");
            }
            if (ranker == null) {
                ranker = Objects.requireNonNull(supplier.get(), "the supplier of ranker '" + name + "' returned null");
            }
            return ranker;
        }
    }

    /** Closes the created ranker, if any. Idempotent. */
    @Override
    public void close() {
        Ranker r;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            r = ranker;
        }
        if (r != null) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the ranker " + name + " failed: " + e, e);
            }
        }
    }

    @Override
    public String toString() {
        return "LazyRanker[" + name + (loaded() ? ", loaded" : "") + "]";
    }
}
