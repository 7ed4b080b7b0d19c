package io.llmblender.eval.routing;

import io.llmblender.eval.ReferenceMetric;
import io.llmblender.eval.dataset.DatasetRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A routing problem: queries, a fixed list of N LLMs, every LLM's answer to every query and a reference score of each
 * answer. Row {@code q}, column {@code i} is LLM {@code llms().get(i)} on query {@code q}. Built from MixInstruct
 * records by {@link #from}, which keeps only the records where every chosen LLM has exactly one candidate carrying the
 * metric, or directly by {@link #of}.
 *
 * <p>Scores are stored as given; {@link #good(int, int)} orients them so that higher is better (negated for a
 * lower-is-better metric). A candidate is <b>first</b> on its query when no candidate is better (ties all count as
 * first); its <b>reference rank</b> is 1 plus the number of better candidates plus half the number of other candidates
 * tied with it (the definitions of {@link io.llmblender.eval.SelectionMetrics}).
 *
 * <p>Immutable and thread-safe; accessors return copies or unmodifiable lists.
 */
public final class RoutingTable {

    /** The default share of records on which an LLM must carry the metric to be chosen by {@link #from}: 0.9. */
    public static final double DEFAULT_MIN_COVERAGE = 0.9;

    private final String metric;
    private final boolean lowerIsBetter;
    private final List<String> ids;
    private final List<String> queries;
    private final List<String> llms;
    private final String[][] answers;
    private final double[][] scores;
    private final int dropped;

    private RoutingTable(
            String metric,
            boolean lowerIsBetter,
            List<String> ids,
            List<String> queries,
            List<String> llms,
            String[][] answers,
            double[][] scores,
            int dropped) {
        this.metric = metric;
        this.lowerIsBetter = lowerIsBetter;
        this.ids = List.copyOf(ids);
        this.queries = List.copyOf(queries);
        this.llms = List.copyOf(llms);
        this.answers = answers;
        this.scores = scores;
        this.dropped = dropped;
    }

    /**
     * A table from arrays.
     *
     * @param metric the reference metric's name
     * @param lowerIsBetter true for a loss or a rank
     * @param ids one id per query
     * @param queries the query texts
     * @param llms the LLMs, at least one, distinct
     * @param answers {@code answers[q][i]}: LLM {@code i}'s answer to query {@code q}
     * @param scores {@code scores[q][i]}: its reference score, finite
     * @return the table (the arrays are copied)
     * @throws IllegalArgumentException naming the field and value on an empty table, sizes that disagree, a repeated
     *     LLM or a score that is not finite
     * @throws NullPointerException if an argument or element is null
     */
    public static RoutingTable of(
            String metric,
            boolean lowerIsBetter,
            List<String> ids,
            List<String> queries,
            List<String> llms,
            String[][] answers,
            double[][] scores) {
        return of(metric, lowerIsBetter, ids, queries, llms, answers, scores, 0);
    }

    private static RoutingTable of(
            String metric,
            boolean lowerIsBetter,
            List<String> ids,
            List<String> queries,
            List<String> llms,
            String[][] answers,
            double[][] scores,
            int dropped) {
        Objects.requireNonNull(metric, "metric");
        int n = queries.size();
        if (n == 0) {
            throw new IllegalArgumentException("a routing table needs at least one query, found 0");
        }
        if (llms.isEmpty()) {
            throw new IllegalArgumentException("llms must name at least one LLM, found []");
        }
        if (llms.stream().distinct().count() != llms.size()) {
            throw new IllegalArgumentException("llms must be distinct, found " + llms);
        }
        if (ids.size() != n || answers.length != n || scores.length != n) {
            throw new IllegalArgumentException("ids, queries, answers and scores must have one entry per query, found "
                    + ids.size() + ", " + n + ", " + answers.length + " and " + scores.length);
        }
        String[][] a = new String[n][];
        double[][] s = new double[n][];
        for (int q = 0; q < n; q++) {
            Objects.requireNonNull(queries.get(q), "queries[" + q + "]");
            if (answers[q].length != llms.size() || scores[q].length != llms.size()) {
                throw new IllegalArgumentException(
                        "answers[" + q + "] and scores[" + q + "] must have one entry per LLM (" + llms.size()
                                + "), found " + answers[q].length + " and " + scores[q].length);
            }
            for (int i = 0; i < llms.size(); i++) {
                Objects.requireNonNull(answers[q][i], "answers[" + q + "][" + i + "]");
                if (!Double.isFinite(scores[q][i])) {
                    throw new IllegalArgumentException(
                            "scores[" + q + "][" + i + "] must be finite, found " + scores[q][i]);
                }
            }
            a[q] = answers[q].clone();
            s[q] = scores[q].clone();
        }
        return new RoutingTable(metric, lowerIsBetter, ids, queries, llms, a, s, dropped);
    }

    /**
     * A table from dataset records. The query of a record is {@code instruction + input} (what the {@code rank}
     * command ranks against).
     *
     * @param records the records
     * @param metric the reference metric (a score name; {@value ReferenceMetric#GPT_RANK} is not supported here)
     * @param llms the LLMs to route between, in this order; empty to choose every model that carries the metric on at
     *     least {@code minCoverage} of the records, in order of first appearance
     * @param minCoverage in {@code [0, 1]}, used only when {@code llms} is empty
     * @return the table of the records where every chosen LLM has exactly one candidate with the metric;
     *     {@link #dropped()} counts the others
     * @throws IllegalArgumentException if no record is left, fewer than two LLMs are chosen, or {@code minCoverage} is
     *     outside {@code [0, 1]}, naming the value
     */
    public static RoutingTable from(
            List<DatasetRecord> records, ReferenceMetric metric, List<String> llms, double minCoverage) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(llms, "llms");
        if (!(minCoverage >= 0 && minCoverage <= 1)) {
            throw new IllegalArgumentException("minCoverage must be in [0, 1], found " + minCoverage);
        }
        String name = metric.name();
        List<String> chosen = llms;
        if (chosen.isEmpty()) {
            Map<String, Integer> coverage = new LinkedHashMap<>();
            for (DatasetRecord r : records) {
                for (DatasetRecord.Candidate c : r.candidates()) {
                    coverage.merge(c.model(), c.scores().containsKey(name) ? 1 : 0, Integer::sum);
                }
            }
            List<String> pick = new ArrayList<>();
            coverage.forEach((model, count) -> {
                if (count > 0 && count >= minCoverage * records.size()) {
                    pick.add(model);
                }
            });
            chosen = pick;
        }
        if (chosen.size() < 2) {
            throw new IllegalArgumentException("routing needs at least two LLMs with the metric '" + name + "', found "
                    + chosen + (llms.isEmpty() ? " (LLMs scored on at least " + minCoverage + " of the records)" : ""));
        }
        List<String> ids = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        List<String[]> answers = new ArrayList<>();
        List<double[]> scores = new ArrayList<>();
        int dropped = 0;
        for (DatasetRecord r : records) {
            String[] a = new String[chosen.size()];
            double[] s = new double[chosen.size()];
            boolean complete = true;
            for (int i = 0; i < chosen.size() && complete; i++) {
                int found = 0;
                for (DatasetRecord.Candidate c : r.candidates()) {
                    if (c.model().equals(chosen.get(i)) && c.scores().containsKey(name)) {
                        found++;
                        a[i] = c.text();
                        s[i] = c.scores().get(name);
                    }
                }
                complete = found == 1 && Double.isFinite(s[i]);
            }
            if (!complete) {
                dropped++;
                continue;
            }
            ids.add(r.id());
            queries.add(r.instruction() + r.input());
            answers.add(a);
            scores.add(s);
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("no record has a '" + name + "' score for every one of " + chosen + " ("
                    + dropped + " records dropped)");
        }
        return of(
                name,
                metric.lowerIsBetter(),
                ids,
                queries,
                chosen,
                answers.toArray(String[][]::new),
                scores.toArray(double[][]::new),
                dropped);
    }

    /**
     * The rows of the given queries, in the given order.
     *
     * @param rows query indices, each in {@code [0, size())}, at least one
     * @return a new table; {@link #dropped()} is carried over
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public RoutingTable subset(List<Integer> rows) {
        List<String> i2 = new ArrayList<>();
        List<String> q2 = new ArrayList<>();
        String[][] a = new String[rows.size()][];
        double[][] s = new double[rows.size()][];
        for (int k = 0; k < rows.size(); k++) {
            int q = rows.get(k);
            i2.add(ids.get(q));
            q2.add(queries.get(q));
            a[k] = answers[q];
            s[k] = scores[q];
        }
        return of(metric, lowerIsBetter, i2, q2, llms, a, s, dropped);
    }

    /** @return the reference metric's name */
    public String metric() {
        return metric;
    }

    /** @return true when smaller scores are better */
    public boolean lowerIsBetter() {
        return lowerIsBetter;
    }

    /** @return the number of queries, at least 1 */
    public int size() {
        return queries.size();
    }

    /** @return the records {@link #from} left out because some chosen LLM had no score there; 0 for {@link #of} */
    public int dropped() {
        return dropped;
    }

    /** @return the query ids, unmodifiable */
    public List<String> ids() {
        return ids;
    }

    /** @return the query texts, unmodifiable */
    public List<String> queries() {
        return queries;
    }

    /** @return the LLMs in column order, unmodifiable */
    public List<String> llms() {
        return llms;
    }

    /**
     * One answer.
     *
     * @param q the query index
     * @param i the LLM index
     * @return LLM {@code i}'s answer to query {@code q}
     */
    public String answer(int q, int i) {
        return answers[q][i];
    }

    /**
     * The answers to one query, in LLM order.
     *
     * @param q the query index
     * @return a new unmodifiable list
     */
    public List<String> answers(int q) {
        return List.of(answers[q]);
    }

    /**
     * One reference score as given.
     *
     * @param q the query index
     * @param i the LLM index
     * @return the score
     */
    public double score(int q, int i) {
        return scores[q][i];
    }

    /**
     * One reference score oriented so that higher is better.
     *
     * @param q the query index
     * @param i the LLM index
     * @return the score, negated for a lower-is-better metric
     */
    public double good(int q, int i) {
        return lowerIsBetter ? -scores[q][i] : scores[q][i];
    }

    /**
     * The index of a best LLM on a query (the first among ties).
     *
     * @param q the query index
     * @return the LLM index
     */
    public int best(int q) {
        int b = 0;
        for (int i = 1; i < llms.size(); i++) {
            if (good(q, i) > good(q, b)) {
                b = i;
            }
        }
        return b;
    }

    /**
     * Whether an answer is first on its query: no answer is better.
     *
     * @param q the query index
     * @param i the LLM index
     * @return true for every answer tied for best
     */
    public boolean first(int q, int i) {
        return good(q, i) >= good(q, best(q));
    }

    /**
     * An answer's reference rank on its query, ties averaged: 1 + better answers + half the other answers tied with
     * it.
     *
     * @param q the query index
     * @param i the LLM index
     * @return the rank in {@code [1, N]}
     */
    public double rank(int q, int i) {
        double r = 1;
        for (int j = 0; j < llms.size(); j++) {
            if (j != i) {
                r += good(q, j) > good(q, i) ? 1 : good(q, j) == good(q, i) ? 0.5 : 0;
            }
        }
        return r;
    }
}
