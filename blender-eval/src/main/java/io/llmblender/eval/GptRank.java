package io.llmblender.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.error.JsonProblems;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * LLM-Blender's "GPT-Rank" of each candidate of a MixInstruct record, derived from the record's ChatGPT pairwise
 * comparisons, as {@code get_ranks_from_chatgpt_cmps} in LLM-Blender's {@code llm_blender/gpt_eval/utils.py} does.
 *
 * <p>The field {@code cmp_results} maps {@code "MODEL_A,MODEL_B"} (two candidates' {@code model} names joined by a
 * comma) to one of {@code "A is better"}, {@code "B is better"}, {@code "Same good"} or {@code "Same bad"}. The
 * MixInstruct files on Hugging Face hold it as a string of JSON (or the string {@code "null"} when ChatGPT compared
 * nothing); a JSON object is accepted too.
 *
 * <p>Each verdict adds to a matrix {@code M} over the candidates: A better: {@code M[a][b] += 1, M[b][a] -= 1}; B
 * better: the reverse; same good: both {@code += 0.5}; same bad: both {@code -= 0.5}. A candidate's score is
 * {@code sum_j (M[i][j] - M[j][i])} (LLM-Blender's "max_logits"), which is {@code 2 * (wins - losses)}: verdicts of
 * "same" cancel out. Its GPT-Rank is 1 plus the number of candidates with a strictly higher score, so candidates that
 * tie share the best of their positions ({@code [4, -2, -2]} ranks {@code [1, 2, 2]}). 1 is best; the paper's GPT-Rank
 * of an LLM is the mean of its GPT-Ranks over the records.
 *
 * <p>Stricter than LLM-Blender, which counts a missing comparison as 0: every pair of candidates must be compared
 * (LLM-Blender's {@code is_evaluated} also treats a record with a pair missing as not yet evaluated), model names must
 * be unique within the record, and a key must name two of its candidates.
 */
public final class GptRank {

    /** The dataset field holding the comparisons. */
    public static final String FIELD = "cmp_results";

    private static final ObjectMapper JSON = new ObjectMapper();

    private GptRank() {}

    /**
     * Whether a record carries comparisons at all (the field is present and not null nor {@code "null"}).
     *
     * @param record the record's JSON
     * @return true if {@link #ranks} may succeed
     */
    public static boolean present(JsonNode record) {
        JsonNode cmp = record.get(FIELD);
        return cmp != null && !cmp.isNull() && !(cmp.isTextual() && cmp.asText().equals("null"));
    }

    /**
     * The max-logits score of each candidate: {@code 2 * (wins - losses)} in the comparisons.
     *
     * @param record the record's JSON, with {@code cmp_results}
     * @param models the candidates' model names, in candidate order
     * @return one score per candidate, higher is better
     * @throws IllegalArgumentException naming what is wrong if {@code cmp_results} is missing, not an object (nor a
     *     string of one), has a key that does not name two candidates, an unknown verdict, or leaves a pair out, or
     *     if two candidates share a model name
     */
    public static double[] scores(JsonNode record, List<String> models) {
        int n = models.size();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Integer earlier = index.put(models.get(i), i);
            if (earlier != null) {
                throw new IllegalArgumentException("candidates[" + earlier + "] and candidates[" + i
                        + "] share the model name \"" + models.get(i) + "\", so cmp_results cannot tell them apart");
            }
        }
        JsonNode cmp = comparisons(record);
        double[][] m = new double[n][n];
        boolean[][] compared = new boolean[n][n];
        for (var e : cmp.properties()) {
            int[] pair = pair(e.getKey(), index);
            int a = pair[0];
            int b = pair[1];
            JsonNode verdict = e.getValue();
            String v = verdict.isTextual() ? verdict.asText() : "";
            switch (v) {
                case "A is better" -> {
                    m[a][b] += 1;
                    m[b][a] -= 1;
                }
                case "B is better" -> {
                    m[a][b] -= 1;
                    m[b][a] += 1;
                }
                case "Same good" -> {
                    m[a][b] += 0.5;
                    m[b][a] += 0.5;
                }
                case "Same bad" -> {
                    m[a][b] -= 0.5;
                    m[b][a] -= 0.5;
                }
                default ->
                    throw new IllegalArgumentException("cmp_results[\"" + e.getKey() + "\"] must be one of"
                            + " \"A is better\", \"B is better\", \"Same good\", \"Same bad\"; found "
                            + describe(verdict));
            }
            compared[a][b] = true;
            compared[b][a] = true;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (!compared[i][j]) {
                    throw new IllegalArgumentException("cmp_results has no comparison of \"" + models.get(i)
                            + "\" and \"" + models.get(j) + "\", so the GPT-Rank of the candidates is unknown");
                }
            }
        }
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                scores[i] += m[i][j] - m[j][i];
            }
        }
        return scores;
    }

    /**
     * Each candidate's GPT-Rank: 1 plus the number of candidates with a higher {@linkplain #scores score}.
     *
     * @param record the record's JSON, with {@code cmp_results}
     * @param models the candidates' model names, in candidate order
     * @return one rank per candidate, 1 is best, ties share the best of their positions
     * @throws IllegalArgumentException as {@link #scores}
     */
    public static int[] ranks(JsonNode record, List<String> models) {
        double[] s = scores(record, models);
        int[] ranks = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            int better = 0;
            for (double other : s) {
                if (other > s[i]) {
                    better++;
                }
            }
            ranks[i] = better + 1;
        }
        return ranks;
    }

    private static JsonNode comparisons(JsonNode record) {
        if (!present(record)) {
            throw new IllegalArgumentException("the record has no " + FIELD + " (ChatGPT's pairwise comparisons)");
        }
        JsonNode cmp = record.get(FIELD);
        if (cmp.isTextual()) {
            try {
                cmp = JSON.readTree(cmp.asText());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(
                        FIELD + " is a string but not JSON: "
                                + JsonProblems.describe(
                                        e.getOriginalMessage(),
                                        0,
                                        e.getLocation() == null
                                                ? 0
                                                : e.getLocation().getColumnNr()),
                        e);
            }
        }
        if (cmp == null || !cmp.isObject()) {
            throw new IllegalArgumentException(FIELD + " must be an object of \"MODEL_A,MODEL_B\": verdict (or a"
                    + " string of one), found " + describe(record.get(FIELD)));
        }
        return cmp;
    }

    /** The two candidates a key names; a model name may itself hold commas, so every split is tried. */
    private static int[] pair(String key, Map<String, Integer> index) {
        List<int[]> found = new ArrayList<>();
        for (int c = key.indexOf(','); c >= 0; c = key.indexOf(',', c + 1)) {
            Integer a = index.get(key.substring(0, c));
            Integer b = index.get(key.substring(c + 1));
            if (a != null && b != null) {
                found.add(new int[] {a, b});
            }
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException("cmp_results key \"" + key + "\" "
                    + (found.isEmpty()
                            ? "does not name two candidates' models as \"MODEL_A,MODEL_B\""
                            : "splits into candidates' models in more than one way"));
        }
        int[] pair = found.get(0);
        if (pair[0] == pair[1]) {
            throw new IllegalArgumentException("cmp_results key \"" + key + "\" compares a model with itself");
        }
        return pair;
    }

    private static String describe(JsonNode v) {
        String s = String.valueOf(v);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
