package io.llmblender.core;

import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A heuristic pairwise ranker that prefers longer answers: the logit of (i, j) is
 * {@code length(i) - length(j)} plus a small first-slot bias, so both orders differ like a real
 * model's. Records every pair it scored.
 */
final class LengthRanker implements Ranker {

    static final double SLOT_BIAS = 0.25;
    final List<CandidatePair> scored = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    @Override
    public String name() {
        return "length";
    }

    @Override
    public PairwiseMatrix score(PairQuery query) {
        PairwiseMatrix.Builder m = PairwiseMatrix.builder(query.size());
        for (CandidatePair pair : query.pairs()) {
            scored.add(pair);
            double logit = query.candidates().get(pair.first()).length()
                    - query.candidates().get(pair.second()).length() + SLOT_BIAS;
            m.set(pair, logit);
        }
        return m.build();
    }

    @Override
    public void close() {
        closed = true;
    }
}
