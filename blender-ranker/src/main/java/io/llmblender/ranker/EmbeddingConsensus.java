package io.llmblender.ranker;

import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;

/** Embedding consensus over a segment ranker's vectors; see {@link PairRanker#embeddingConsensus()}. */
final class EmbeddingConsensus implements Ranker {

    private final PairRanker ranker;
    private final String name;

    EmbeddingConsensus(PairRanker ranker) {
        this.ranker = ranker;
        this.name = "consensus-embedding(" + ranker.name() + ")";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PairwiseMatrix score(PairQuery query) {
        int n = query.size();
        if (n < 3) {
            return ranker.score(query);
        }
        float[][] v = ranker.candidateVectors(query);
        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (float x : v[i]) {
                sq += (double) x * x;
            }
            norm[i] = Math.sqrt(sq);
        }
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < v[i].length; k++) {
                    dot += (double) v[i][k] * v[j][k];
                }
                double cos = norm[i] == 0 || norm[j] == 0 ? 0 : dot / (norm[i] * norm[j]);
                s[i] += cos;
                s[j] += cos;
            }
        }
        PairwiseMatrix.Builder m = PairwiseMatrix.builder(n);
        for (CandidatePair p : query.pairs()) {
            m.set(p, (s[p.first()] - s[p.second()]) / (n - 1));
        }
        return m.build();
    }

    @Override
    public String toString() {
        return name;
    }
}
