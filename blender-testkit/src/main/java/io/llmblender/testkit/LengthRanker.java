package io.llmblender.testkit;

import io.llmblender.core.rank.PairQuery;

/**
 * A real heuristic ranker: prefers longer answers. The logit of (i, j) is
 * {@code len(i) - len(j)}, lengths in Unicode code points.
 */
public class LengthRanker extends RecordingRanker {

    @Override
    public String name() {
        return "length";
    }

    @Override
    protected double logit(PairQuery query, int i, int j) {
        return length(query.candidates().get(i)) - length(query.candidates().get(j));
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
