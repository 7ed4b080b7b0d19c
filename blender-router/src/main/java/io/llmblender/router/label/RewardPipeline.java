package io.llmblender.router.label;

import io.llmblender.core.check.Require;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankings;
import io.llmblender.core.rank.ReferenceMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes router training records from a dataset of queries with the answer of every candidate
 * LLM, scored by a pairwise {@link Ranker} used as a reward model (rank-with-reference): for each
 * query the reference answer is chosen by a {@link ReferenceMode} and each answer {@code c} gets
 * the reward {@code -(M[ref][c] - M[c][ref])}, the reference itself 0 (see
 * {@link Rankings#rewardsAll}). No separate reward model is needed.
 *
 * <p>Stateless; as thread-safe as the ranker passed in.
 */
public final class RewardPipeline {

    private RewardPipeline() {}

    /**
     * Scores every query's answers in one {@link Ranker#scoreAll} request and makes one record per
     * query, with no tags (add them with {@link RewardRecords#withTags}).
     *
     * @param ranker the ranker, not closed by this method
     * @param queries the queries, not null, no null element
     * @param answers {@code answers.get(q).get(i)} is the answer of LLM {@code llmNames.get(i)} to
     *     query {@code q}; one list per query, each with one answer per LLM, no null element
     * @param llmNames the candidate LLMs, at least one, distinct, not blank; the records' reward
     *     order
     * @param mode which answer of each query is the reference, for example
     *     {@link ReferenceMode#LONGEST} (LLM-Blender's default)
     * @return one record per query, in order, an unmodifiable list; empty when there are no queries
     * @throws NullPointerException if an argument or an element is null
     * @throws IllegalArgumentException if the sizes disagree, an LLM name is blank or repeated, or
     *     there are no LLMs
     * @throws io.llmblender.core.error.InferenceException if the ranker fails
     */
    public static List<RewardRecord> fromRanker(
            Ranker ranker,
            List<String> queries,
            List<List<String>> answers,
            List<String> llmNames,
            ReferenceMode mode) {
        Require.nonNull(ranker, "ranker");
        Require.nonNull(queries, "queries");
        Require.nonNull(answers, "answers");
        Require.nonNull(llmNames, "llmNames");
        Require.nonNull(mode, "mode");
        if (llmNames.isEmpty()) {
            throw new IllegalArgumentException("llmNames must not be empty");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < llmNames.size(); i++) {
            String name = Require.nonBlank(llmNames.get(i), "llmNames[" + i + "]");
            if (!seen.add(name)) {
                throw new IllegalArgumentException(
                        "llmNames must be distinct, found " + Require.quote(name) + " twice");
            }
        }
        if (queries.size() != answers.size()) {
            throw new IllegalArgumentException(
                    "queries and answers must have the same size, found " + queries.size() + " and " + answers.size());
        }
        for (int q = 0; q < queries.size(); q++) {
            Require.nonNull(queries.get(q), "queries[" + q + "]");
            List<String> row = Require.nonNull(answers.get(q), "answers[" + q + "]");
            if (row.size() != llmNames.size()) {
                throw new IllegalArgumentException("answers[" + q + "] must have one answer per LLM (" + llmNames.size()
                        + "), found " + row.size());
            }
            for (int i = 0; i < row.size(); i++) {
                Require.nonNull(row.get(i), "answers[" + q + "][" + i + "]");
            }
        }
        if (queries.isEmpty()) {
            return List.of();
        }
        List<double[]> rewards = Rankings.rewardsAll(ranker, queries, answers, mode);
        List<RewardRecord> out = new ArrayList<>(queries.size());
        for (int q = 0; q < queries.size(); q++) {
            double[] r = rewards.get(q);
            Map<String, Double> byLlm = new LinkedHashMap<>();
            for (int i = 0; i < llmNames.size(); i++) {
                byLlm.put(llmNames.get(i), r[i]);
            }
            out.add(RewardRecord.of(queries.get(q), byLlm));
        }
        return List.copyOf(out);
    }
}
