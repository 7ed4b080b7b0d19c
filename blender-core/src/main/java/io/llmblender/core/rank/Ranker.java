package io.llmblender.core.rank;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A pairwise ranker: scores ordered pairs of candidate answers to one source, as LLM-Blender's
 * PairRanker does. The logit of pair {@code (i, j)} is positive when the ranker prefers candidate
 * {@code i} to candidate {@code j}.
 *
 * <p>Callers rarely use this interface directly: {@link Rankings} turns it into rankings,
 * best-of-n selections, comparisons and rewards, asking only for the pairs each needs.
 *
 * <p><b>Implementing.</b> {@link #score(PairQuery)} must compute exactly the requested pairs (it
 * may compute more) and report them as computed in the returned matrix; a pair's logit must not
 * depend on which other pairs or queries are scored with it. Failures are reported as
 * {@link io.llmblender.core.error.InferenceException}. Override {@link #scoreAll(List)} when
 * batching many sources together is faster than one at a time.
 *
 * <p><b>Thread-safety.</b> Implementations must be safe for concurrent calls; concurrent calls
 * must give the same results as sequential ones.
 *
 * <p><b>Ownership.</b> Whoever creates a ranker closes it; a {@link io.llmblender.core.Blender}
 * never closes a ranker it was given. Calls after {@link #close()} throw
 * {@link IllegalStateException}.
 */
public interface Ranker extends AutoCloseable {

    /**
     * A short name identifying the ranker's model, recorded as provenance in blend results.
     *
     * @return the name, never blank
     */
    String name();

    /**
     * Scores the requested ordered pairs of one query.
     *
     * @param query the source, the candidates and the pairs to score
     * @return an N x N matrix in which at least every requested pair is computed
     * @throws io.llmblender.core.error.InferenceException if the model fails
     */
    PairwiseMatrix score(PairQuery query);

    /**
     * Scores the requested ordered pairs of one query, as {@link #score(PairQuery)}, and reports what the scoring cost
     * in LLM calls: a ranker that calls an LLM (an {@link LlmJudgeRanker}) passes one {@link RankingCost} per LLM to
     * {@code costs}, also when it then fails; a ranker that wraps others passes their reports on. The default calls
     * {@link #score(PairQuery)} and reports nothing, right for rankers that call no LLM. A
     * {@link io.llmblender.core.Blender} scores through this method and puts the reports in
     * {@link io.llmblender.core.BlendResult#rankingCosts()}.
     *
     * @param query the source, the candidates and the pairs to score
     * @param costs receives the reports, from the calling thread before this method returns; must be thread-safe if
     *     the ranker reports from several threads
     * @return an N x N matrix in which at least every requested pair is computed
     * @throws io.llmblender.core.error.InferenceException if the model fails
     */
    default PairwiseMatrix score(PairQuery query, Consumer<RankingCost> costs) {
        return score(query);
    }

    /**
     * Scores many queries, for example one per source of a dataset. The default scores them one
     * by one; implementations that batch across queries override it.
     *
     * @param queries the queries, not null
     * @return one matrix per query, in the same order
     * @throws io.llmblender.core.error.InferenceException if the model fails
     */
    default List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
        List<PairwiseMatrix> out = new ArrayList<>(queries.size());
        for (PairQuery query : queries) {
            out.add(score(query));
        }
        return out;
    }

    /**
     * Releases the ranker's resources. Idempotent. The default does nothing.
     */
    @Override
    default void close() {}
}
