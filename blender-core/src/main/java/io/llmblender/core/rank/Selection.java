package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import java.util.List;

/**
 * The outcome of a bubble selection (best-of-n or worst-of-n): the chosen candidate, the
 * permutation the pass walked, and the pairs it scored. Immutable.
 *
 * @param index the chosen candidate's index in the original list
 * @param permutation the order in which the pass visited the candidates; unmodifiable
 * @param matrix the logits of the 2(N-1) pairs that were scored
 */
public record Selection(int index, List<Integer> permutation, PairwiseMatrix matrix) {

    /**
     * Validates the selection.
     *
     * @param index see the class description
     * @param permutation see the class description
     * @param matrix see the class description
     * @throws NullPointerException if an argument is null
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    public Selection {
        Require.nonNull(permutation, "permutation");
        Require.nonNull(matrix, "matrix");
        permutation = List.copyOf(permutation);
        Require.index(index, matrix.size(), "index");
    }
}
