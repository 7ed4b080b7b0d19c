package io.llmblender.core.rank;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Scores a batch of queries that go to two scorers: the queries each scorer takes are scored in one call of it (so a
 * model batches them), and the matrices come back in the input order. A scorer with no query is not called.
 */
final class QuerySplit {

    private QuerySplit() {}

    /**
     * @param queries the queries, in order
     * @param toFirst which queries the first scorer takes
     * @param first scores its queries, one matrix each, in order
     * @param second scores the others, one matrix each, in order
     * @return one matrix per query, in input order
     */
    static List<PairwiseMatrix> scoreAll(
            List<PairQuery> queries,
            Predicate<PairQuery> toFirst,
            Function<List<PairQuery>, List<PairwiseMatrix>> first,
            Function<List<PairQuery>, List<PairwiseMatrix>> second) {
        List<PairQuery> a = new ArrayList<>();
        List<PairQuery> b = new ArrayList<>();
        boolean[] isFirst = new boolean[queries.size()];
        for (int q = 0; q < queries.size(); q++) {
            isFirst[q] = toFirst.test(queries.get(q));
            (isFirst[q] ? a : b).add(queries.get(q));
        }
        List<PairwiseMatrix> aOut = a.isEmpty() ? List.of() : first.apply(a);
        List<PairwiseMatrix> bOut = b.isEmpty() ? List.of() : second.apply(b);
        List<PairwiseMatrix> out = new ArrayList<>(queries.size());
        int i = 0;
        int j = 0;
        for (boolean f : isFirst) {
            out.add(f ? aOut.get(i++) : bOut.get(j++));
        }
        return out;
    }
}
