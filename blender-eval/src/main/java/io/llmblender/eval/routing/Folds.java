package io.llmblender.eval.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * K-fold cross-validation by query: a seeded shuffle of the query indices dealt round-robin into {@code k} folds, so
 * fold sizes differ by at most one and the same seed gives the same folds. Stateless.
 */
public final class Folds {

    private Folds() {}

    /**
     * The fold of each query.
     *
     * @param n the number of queries, at least {@code k}
     * @param k the number of folds, at least 2
     * @param seed the shuffle's seed
     * @return {@code fold[q]} in {@code [0, k)}
     * @throws IllegalArgumentException naming the value when {@code k < 2} or {@code n < k}
     */
    public static int[] assign(int n, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("folds must be at least 2, found " + k);
        }
        if (n < k) {
            throw new IllegalArgumentException(k + " folds need at least " + k + " queries, found " + n);
        }
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int[] fold = new int[n];
        for (int j = 0; j < n; j++) {
            fold[order.get(j)] = j % k;
        }
        return fold;
    }
}
