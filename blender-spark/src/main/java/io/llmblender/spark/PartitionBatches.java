package io.llmblender.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Turns a partition's row iterator into an iterator of results computed a batch at a time: rows are pulled lazily,
 * {@code size} at a time, so a partition never has more than one batch in memory beyond what Spark buffers.
 *
 * <p>Not thread-safe: an iterator serves one task.
 */
final class PartitionBatches {

    private PartitionBatches() {}

    /**
     * Maps rows a batch at a time.
     *
     * @param rows the partition's rows
     * @param size rows per batch, at least 1
     * @param batch computes one output per input row of a batch, in order
     * @param <I> input row type
     * @param <O> output row type
     * @return the outputs, lazily computed
     */
    static <I, O> Iterator<O> map(Iterator<I> rows, int size, Function<List<I>, List<O>> batch) {
        return new Iterator<>() {
            private Iterator<O> current = List.<O>of().iterator();

            @Override
            public boolean hasNext() {
                return current.hasNext() || rows.hasNext();
            }

            @Override
            public O next() {
                if (!current.hasNext()) {
                    if (!rows.hasNext()) {
                        throw new NoSuchElementException();
                    }
                    List<I> next = new ArrayList<>(size);
                    while (next.size() < size && rows.hasNext()) {
                        next.add(rows.next());
                    }
                    List<O> out = batch.apply(next);
                    if (out.size() != next.size()) {
                        throw new IllegalStateException("a batch of " + next.size() + " rows gave " + out.size());
                    }
                    current = out.iterator();
                }
                return current.next();
            }
        };
    }
}
