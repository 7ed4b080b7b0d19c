package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Embedding consensus on the tiny segment fixture: mean cosines recomputed by hand from the encoder's vectors. */
class EmbeddingConsensusTest {

    private static final List<String> ANSWERS =
            List.of("Paris is the capital.", "The capital is Paris.", "Bananas are yellow.", "Paris.");

    @Test
    void score_isTheMeanCosineDifference_andFallsBackBelowThree() {
        try (PairRanker ranker = PairRanker.load(Fixtures.tinySegmentRanker())) {
            Ranker consensus = ranker.embeddingConsensus();
            PairQuery q = PairQuery.full("Capital of France?", ANSWERS);
            float[][] v = ranker.candidateVectors(q);
            int n = ANSWERS.size();
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i != j) {
                        s[i] += cos(v[i], v[j]) / (n - 1);
                    }
                }
            }
            PairwiseMatrix m = consensus.score(q);
            assertThat(m.logit(0, 2)).isCloseTo(s[0] - s[2], within(1e-9));
            assertThat(m.logit(3, 1)).isCloseTo(s[3] - s[1], within(1e-9));
            assertThat(consensus.name()).startsWith("consensus-embedding(");

            PairQuery two = PairQuery.full("Q", ANSWERS.subList(0, 2));
            assertThat(consensus.score(two)).isEqualTo(ranker.score(two));
            ranker.close();
            assertThatThrownBy(() -> consensus.score(q)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void embeddingConsensus_crossEncoderIsRefused() {
        try (PairRanker ranker = PairRanker.load(Fixtures.tinyRanker())) {
            assertThatThrownBy(ranker::embeddingConsensus)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("needs a segment ranker");
        }
    }

    private static double cos(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            na += (double) a[k] * a[k];
            nb += (double) b[k] * b[k];
        }
        return dot / Math.sqrt(na * nb);
    }
}
