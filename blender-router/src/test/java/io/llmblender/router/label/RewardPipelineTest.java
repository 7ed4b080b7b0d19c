package io.llmblender.router.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.ReferenceMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RewardPipelineTest {

    /** Prefers longer answers: logit (i, j) = len(c_i) - len(c_j); scores only the pairs asked for. */
    private static final class LengthRanker implements Ranker {
        final List<Integer> batchSizes = new ArrayList<>();

        @Override
        public String name() {
            return "length";
        }

        @Override
        public PairwiseMatrix score(PairQuery query) {
            PairwiseMatrix.Builder m = PairwiseMatrix.builder(query.size());
            for (CandidatePair p : query.pairs()) {
                m.set(
                        p,
                        query.candidates().get(p.first()).length()
                                - query.candidates().get(p.second()).length());
            }
            return m.build();
        }

        @Override
        public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
            batchSizes.add(queries.size());
            return Ranker.super.scoreAll(queries);
        }
    }

    private static final List<String> LLMS = List.of("gpt-4", "mixtral", "llama");

    /** Lengths [3, 5, 1] and [2, 1, 4]. */
    private static final List<List<String>> ANSWERS = List.of(List.of("abc", "abcde", "a"), List.of("xx", "y", "zzzz"));

    @Test
    void fromRanker_longestReference_rewardsAreMarginsOverIt() {
        // reward(c) = -(M[ref][c] - M[c][ref]) = -((Lref - Lc) - (Lc - Lref)) = 2 (Lc - Lref)
        // q1: ref "abcde" (5): [2(3-5), 0, 2(1-5)] = [-4, 0, -8]
        // q2: ref "zzzz" (4):  [2(2-4), 2(1-4), 0] = [-4, -6, 0]
        LengthRanker ranker = new LengthRanker();
        List<RewardRecord> records =
                RewardPipeline.fromRanker(ranker, List.of("q1", "q2"), ANSWERS, LLMS, ReferenceMode.LONGEST);

        assertThat(records).hasSize(2);
        assertThat(records.get(0).query()).isEqualTo("q1");
        assertThat(records.get(0).rewards().keySet()).containsExactlyElementsOf(LLMS);
        assertThat(records.get(0).rewardsIn(LLMS)).containsExactly(-4.0, 0.0, -8.0);
        assertThat(records.get(1).rewardsIn(LLMS)).containsExactly(-4.0, -6.0, 0.0);
        assertThat(records).allSatisfy(r -> assertThat(r.tags()).isEmpty());
        // both queries in one batch
        assertThat(ranker.batchSizes).containsExactly(2);
        assertThat(RewardRecords.llmNames(records)).isEqualTo(LLMS);
    }

    @Test
    void fromRanker_shortestReference() {
        // q1: ref "a" (1): [2(3-1), 2(5-1), 0] = [4, 8, 0]
        List<RewardRecord> records = RewardPipeline.fromRanker(
                new LengthRanker(), List.of("q1"), List.of(ANSWERS.get(0)), LLMS, ReferenceMode.SHORTEST);
        assertThat(records.get(0).rewardsIn(LLMS)).containsExactly(4.0, 8.0, 0.0);
    }

    @Test
    void fromRanker_noQueries_givesNoRecordsWithoutScoring() {
        LengthRanker ranker = new LengthRanker();
        assertThat(RewardPipeline.fromRanker(ranker, List.of(), List.of(), LLMS, ReferenceMode.LONGEST))
                .isEmpty();
        assertThat(ranker.batchSizes).isEmpty();
    }

    @Test
    void fromRanker_feedsSoftLabels() {
        // q1 rewards [-4, 0, -8]: softmax = [e^-4, 1, e^-8] / (1 + e^-4 + e^-8)
        List<RewardRecord> records = RewardPipeline.fromRanker(
                new LengthRanker(), List.of("q1"), List.of(ANSWERS.get(0)), LLMS, ReferenceMode.LONGEST);
        double z = 1 + Math.exp(-4) + Math.exp(-8);
        assertThat(SoftLabels.defaults().labels(records, LLMS).get(0))
                .containsExactly(new double[] {Math.exp(-4) / z, 1 / z, Math.exp(-8) / z}, within(1e-12));
    }

    @Test
    void fromRanker_rejectsMismatchedSizes() {
        LengthRanker ranker = new LengthRanker();
        assertThatThrownBy(() -> RewardPipeline.fromRanker(ranker, List.of("q1"), ANSWERS, LLMS, ReferenceMode.LONGEST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queries and answers must have the same size, found 1 and 2");
        assertThatThrownBy(() -> RewardPipeline.fromRanker(
                        ranker, List.of("q1", "q2"), ANSWERS, List.of("gpt-4", "mixtral"), ReferenceMode.LONGEST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("answers[0] must have one answer per LLM (2), found 3");
        assertThatThrownBy(() -> RewardPipeline.fromRanker(
                        ranker, List.of("q1"), List.of(List.of("a", "b")), List.of("x", "x"), ReferenceMode.LONGEST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("llmNames must be distinct, found \"x\" twice");
        assertThatThrownBy(() -> RewardPipeline.fromRanker(
                        ranker, List.of("q1"), List.of(List.of()), List.of(), ReferenceMode.LONGEST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("llmNames must not be empty");
        assertThatThrownBy(() -> RewardPipeline.fromRanker(ranker, List.of("q1"), ANSWERS.subList(0, 1), LLMS, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("mode must not be null");
        assertThat(ranker.batchSizes).isEmpty();
    }
}
