package io.llmblender.spark;

import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A model call over the records of a batch that falls back to one call per record when the batch call throws, so that
 * only the failing records get an error: what the tasks of {@link SparkRanking}, {@link SparkFusion} and
 * {@link SparkRewards} do with the records of a batch that passed their checks.
 *
 * <p>Stateless and thread-safe.
 */
final class BatchFallback {

    private BatchFallback() {}

    /**
     * Sets the results of the records at positions {@code at}. With no positions, calls nothing. Otherwise calls
     * {@code batch} once; if it returns, its k-th output goes to {@code results[at.get(k)]}; if it throws a
     * {@link RuntimeException}, {@code one.apply(k)} is called for every k instead and its output, or the message of
     * what it threw ({@link #describe}), goes there.
     *
     * @param results one slot per record of the batch; only the positions {@code at} are written
     * @param at the positions of the records to compute, in the order of the batch call's inputs
     * @param batch the batch call: one output per position, in order
     * @param one the call for the k-th of those records alone
     * @param <O> the output type
     */
    static <O> void fill(Object[] results, List<Integer> at, Supplier<List<O>> batch, IntFunction<O> one) {
        if (at.isEmpty()) {
            return;
        }
        List<O> outputs;
        try {
            outputs = batch.get();
        } catch (RuntimeException e) {
            outputs = null;
        }
        for (int k = 0; k < at.size(); k++) {
            if (outputs != null) {
                results[at.get(k)] = outputs.get(k);
            } else {
                try {
                    results[at.get(k)] = one.apply(k);
                } catch (RuntimeException e) {
                    results[at.get(k)] = describe(e);
                }
            }
        }
    }

    /**
     * Why a record failed, for an error column.
     *
     * @param e what a call threw
     * @return its message, or its class's simple name when it has none
     */
    static String describe(RuntimeException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
