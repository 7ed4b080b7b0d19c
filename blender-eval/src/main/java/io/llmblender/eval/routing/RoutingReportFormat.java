package io.llmblender.eval.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Renders a {@link RoutingReport} as text tables (for a terminal) or as JSON. The JSON holds {@code metric},
 * {@code lower_is_better}, {@code llms}, {@code cost_unit}, {@code rows} and {@code ranked_rows} (each
 * {@code name, queries, calls_per_query, cost_per_query, mean_score, share_first, mean_rank}), {@code ranked_queries},
 * {@code router_choices} (router to LLM to the share of queries it sends there), and {@code curves} (each {@code name, axis, points: [{calls, cost, quality, setting}]} and, where the gap is not
 * zero, {@code gap: {low, high, apgr, cost_for_50pct, cost_for_80pct}}, a cost being {@code null} where the curve
 * never reaches it). Numbers are rounded to 4 decimals. Stateless and thread-safe.
 */
public final class RoutingReportFormat {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RoutingReportFormat() {}

    /**
     * The report as JSON.
     *
     * @param report the report
     * @return a new object
     */
    public static ObjectNode json(RoutingReport report) {
        ObjectNode o = JSON.createObjectNode();
        o.put("metric", report.metric());
        o.put("lower_is_better", report.lowerIsBetter());
        ArrayNode llms = o.putArray("llms");
        report.llms().forEach(llms::add);
        o.put("cost_unit", report.costUnit());
        rows(o.putArray("rows"), report.rows());
        o.put("ranked_queries", report.rankedQueries());
        rows(o.putArray("ranked_rows"), report.rankedRows());
        ObjectNode choices = o.putObject("router_choices");
        report.routerChoices().forEach((router, shares) -> {
            ObjectNode c = choices.putObject(router);
            shares.forEach((llm, share) -> c.put(llm, round(share)));
        });
        ArrayNode curves = o.putArray("curves");
        for (CostCurve c : report.curves()) {
            ObjectNode co = curves.addObject();
            co.put("name", c.name());
            co.put("axis", c.axis().name().toLowerCase(Locale.ROOT));
            ArrayNode pts = co.putArray("points");
            for (CurvePoint p : c.points()) {
                ObjectNode po = pts.addObject();
                po.put("calls", round(p.calls()));
                po.put("cost", round(p.cost()));
                po.put("quality", round(p.quality()));
                po.put("setting", p.setting());
            }
            GapRecovery g = report.recoveries().get(c.name());
            if (g != null) {
                ObjectNode go = co.putObject("gap");
                go.put("low", round(g.low()));
                go.put("high", round(g.high()));
                go.put("apgr", round(g.apgr()));
                put(go, "cost_for_50pct", g.costFor50());
                put(go, "cost_for_80pct", g.costFor80());
            }
        }
        return o;
    }

    /**
     * The report as text: the rows over all queries, the rows over the ranked queries (one table when the ranker
     * scored every query), and one line per curve with its APGR and costs for 50% and 80% of the gap.
     *
     * @param report the report
     * @return the lines
     */
    public static List<String> table(RoutingReport report) {
        List<String> out = new ArrayList<>();
        String unit = report.costUnit();
        out.add(String.format(
                Locale.ROOT,
                "%d LLMs, metric %s%s; cost in %s",
                report.llms().size(),
                report.metric(),
                report.lowerIsBetter() ? " (lower is better)" : "",
                unit));
        out.add("");
        int all = report.rows().isEmpty() ? 0 : report.rows().get(0).queries();
        boolean everyRanked =
                report.rankedQueries() == all && !report.rankedRows().isEmpty();
        if (everyRanked) {
            out.add("all " + all + " queries (the ranker scored every one):");
            table(out, report.rankedRows());
        } else {
            out.add("all " + all + " queries:");
            table(out, report.rows());
        }
        if (!report.rankedRows().isEmpty() && !everyRanked) {
            out.add("");
            out.add("the " + report.rankedQueries() + " queries the ranker scored:");
            table(out, report.rankedRows());
        }
        report.routerChoices().forEach((router, shares) -> {
            StringBuilder b = new StringBuilder(router + " sends:");
            shares.entrySet().stream()
                    .filter(e -> e.getValue() > 0)
                    .sorted((a, c) -> Double.compare(c.getValue(), a.getValue()))
                    .forEach(e -> b.append(String.format(Locale.ROOT, " %s %.1f%%,", e.getKey(), 100 * e.getValue())));
            out.add(b.substring(0, b.length() - 1));
        });
        if (!report.curves().isEmpty()) {
            out.add("");
            out.add(String.format(Locale.ROOT, "%-72s %7s %12s %12s", "curve", "APGR", "cost 50% gap", "cost 80% gap"));
            for (CostCurve c : report.curves()) {
                GapRecovery g = report.recoveries().get(c.name());
                out.add(String.format(
                        Locale.ROOT,
                        "%-72s %7s %12s %12s",
                        c.name() + " [" + c.axis().name().toLowerCase(Locale.ROOT) + "]",
                        g == null ? "-" : String.format(Locale.ROOT, "%.3f", g.apgr()),
                        g == null ? "-" : cost(g.costFor50()),
                        g == null ? "-" : cost(g.costFor80())));
            }
        }
        return out;
    }

    private static void table(List<String> out, List<SystemRow> rows) {
        out.add(String.format(
                Locale.ROOT,
                "  %-56s %8s %10s %10s %8s %8s",
                "system",
                "calls/q",
                "cost/q",
                "mean score",
                "first",
                "rank"));
        for (SystemRow r : rows) {
            out.add(String.format(
                    Locale.ROOT,
                    "  %-56s %8.2f %10.4g %10.4f %7.1f%% %8.2f",
                    r.name(),
                    r.callsPerQuery(),
                    r.costPerQuery(),
                    r.meanScore(),
                    100 * r.shareFirst(),
                    r.meanRank()));
        }
    }

    private static String cost(OptionalDouble c) {
        return c.isPresent() ? String.format(Locale.ROOT, "%.4g", c.getAsDouble()) : "never";
    }

    private static void rows(ArrayNode a, List<SystemRow> rows) {
        for (SystemRow r : rows) {
            ObjectNode o = a.addObject();
            o.put("name", r.name());
            o.put("queries", r.queries());
            o.put("calls_per_query", round(r.callsPerQuery()));
            o.put("cost_per_query", round(r.costPerQuery()));
            o.put("mean_score", round(r.meanScore()));
            o.put("share_first", round(r.shareFirst()));
            o.put("mean_rank", round(r.meanRank()));
        }
    }

    private static void put(ObjectNode o, String field, OptionalDouble v) {
        if (v.isPresent()) {
            o.put(field, round(v.getAsDouble()));
        } else {
            o.putNull(field);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
