package io.llmblender.testkit;

import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real (non-mock) test ranker base: answers exactly the requested pairs with {@link #logit} and
 * records every query, so tests can assert which pairs each strategy asked for and in how many
 * requests.
 */
public abstract class RecordingRanker implements Ranker {

    private final List<PairQuery> queries = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger scoreCalls = new AtomicInteger();
    private final AtomicInteger scoreAllCalls = new AtomicInteger();
    private volatile boolean closed;

    /** The logit of candidate i (slot 1) against candidate j (slot 2) in this query. */
    protected abstract double logit(PairQuery query, int i, int j);

    @Override
    public String name() {
        return getClass().getSimpleName();
    }

    @Override
    public PairwiseMatrix score(PairQuery query) {
        scoreCalls.incrementAndGet();
        queries.add(query);
        return answer(query);
    }

    @Override
    public List<PairwiseMatrix> scoreAll(List<PairQuery> batch) {
        scoreAllCalls.incrementAndGet();
        List<PairwiseMatrix> out = new ArrayList<>(batch.size());
        for (PairQuery query : batch) {
            queries.add(query);
            out.add(answer(query));
        }
        return out;
    }

    private PairwiseMatrix answer(PairQuery query) {
        PairwiseMatrix.Builder builder = PairwiseMatrix.builder(query.size());
        for (CandidatePair pair : query.pairs()) {
            builder.set(pair, logit(query, pair.first(), pair.second()));
        }
        return builder.build();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Whether close() was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Every query received, in order, whether through score or scoreAll. */
    public List<PairQuery> queries() {
        synchronized (queries) {
            return List.copyOf(queries);
        }
    }

    /** Every pair requested, in request order, over all queries. */
    public List<CandidatePair> requestedPairs() {
        List<CandidatePair> out = new ArrayList<>();
        for (PairQuery query : queries()) {
            out.addAll(query.pairList());
        }
        return out;
    }

    /** Calls to score. */
    public int scoreCalls() {
        return scoreCalls.get();
    }

    /** Calls to scoreAll. */
    public int scoreAllCalls() {
        return scoreAllCalls.get();
    }

    /** Calls to score plus calls to scoreAll. */
    public int requests() {
        return scoreCalls() + scoreAllCalls();
    }
}
