package io.llmblender.ranker.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Packs rows into micro-batches: rows sorted by length (shortest first, ties by index), each batch
 * the longest run whose padded size (rows x its longest row) stays within a token budget and a
 * row limit. Sorting keeps padding small; a row longer than the budget forms a batch of its own.
 *
 * <p>Internal: public only so that the benchmarks pack rows as PairRanker does. Not part of the
 * API; it may change in any release.
 */
public final class MicroBatches {

    private MicroBatches() {}

    /**
     * Packs rows.
     *
     * @param lengths each row's length in tokens
     * @param tokenBudget the most padded tokens per batch
     * @param maxRows the most rows per batch
     * @return the batches, each an array of row indices in ascending length order
     */
    public static List<int[]> pack(int[] lengths, int tokenBudget, int maxRows) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> lengths[i]).thenComparingInt(i -> i));
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            while (end < order.length
                    && end - start < maxRows
                    && (long) (end - start + 1) * lengths[order[end]] <= tokenBudget) {
                end++;
            }
            int[] batch = new int[end - start];
            for (int k = start; k < end; k++) {
                batch[k - start] = order[k];
            }
            batches.add(batch);
            start = end;
        }
        return batches;
    }
}
