package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Rankings;
import io.llmblender.core.rank.ReferenceMode;
import io.llmblender.core.rank.Selection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scores must not depend on how rows are batched, on which queries share a call, or on how many
 * threads call at once: every variant is compared with the TorchScript model run on each row alone.
 */
class BatchingTest {

    private static final String SOURCE = "Janet's ducks lay 16 eggs per day. She eats three and bakes with four."
            + " She sells the rest for $2 each. How much does she make?";
    private static final List<String> CANDIDATES = List.of(
            "She sells 16 - 3 - 4 = 9 eggs, so she makes 9 * $2 = $18 every day.",
            "$18",
            "Janet has 16 eggs. After eating 3 she has 13, after baking 9. 9 eggs at $2 each is $18. #### 18",
            "The answer is 14.",
            "",
            "她每天卖 9 个鸡蛋，赚 18 美元 🥚🥚 — a long answer that goes on and on and on to reach the cap.");

    private static PairRanker ranker;
    private static double[][] alone;

    @BeforeAll
    static void load() {
        ranker = PairRanker.load(Fixtures.tinyRanker());
        alone = unbatched(SOURCE, CANDIDATES);
    }

    @AfterAll
    static void close() {
        ranker.close();
    }

    private static double[][] unbatched(String source, List<String> candidates) {
        int n = candidates.size();
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    m[i][j] = ranker.forwardRows(
                                    List.of(ranker.encodePair(source, candidates.get(i), candidates.get(j))))[0];
                }
            }
        }
        return m;
    }

    private static void assertMatches(PairwiseMatrix matrix, double[][] expected) {
        assertThat(matrix.isComplete()).isTrue();
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected.length; j++) {
                assertThat(matrix.logit(i, j)).as("M[%d][%d]", i, j).isCloseTo(expected[i][j], within(1e-5));
            }
        }
    }

    @Test
    void score_fullMatrix_equalsEachRowRunAlone() {
        assertMatches(ranker.score(PairQuery.full(SOURCE, CANDIDATES)), alone);
        assertThat(alone[0][1]).isNotEqualTo(alone[1][0]); // the model is not symmetric: a real check
    }

    @Test
    void score_anyBatchComposition_equalsEachRowRunAlone() {
        int[][] shapes = {{1, 64}, {16, 1}, {200, 3}, {300, 64}, {1_000_000, 7}};
        for (int[] shape : shapes) {
            try (PairRanker other = PairRanker.builder(Fixtures.tinyRanker())
                    .tokenBudget(shape[0])
                    .maxBatchRows(shape[1])
                    .build()) {
                assertMatches(other.score(PairQuery.full(SOURCE, CANDIDATES)), alone);
            }
        }
    }

    @Test
    void scoreAll_manySourcesPackedTogether_equalsOneByOne() {
        List<PairQuery> queries = List.of(
                PairQuery.full(SOURCE, CANDIDATES),
                PairQuery.full("What is 2 + 2?", List.of("4", "It is 4.", "five")),
                PairQuery.full("", List.of("x", "y")),
                PairQuery.full(SOURCE, CANDIDATES.subList(0, 3)));
        List<PairwiseMatrix> together = ranker.scoreAll(queries);
        for (int q = 0; q < queries.size(); q++) {
            assertMatches(
                    together.get(q),
                    unbatched(queries.get(q).source(), queries.get(q).candidates()));
        }
    }

    @Test
    void score_concurrentCallsFromManyThreads_equalSequentialResults() throws Exception {
        List<PairQuery> queries = new ArrayList<>();
        for (int k = 0; k < 24; k++) {
            queries.add(PairQuery.full(
                    k % 2 == 0 ? SOURCE : "Question " + k, CANDIDATES.subList(0, 2 + k % (CANDIDATES.size() - 1))));
        }
        List<PairwiseMatrix> sequential = new ArrayList<>();
        for (PairQuery query : queries) {
            sequential.add(ranker.score(query));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<PairwiseMatrix>> futures = new ArrayList<>();
            for (PairQuery query : queries) {
                futures.add(pool.submit(() -> ranker.score(query)));
            }
            for (int q = 0; q < queries.size(); q++) {
                assertMatches(futures.get(q).get(), sequential.get(q).toArray());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void bestOfN_scoresOnlyTheBubblePairs() {
        Selection selection = Rankings.bestOfN(ranker, SOURCE, CANDIDATES, 7L);
        assertThat(selection.matrix().computedCount()).isEqualTo(2 * (CANDIDATES.size() - 1));
        for (int i = 0; i < CANDIDATES.size(); i++) {
            for (int j = 0; j < CANDIDATES.size(); j++) {
                if (selection.matrix().isComputed(i, j)) {
                    assertThat(selection.matrix().logit(i, j)).isCloseTo(alone[i][j], within(1e-5));
                }
            }
        }
    }

    @Test
    void compareAndRewards_readTheSameMatrix() {
        assertThat(ranker.compare(SOURCE, CANDIDATES.get(0), CANDIDATES.get(3)))
                .isCloseTo(alone[0][3] - alone[3][0], within(1e-5));
        double[] rewards = ranker.rewards(SOURCE, CANDIDATES);
        int ref = Rankings.referenceIndex(CANDIDATES, ReferenceMode.LONGEST);
        assertThat(rewards[ref]).isZero();
        for (int c = 0; c < CANDIDATES.size(); c++) {
            double expected = c == ref ? 0.0 : -(alone[ref][c] - alone[c][ref]);
            assertThat(rewards[c]).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void compareConversations_scoresTheConversationEncoding() {
        List<ChatMessage> a = List.of(
                ChatMessage.user("hi"),
                ChatMessage.assistant("hello!"),
                ChatMessage.user("2+2?"),
                ChatMessage.assistant("4"));
        List<ChatMessage> b = List.of(
                ChatMessage.user("hi"),
                ChatMessage.assistant("go away"),
                ChatMessage.user("2+2?"),
                ChatMessage.assistant("5"));
        double[][] m = unbatched(
                Rankings.conversationSource(a),
                List.of(Rankings.conversationCandidate(a), Rankings.conversationCandidate(b)));
        assertThat(ranker.compareConversations(a, b)).isCloseTo(m[0][1] - m[1][0], within(1e-5));
    }
}
