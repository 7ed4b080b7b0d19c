package io.llmblender.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.eval.dataset.DatasetRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ranking the {@code blender rank} command adds to a record:
 * {@code "ranking": {"ranker": NAME, "aggregation": NAME, "ranks": [...], "scores": [...]}}, with one 1-based rank
 * (1 = best) and one score (higher = better) per candidate, in candidate order.
 *
 * @param ranker the ranker's name
 * @param aggregation how pairwise results became ranks (for example {@code max_logits}); empty when not given
 * @param ranks one rank per candidate, each in {@code [1, n]}
 * @param scores one finite score per candidate
 */
public record RecordRanking(String ranker, String aggregation, List<Integer> ranks, List<Double> scores) {

    /** The dataset field. */
    public static final String FIELD = "ranking";

    /**
     * Copies and checks the lists.
     *
     * @param ranker the ranker's name
     * @param aggregation the aggregation's name, possibly empty
     * @param ranks the ranks
     * @param scores the scores
     * @throws IllegalArgumentException if the lists are empty or differ in length, a rank is outside {@code [1, n]}
     *     or a score is not finite
     */
    public RecordRanking {
        ranks = List.copyOf(ranks);
        scores = List.copyOf(scores);
        if (ranks.isEmpty() || ranks.size() != scores.size()) {
            throw new IllegalArgumentException("a ranking needs one rank and one score per candidate, found "
                    + ranks.size() + " ranks and " + scores.size() + " scores");
        }
        for (int r : ranks) {
            if (r < 1 || r > ranks.size()) {
                throw new IllegalArgumentException("rank " + r + " is outside 1.." + ranks.size());
            }
        }
        for (double s : scores) {
            if (!Double.isFinite(s)) {
                throw new IllegalArgumentException("score " + s + " is not finite");
            }
        }
    }

    /**
     * Reads a record's ranking.
     *
     * @param record the record
     * @return the ranking, or empty when the record has no {@code ranking} field (or it is null)
     * @throws IllegalArgumentException naming the field when the ranking is malformed or does not have one rank and
     *     one score per candidate
     */
    public static Optional<RecordRanking> of(DatasetRecord record) {
        JsonNode r = record.json().get(FIELD);
        if (r == null || r.isNull()) {
            return Optional.empty();
        }
        if (!r.isObject()) {
            throw new IllegalArgumentException("field 'ranking' must be an object, found " + describe(r));
        }
        JsonNode ranker = r.get("ranker");
        if (ranker == null || !ranker.isTextual()) {
            throw new IllegalArgumentException("field 'ranking.ranker' must be a string, found " + describe(ranker));
        }
        JsonNode aggregation = r.get("aggregation");
        if (aggregation != null && !aggregation.isNull() && !aggregation.isTextual()) {
            throw new IllegalArgumentException(
                    "field 'ranking.aggregation' must be a string, found " + describe(aggregation));
        }
        int n = record.candidates().size();
        JsonNode ranks = r.get("ranks");
        JsonNode scores = r.get("scores");
        String expected = " must be an array of " + n + " (one per candidate) ";
        if (ranks == null || !ranks.isArray() || ranks.size() != n) {
            throw new IllegalArgumentException("field 'ranking.ranks'" + expected + "ranks, found " + describe(ranks));
        }
        if (scores == null || !scores.isArray() || scores.size() != n) {
            throw new IllegalArgumentException(
                    "field 'ranking.scores'" + expected + "numbers, found " + describe(scores));
        }
        List<Integer> rankList = new ArrayList<>(n);
        List<Double> scoreList = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JsonNode k = ranks.get(i);
            if (!k.isIntegralNumber() || !k.canConvertToInt() || k.asInt() < 1 || k.asInt() > n) {
                throw new IllegalArgumentException(
                        "field 'ranking.ranks[" + i + "]' must be an integer in 1.." + n + ", found " + describe(k));
            }
            rankList.add(k.asInt());
            JsonNode s = scores.get(i);
            if (!s.isNumber() || !Double.isFinite(s.asDouble())) {
                throw new IllegalArgumentException(
                        "field 'ranking.scores[" + i + "]' must be a finite number, found " + describe(s));
            }
            scoreList.add(s.asDouble());
        }
        String agg = aggregation == null || aggregation.isNull() ? "" : aggregation.asText();
        return Optional.of(new RecordRanking(ranker.asText(), agg, rankList, scoreList));
    }

    /**
     * The candidate the ranking selects: the one with the smallest rank, the first in candidate order among those
     * that share it (as {@code argmin} over the ranks, which is how LLM-Blender picks its top candidate).
     *
     * @return the candidate's index
     */
    public int selected() {
        int best = 0;
        for (int i = 1; i < ranks.size(); i++) {
            if (ranks.get(i) < ranks.get(best)) {
                best = i;
            }
        }
        return best;
    }

    private static String describe(JsonNode v) {
        String s = String.valueOf(v == null ? "nothing" : v);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
