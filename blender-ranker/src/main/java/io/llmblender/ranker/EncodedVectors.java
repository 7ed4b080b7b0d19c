package io.llmblender.ranker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.ranker.internal.MicroBatches;
import io.llmblender.ranker.internal.PairModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The vectors an encoder returns for rows of token ids, as the segment and the reward rankers use them: each row is
 * looked up in a bounded cache keyed by its exact ids, the missing ones are packed into micro-batches
 * ({@link MicroBatches#pack}) and encoded, and every value is checked to be finite. A cached vector is the one the
 * model computed, so results do not depend on the cache.
 *
 * <p>Thread-safe: the model pool and the cache are.
 */
final class EncodedVectors {

    /** Token ids with value equality, the cache key. */
    @SuppressWarnings("ArrayRecordComponent") // equals and hashCode below compare the contents
    record Ids(long[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ids other && Arrays.equals(ids, other.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return "Ids[" + ids.length + " tokens]";
        }
    }

    private final PairModel model;
    private final String what;
    private final long padId;
    private final int width;
    private final int tokenBudget;
    private final int maxRows;
    private final Cache<Ids, float[]> cache;

    /**
     * @param model the encoder
     * @param what the encoder's name in error messages, e.g. "the segment encoder"
     * @param padId the id rows are padded with
     * @param width the vector width
     * @param tokenBudget the most padded tokens per encoder batch
     * @param maxRows the most rows per encoder batch (1 for a dynamically quantized model)
     * @param cacheSize the most cached vectors, 0 for none
     */
    EncodedVectors(PairModel model, String what, long padId, int width, int tokenBudget, int maxRows, int cacheSize) {
        this.model = model;
        this.what = what;
        this.padId = padId;
        this.width = width;
        this.tokenBudget = tokenBudget;
        this.maxRows = maxRows;
        this.cache =
                cacheSize > 0 ? Caffeine.newBuilder().maximumSize(cacheSize).build() : null;
    }

    /**
     * The vectors of the rows: from the cache, else encoded in packed batches (and cached).
     *
     * @param rows the rows, each a distinct key
     * @return one vector per row, in order
     * @throws InferenceException if the encoder returns a non-finite value
     */
    float[][] of(List<Ids> rows) {
        float[][] out = new float[rows.size()][];
        List<Integer> missing = new ArrayList<>();
        for (int t = 0; t < rows.size(); t++) {
            out[t] = cache == null ? null : cache.getIfPresent(rows.get(t));
            if (out[t] == null) {
                missing.add(t);
            }
        }
        List<long[]> todo = new ArrayList<>(missing.size());
        int[] lengths = new int[missing.size()];
        for (int m = 0; m < lengths.length; m++) {
            todo.add(rows.get(missing.get(m)).ids());
            lengths[m] = todo.get(m).length;
        }
        for (int[] batch : MicroBatches.pack(lengths, tokenBudget, maxRows)) {
            int length = lengths[batch[batch.length - 1]];
            float[] flat = model.forward(PairModel.Batch.of(todo, batch, length, padId), width);
            for (int b = 0; b < batch.length; b++) {
                float[] vector = Arrays.copyOfRange(flat, b * width, (b + 1) * width);
                for (float v : vector) {
                    if (!Float.isFinite(v)) {
                        throw new InferenceException(
                                what + " returned a non-finite value for a row of " + length + " tokens");
                    }
                }
                int t = missing.get(batch[b]);
                out[t] = vector;
                if (cache != null) {
                    cache.put(rows.get(t), vector);
                }
            }
        }
        return out;
    }

    /**
     * One matrix per query with nothing computed, for chunks whose queries request no pair of two candidates.
     *
     * @param queries the queries
     * @return empty matrices of the queries' sizes
     */
    static List<PairwiseMatrix> emptyMatrices(List<PairQuery> queries) {
        List<PairwiseMatrix> out = new ArrayList<>(queries.size());
        for (PairQuery query : queries) {
            out.add(PairwiseMatrix.builder(query.candidates().size()).build());
        }
        return out;
    }
}
