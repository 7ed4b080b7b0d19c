package io.llmblender.eval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.eval.SelectionMetrics.Correlations;
import io.llmblender.eval.SelectionMetrics.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** Renders {@link SelectionMetrics} as a text table or as JSON. */
public final class EvalReport {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private EvalReport() {}

    /**
     * The report as lines of text: a heading, one row per LLM, then random, oracle and the selection (when the records
     * were ranked), with the columns count, mean metric, share first (percent) and mean rank, and a last line with the
     * mean correlations (when ranked).
     *
     * <pre>
     * metric correct (higher is better), 3 records
     * name                 count  mean metric  share first  mean rank
     * llama                    3       0.4000       33.33%     2.5000
     * ...
     * random                   3       0.5333       55.56%     2.0000
     * oracle                   3       0.7667      100.00%     1.3333
     * selection (pairrm)       3       0.5333       33.33%     2.1667
     * pairrm vs correct: Spearman 0.6830, Kendall tau-b 0.5749, mean over 2 records (1 undefined: ...)
     * </pre>
     *
     * @param m the metrics
     * @return the lines, without line separators
     */
    public static List<String> table(SelectionMetrics m) {
        List<Row> rows = new ArrayList<>(m.llms());
        rows.add(m.random());
        rows.add(m.oracle());
        m.selection().ifPresent(rows::add);
        int width = "name".length();
        for (Row r : rows) {
            width = Math.max(width, r.name().length());
        }
        String format = "%-" + width + "s  %6s  %11s  %11s  %9s";
        List<String> lines = new ArrayList<>();
        lines.add("metric " + m.metric() + (m.lowerIsBetter() ? " (lower is better), " : " (higher is better), ")
                + m.records() + (m.records() == 1 ? " record" : " records"));
        lines.add(String.format(Locale.ROOT, format, "name", "count", "mean metric", "share first", "mean rank"));
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (i == m.llms().size()) {
                lines.add("-".repeat(width + 2 + 6 + 2 + 11 + 2 + 11 + 2 + 9));
            }
            lines.add(String.format(
                    Locale.ROOT,
                    format,
                    r.name(),
                    r.count(),
                    number(r.meanMetric()),
                    String.format(Locale.ROOT, "%.2f%%", 100 * r.shareFirst()),
                    number(r.meanRank())));
        }
        m.correlations().ifPresent(c -> lines.add(correlationLine(m, c)));
        return List.copyOf(lines);
    }

    /**
     * The report as JSON: {@code metric}, {@code lower_is_better}, {@code records}, {@code llms} (rows),
     * {@code random}, {@code oracle}, {@code selection} (a row or null), {@code ranker} and {@code aggregation}
     * (strings or null), {@code correlations} ({@code spearman}, {@code kendall_tau_b} (numbers, null when undefined
     * in every record), {@code records}, {@code undefined}; or null when unranked). A row has {@code name},
     * {@code count}, {@code mean_metric}, {@code share_first} (in [0, 1]) and {@code mean_rank}. Numbers are not
     * rounded.
     *
     * @param m the metrics
     * @return a new JSON object
     */
    public static ObjectNode json(SelectionMetrics m) {
        ObjectNode o = NODES.objectNode();
        o.put("metric", m.metric());
        o.put("lower_is_better", m.lowerIsBetter());
        o.put("records", m.records());
        var llms = o.putArray("llms");
        m.llms().forEach(r -> llms.add(row(r)));
        o.set("random", row(m.random()));
        o.set("oracle", row(m.oracle()));
        o.set("selection", m.selection().map(EvalReport::row).orElse(null));
        o.put("ranker", m.ranker().orElse(null));
        o.put("aggregation", m.aggregation().orElse(null));
        if (m.correlations().isPresent()) {
            Correlations c = m.correlations().get();
            ObjectNode co = o.putObject("correlations");
            putOptional(co, "spearman", c.spearman());
            putOptional(co, "kendall_tau_b", c.kendallTauB());
            co.put("records", c.records());
            co.put("undefined", c.undefined());
        } else {
            o.putNull("correlations");
        }
        return o;
    }

    private static String correlationLine(SelectionMetrics m, Correlations c) {
        String ranker = m.ranker().orElse("ranker");
        String head = "rank correlation of " + ranker + "'s scores with " + m.metric()
                + (m.lowerIsBetter() ? " (negated, as lower is better)" : "") + ": ";
        String undefined = c.undefined() == 0
                ? ""
                : "; " + c.undefined() + " undefined (fewer than 2 candidates, or all scores or all " + m.metric()
                        + " values tied)";
        if (c.records() == 0) {
            return head + "undefined in every record" + undefined;
        }
        return head + "Spearman " + number(c.spearman().orElseThrow()) + ", Kendall tau-b "
                + number(c.kendallTauB().orElseThrow()) + ", mean over " + c.records()
                + (c.records() == 1 ? " record" : " records") + undefined;
    }

    private static ObjectNode row(Row r) {
        ObjectNode o = NODES.objectNode();
        o.put("name", r.name());
        o.put("count", r.count());
        o.put("mean_metric", r.meanMetric());
        o.put("share_first", r.shareFirst());
        o.put("mean_rank", r.meanRank());
        return o;
    }

    private static void putOptional(ObjectNode o, String field, OptionalDouble value) {
        if (value.isPresent()) {
            o.put(field, value.getAsDouble());
        } else {
            o.putNull(field);
        }
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
