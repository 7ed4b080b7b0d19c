package io.llmblender.router.encode;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link QueryEncoder} that remembers the vectors of the queries it has encoded, so that training
 * several routers on the same queries (cross-validation, a sweep of settings) or routing repeated
 * queries encodes each text once. The cache is bounded: past {@code maxEntries} the least recently
 * used vector is dropped. Queries not cached are encoded together in one call to the wrapped
 * encoder.
 *
 * <p>Vectors are returned as copies, so callers cannot change what is cached. The id and dimension
 * are the wrapped encoder's, so a router trained through the cache loads with the plain encoder.
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use; concurrent misses of the same query may encode
 * it twice. <b>Ownership.</b> {@link #close()} empties the cache and leaves the wrapped encoder
 * open: its creator closes it.
 */
public final class CachingEncoder implements QueryEncoder {

    private final QueryEncoder delegate;
    private final int maxEntries;
    private final Map<String, float[]> cache;

    private CachingEncoder(QueryEncoder delegate, int maxEntries) {
        this.delegate = delegate;
        this.maxEntries = maxEntries;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > CachingEncoder.this.maxEntries;
            }
        };
    }

    /**
     * Wraps an encoder.
     *
     * @param encoder the encoder that computes missing vectors; not closed by the wrapper
     * @param maxEntries how many vectors to keep, at least 1 (a 384-float vector takes about 1.6 kB)
     * @return the caching encoder
     * @throws IllegalArgumentException if {@code maxEntries < 1}
     */
    public static CachingEncoder wrap(QueryEncoder encoder, int maxEntries) {
        Require.nonNull(encoder, "encoder");
        return new CachingEncoder(encoder, Require.positive(maxEntries, "maxEntries"));
    }

    /** The wrapped encoder's id. */
    @Override
    public String id() {
        return delegate.id();
    }

    /** The wrapped encoder's dimension. */
    @Override
    public int dimension() {
        return delegate.dimension();
    }

    /**
     * Encodes queries, taking cached vectors where it has them and encoding the others in one call.
     *
     * @param queries the queries, none null
     * @return one vector per query, in order, each a fresh copy
     */
    @Override
    public float[][] encode(List<String> queries) {
        Require.nonNull(queries, "queries");
        float[][] out = new float[queries.size()][];
        List<String> missing = new ArrayList<>();
        List<Integer> missingAt = new ArrayList<>();
        synchronized (cache) {
            for (int i = 0; i < out.length; i++) {
                String query = Require.nonNull(queries.get(i), "queries[" + i + "]");
                float[] hit = cache.get(query);
                if (hit != null) {
                    out[i] = hit.clone();
                } else {
                    missing.add(query);
                    missingAt.add(i);
                }
            }
        }
        if (!missing.isEmpty()) {
            float[][] fresh = delegate.encode(missing);
            synchronized (cache) {
                for (int j = 0; j < fresh.length; j++) {
                    cache.put(missing.get(j), fresh[j].clone());
                    out[missingAt.get(j)] = fresh[j];
                }
            }
        }
        return out;
    }

    /**
     * How many vectors are cached now.
     *
     * @return the count, at most {@code maxEntries}
     */
    public int size() {
        synchronized (cache) {
            return cache.size();
        }
    }

    /** Empties the cache; the wrapped encoder stays open. Idempotent. */
    @Override
    public void close() {
        synchronized (cache) {
            cache.clear();
        }
    }

    @Override
    public String toString() {
        return "CachingEncoder[" + delegate.id() + ", max " + maxEntries + "]";
    }
}
