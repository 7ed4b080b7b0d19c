package io.llmblender.ranker;

import io.llmblender.core.error.InferenceException;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.ranker.internal.PairModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores queries with a reward ranker ({@link RankerConfig.Architecture#REWARD}, {@code models/reward_common.py}):
 * each candidate a requested pair uses gets one row
 *
 * <pre>{@code [CLS] cut(prompt ids, source_max_length, 0.5) [SEP] cut(answer ids, candidate_max_length, 0.75) [SEP]}</pre>
 *
 * <p>(see {@link #cut}; ids from {@link PairEncoder#rewardIds}), the encoder returns its mean-pooled vector, the
 * {@link RewardHead} turns vector and length features into a reward {@code r_i}, and each requested ordered pair
 * gets {@code M[i][j] = r_i - r_j}: N encoder passes for N candidates, antisymmetric and transitive by construction.
 *
 * <p>Vectors are kept in a bounded cache keyed by the exact row ids: ranking the same answers to the same prompt
 * again, as rewards and the adaptive mode do, skips the model. A cached vector is the one the model computed, so
 * results do not depend on the cache.
 *
 * <p>Thread-safe: the model pool, the head and the cache are.
 */
final class RewardScoring {

    /** The share of the prompt's budget kept from its head (reward_common.PROMPT_HEAD_SHARE). */
    static final double PROMPT_HEAD_SHARE = 0.5;

    /** The share of the answer's budget kept from its head (reward_common.ANSWER_HEAD_SHARE). */
    static final double ANSWER_HEAD_SHARE = 0.75;

    private final PairEncoder encoder;
    private final RewardHead head;
    private final int promptMax;
    private final int answerMax;
    private final EncodedVectors vectors;

    /**
     * @param encoder the tokenizer
     * @param model the reward encoder
     * @param head the reward head
     * @param promptMax the prompt's budget in ids ({@code source_max_length})
     * @param answerMax the answer's budget in ids ({@code candidate_max_length})
     * @param tokenBudget the most padded tokens per encoder batch
     * @param maxRows the most rows per encoder batch (1 for a dynamically quantized model)
     * @param cacheSize the most cached vectors, 0 for none
     */
    RewardScoring(
            PairEncoder encoder,
            PairModel model,
            RewardHead head,
            int promptMax,
            int answerMax,
            int tokenBudget,
            int maxRows,
            int cacheSize) {
        this.encoder = encoder;
        this.head = head;
        this.promptMax = promptMax;
        this.answerMax = answerMax;
        this.vectors = new EncodedVectors(
                model, "the reward encoder", encoder.padId(), head.hidden(), tokenBudget, maxRows, cacheSize);
    }

    /**
     * A text's ids cut to a budget: when longer than {@code n}, its first {@code h = round(n * headShare)} ids and
     * its last {@code n - h} ({@code reward_common.cut}, rounding half up).
     *
     * @param ids the text's ids
     * @param n the budget
     * @param headShare the share kept from the head
     * @return the ids kept
     */
    static int[] cut(int[] ids, int n, double headShare) {
        if (ids.length <= n) {
            return ids;
        }
        int h = (int) Math.floor(n * headShare + 0.5);
        int[] out = new int[n];
        System.arraycopy(ids, 0, out, 0, h);
        System.arraycopy(ids, ids.length - (n - h), out, h, n - h);
        return out;
    }

    /**
     * The row of one (prompt, answer): {@code [CLS] cut(prompt) [SEP] cut(answer) [SEP]}.
     *
     * @param promptIds the prompt's ids from {@link PairEncoder#rewardIds}
     * @param answerIds the answer's ids
     * @return the row's ids
     */
    long[] row(int[] promptIds, int[] answerIds) {
        int[] p = cut(promptIds, promptMax, PROMPT_HEAD_SHARE);
        int[] a = cut(answerIds, answerMax, ANSWER_HEAD_SHARE);
        long[] out = new long[p.length + a.length + 3];
        int at = 0;
        out[at++] = encoder.clsId();
        for (int id : p) {
            out[at++] = id;
        }
        out[at++] = encoder.sepId();
        for (int id : a) {
            out[at++] = id;
        }
        out[at] = encoder.sepId();
        return out;
    }

    /**
     * The row of one (prompt, answer) from the texts, as the model reads it.
     *
     * @param prompt the prompt
     * @param answer the answer
     * @return the row's ids
     */
    long[] row(String prompt, String answer) {
        int[][] ids = encoder.rewardIds(List.of(prompt, answer));
        return row(ids[0], ids[1]);
    }

    /**
     * The rewards of answers to one prompt.
     *
     * @param prompt the prompt
     * @param answers the answers
     * @return one reward per answer
     */
    double[] rewards(String prompt, List<String> answers) {
        List<String> texts = new ArrayList<>(answers.size() + 1);
        texts.add(prompt);
        texts.addAll(answers);
        int[][] ids = encoder.rewardIds(texts);
        List<EncodedVectors.Ids> rows = new ArrayList<>(answers.size());
        for (int a = 0; a < answers.size(); a++) {
            rows.add(new EncodedVectors.Ids(row(ids[0], ids[a + 1])));
        }
        float[][] vectors = this.vectors.of(rows);
        double[] out = new double[answers.size()];
        for (int a = 0; a < out.length; a++) {
            out[a] = head.score(vectors[a], 0, RewardHead.features(prompt, answers.get(a)));
        }
        return out;
    }

    List<PairwiseMatrix> score(List<PairQuery> queries) {
        // Every distinct text (prompts and used answers) is tokenized once.
        Map<String, Integer> textIndex = new LinkedHashMap<>();
        int[][] used = new int[queries.size()][];
        for (int q = 0; q < queries.size(); q++) {
            PairQuery query = queries.get(q);
            used[q] = new int[query.candidates().size()];
            Arrays.fill(used[q], -1);
            for (CandidatePair pair : query.pairs()) {
                if (pair.first() != pair.second()) {
                    for (int c : new int[] {pair.first(), pair.second()}) {
                        used[q][c] =
                                textIndex.computeIfAbsent(query.candidates().get(c), t -> textIndex.size());
                    }
                }
            }
        }
        if (textIndex.isEmpty()) {
            return EncodedVectors.emptyMatrices(queries);
        }
        int[] promptText = new int[queries.size()];
        for (int q = 0; q < queries.size(); q++) {
            promptText[q] = textIndex.computeIfAbsent(queries.get(q).source(), t -> textIndex.size());
        }
        int[][] ids = encoder.rewardIds(new ArrayList<>(textIndex.keySet()));

        // One row per (query, used candidate); identical rows share one entry.
        Map<EncodedVectors.Ids, Integer> rowIndex = new LinkedHashMap<>();
        int[][] candidateRow = new int[queries.size()][];
        for (int q = 0; q < queries.size(); q++) {
            candidateRow[q] = new int[used[q].length];
            Arrays.fill(candidateRow[q], -1);
            for (int c = 0; c < used[q].length; c++) {
                if (used[q][c] >= 0) {
                    candidateRow[q][c] = rowIndex.computeIfAbsent(
                            new EncodedVectors.Ids(row(ids[promptText[q]], ids[used[q][c]])), k -> rowIndex.size());
                }
            }
        }
        float[][] vectors = this.vectors.of(new ArrayList<>(rowIndex.keySet()));

        List<PairwiseMatrix> out = new ArrayList<>(queries.size());
        for (int q = 0; q < queries.size(); q++) {
            PairQuery query = queries.get(q);
            double[] r = new double[query.candidates().size()];
            for (int c = 0; c < r.length; c++) {
                if (candidateRow[q][c] >= 0) {
                    r[c] = head.score(
                            vectors[candidateRow[q][c]],
                            0,
                            RewardHead.features(
                                    query.source(), query.candidates().get(c)));
                    if (!Double.isFinite(r[c])) {
                        throw new InferenceException(
                                "the reward head returned a non-finite reward for candidate " + c + " of query " + q);
                    }
                }
            }
            PairwiseMatrix.Builder matrix = PairwiseMatrix.builder(r.length);
            for (CandidatePair pair : query.pairs()) {
                if (pair.first() != pair.second()) {
                    matrix.set(pair.first(), pair.second(), r[pair.first()] - r[pair.second()]);
                }
            }
            out.add(matrix.build());
        }
        return out;
    }
}
