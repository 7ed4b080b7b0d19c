package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One request to a {@link Ranker}: a source text, its candidates, and which ordered pairs of them
 * to score. Immutable; validated at construction.
 *
 * @param source the text the candidates answer ({@code instruction + input}), not null, may be empty
 * @param candidates the candidate texts, not null, no null element, at least one
 * @param pairs the ordered pairs to score, indices within {@code candidates}, no duplicates;
 *     iteration order is the order given
 */
public record PairQuery(String source, List<String> candidates, Set<CandidatePair> pairs) {

    /**
     * Validates and copies the query.
     *
     * @param source see the class description
     * @param candidates see the class description
     * @param pairs see the class description
     * @throws NullPointerException if an argument or element is null
     * @throws IllegalArgumentException if there are no candidates
     * @throws IndexOutOfBoundsException if a pair names a candidate that does not exist
     */
    public PairQuery {
        Require.nonNull(source, "source");
        Require.nonNull(candidates, "candidates");
        Require.nonNull(pairs, "pairs");
        for (int i = 0; i < candidates.size(); i++) {
            Require.nonNull(candidates.get(i), "candidates[" + i + "]");
        }
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("candidates must not be empty");
        }
        for (CandidatePair pair : pairs) {
            Require.nonNull(pair, "pairs element");
            Require.index(pair.first(), candidates.size(), "pair.first");
            Require.index(pair.second(), candidates.size(), "pair.second");
        }
        pairs = Collections.unmodifiableSet(new LinkedHashSet<>(pairs));
    }

    /**
     * A query for all N(N-1) ordered pairs, in row-major order ({@code (0,1), (0,2), ..., (1,0), ...}).
     *
     * @param source the source text
     * @param candidates the candidates
     * @return the query
     */
    public static PairQuery full(String source, List<String> candidates) {
        Require.nonNull(candidates, "candidates");
        int n = candidates.size();
        Set<CandidatePair> pairs = new LinkedHashSet<>(n * n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    pairs.add(new CandidatePair(i, j));
                }
            }
        }
        return new PairQuery(source, candidates, pairs);
    }

    /**
     * A query for the given pairs.
     *
     * @param source the source text
     * @param candidates the candidates
     * @param pairs the ordered pairs, in the order they should be scored
     * @return the query
     */
    public static PairQuery of(String source, List<String> candidates, List<CandidatePair> pairs) {
        Require.nonNull(pairs, "pairs");
        return new PairQuery(source, candidates, new LinkedHashSet<>(pairs));
    }

    /**
     * The number of candidates.
     *
     * @return N
     */
    public int size() {
        return candidates.size();
    }

    /**
     * The pairs as a list, in iteration order.
     *
     * @return a new list of the pairs
     */
    public List<CandidatePair> pairList() {
        return new ArrayList<>(pairs);
    }
}
