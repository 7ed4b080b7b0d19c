package io.llmblender.eval.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Compares routing and selection systems on a {@link RoutingTable}: each LLM alone, random, the oracle, routers (their
 * out-of-fold {@link RouterPredictions}), a ranker's pick ({@link RankerMatrices}), the router's top-k with the ranker
 * choosing, and the adaptive mode (answer with the router's choice when it is sure, otherwise ask its top-k and let
 * the ranker choose), with cost curves and the gap they recover ({@link GapRecovery}). Pure computation: no model
 * runs here; training and scoring happen before (the {@code blender eval-routing} command does both).
 *
 * <p><b>Systems</b> (rows, each with calls and cost per query, mean score, share first, mean rank):
 * <ul>
 *   <li>{@code NAME alone}: always LLM NAME, one call;</li>
 *   <li>{@code random}: the expectation of asking one LLM picked uniformly, one call;</li>
 *   <li>{@code oracle}: a best answer of every query at the price of one call to its (cheapest best) LLM, i.e. a
 *       perfect router; an upper bound;</li>
 *   <li>{@code ROUTER}: each router's choice, one call;</li>
 *   <li>over the ranked queries only, besides the above: {@code ranker pick of all N} (N calls),
 *       {@code ROUTER top-k + ranker} (k calls, the ranker choosing among the router's k most probable LLMs) and
 *       {@code ROUTER adaptive top-k at C calls} for C in 1.5 and 2 where C does not exceed k.</li>
 * </ul>
 *
 * <p><b>Curves.</b> Adaptive (axis calls, over the ranked queries): the queries sorted by the router's confidence,
 * least confident first (ties by query order), the first {@code s} of them fanned out to the top-k and the ranker's
 * pick returned, the rest answered by the router's choice, for {@code s/n} = 0, 1/steps, ..., 1: calls per query run
 * from 1 to k. Fanning out the least confident share {@code s} is a confidence threshold at that quantile, which is
 * how {@link io.llmblender.core.route.ConfidenceCalibration} sets thresholds in the adaptive mode. Beside each, the
 * same with a perfect ranker (a best answer of the top-k), a bound. Its gap: from the best single LLM (PGR 0) to the
 * oracle (PGR 1) over the same queries. Price-weighted (axis cost, over all queries, only when prices are not unit
 * prices): each query goes to {@code argmax_i p_i - lambda * price_i / max price} for lambda from 0 until every query
 * goes to the cheapest LLM; its gap: from the cheapest LLM alone to the best single LLM, RouteLLM's weak-to-strong gap
 * (for two LLMs, RouteLLM's threshold curve).
 *
 * <p>Stateless and thread-safe.
 */
public final class RoutingEvaluation {

    /** The default number of steps of each adaptive curve: 20 (fan-out shares 0, 0.05, ..., 1). */
    public static final int DEFAULT_STEPS = 20;

    /** The calls per query at which the adaptive mode gets a row: 1.5 and 2. */
    public static final List<Double> ADAPTIVE_CALLS = List.of(1.5, 2.0);

    private RoutingEvaluation() {}

    /**
     * Evaluates.
     *
     * @param table the queries, answers and reference scores
     * @param prices a price for every LLM of the table ({@link Prices#calls} to count calls)
     * @param routers out-of-fold predictions over the table's queries, in its LLM order; may be empty
     * @param ranker the ranker's matrices over some of the queries, or empty for no ranker rows and curves
     * @param topKs the fan-out sizes, each in {@code [2, N]}
     * @param steps steps of each adaptive curve, at least 1
     * @return the report
     * @throws IllegalArgumentException naming the value when a router's size or LLM count differs from the table's, a
     *     price is missing, a matrix is of another size or for a query outside the table, a k is outside
     *     {@code [2, N]} or {@code steps < 1}
     */
    public static RoutingReport evaluate(
            RoutingTable table,
            Prices prices,
            List<RouterPredictions> routers,
            Optional<RankerMatrices> ranker,
            List<Integer> topKs,
            int steps) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(prices, "prices");
        Objects.requireNonNull(routers, "routers");
        Objects.requireNonNull(ranker, "ranker");
        int n = table.llms().size();
        prices.requireAll(table.llms());
        for (RouterPredictions r : routers) {
            if (r.size() != table.size() || r.llmCount() != n) {
                throw new IllegalArgumentException("router '" + r.name() + "' predicts " + r.size() + " queries over "
                        + r.llmCount() + " LLMs; the table has " + table.size() + " over " + n);
            }
        }
        for (int k : topKs) {
            if (k < 2 || k > n) {
                throw new IllegalArgumentException("top-k must be in [2, " + n + "], found " + k);
            }
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, found " + steps);
        }
        double[] price = new double[n];
        for (int i = 0; i < n; i++) {
            price[i] = prices.of(table.llms().get(i));
        }
        List<Integer> all = new ArrayList<>();
        for (int q = 0; q < table.size(); q++) {
            all.add(q);
        }
        List<SystemRow> rows = baselines(table, all, price, routers);
        List<CostCurve> curves = new ArrayList<>();
        Map<String, GapRecovery> recoveries = new LinkedHashMap<>();
        if (!prices.unit().equals(Prices.CALLS)) {
            int cheapest = 0;
            for (int i = 1; i < n; i++) {
                if (price[i] < price[cheapest]) {
                    cheapest = i;
                }
            }
            double low = rows.get(cheapest).meanScore();
            double high = bestSingle(table, rows.subList(0, n)).meanScore();
            for (RouterPredictions r : routers) {
                CostCurve c = priceWeighted(table, r, price);
                curves.add(c);
                if (low != high) {
                    recoveries.put(c.name(), GapRecovery.of(c, low, high));
                }
            }
        }
        List<SystemRow> rankedRows = new ArrayList<>();
        int rankedQueries = 0;
        if (ranker.isPresent()) {
            RankerMatrices m = ranker.get();
            List<Integer> ranked = new ArrayList<>(m.queries());
            if (!ranked.isEmpty() && m.size() != n) {
                throw new IllegalArgumentException(
                        "the ranker's matrices are " + m.size() + " x " + m.size() + "; the table has " + n + " LLMs");
            }
            for (int q : ranked) {
                if (q >= table.size()) {
                    throw new IllegalArgumentException(
                            "the ranker scored query " + q + ", but the table has " + table.size() + " queries");
                }
            }
            rankedQueries = ranked.size();
            if (!ranked.isEmpty()) {
                rankedRows.addAll(baselines(table, ranked, price, routers));
                int[] everyone = new int[n];
                for (int i = 0; i < n; i++) {
                    everyone[i] = i;
                }
                double allPrice = 0;
                for (double p : price) {
                    allPrice += p;
                }
                int[] pick = new int[table.size()];
                for (int q : ranked) {
                    pick[q] = m.select(q, everyone);
                }
                rankedRows.add(row(table, "ranker pick of all " + n, ranked, q -> pick[q], n, allPrice));
                double low = bestSingle(table, rankedRows.subList(0, n)).meanScore();
                double high = rankedRows.get(n + 1).meanScore();
                for (RouterPredictions r : routers) {
                    for (int k : topKs) {
                        int kk = k;
                        rankedRows.add(row(
                                table,
                                r.name() + " top-" + k + " + ranker",
                                ranked,
                                q -> m.select(q, r.topK(q, kk)),
                                k,
                                topPrice(r, price, kk, ranked)));
                        CostCurve real = adaptive(table, r, m, ranked, price, k, steps, false);
                        CostCurve bound = adaptive(table, r, m, ranked, price, k, steps, true);
                        curves.add(real);
                        curves.add(bound);
                        if (low != high) {
                            recoveries.put(real.name(), GapRecovery.of(real, low, high));
                            recoveries.put(bound.name(), GapRecovery.of(bound, low, high));
                        }
                        for (double calls : ADAPTIVE_CALLS) {
                            if (calls <= k) {
                                rankedRows.add(adaptiveRow(table, r, m, ranked, price, k, calls));
                            }
                        }
                    }
                }
            }
        }
        Map<String, Map<String, Double>> choices = new LinkedHashMap<>();
        for (RouterPredictions r : routers) {
            Map<String, Double> share = new LinkedHashMap<>();
            table.llms().forEach(l -> share.put(l, 0.0));
            for (int q = 0; q < table.size(); q++) {
                share.merge(table.llms().get(r.chosen(q)), 1.0 / table.size(), Double::sum);
            }
            choices.put(r.name(), share);
        }
        return new RoutingReport(
                table.metric(),
                table.lowerIsBetter(),
                table.llms(),
                prices.unit(),
                rows,
                rankedQueries,
                rankedRows,
                curves,
                recoveries,
                choices);
    }

    /** The first row with the best mean score, by the metric's orientation. */
    static SystemRow bestSingle(RoutingTable table, List<SystemRow> llmRows) {
        Comparator<SystemRow> byScore = Comparator.comparingDouble(SystemRow::meanScore);
        SystemRow best = llmRows.get(0);
        for (SystemRow r : llmRows) {
            if (table.lowerIsBetter() ? byScore.compare(r, best) < 0 : byScore.compare(r, best) > 0) {
                best = r;
            }
        }
        return best;
    }

    private static List<SystemRow> baselines(
            RoutingTable table, List<Integer> queries, double[] price, List<RouterPredictions> routers) {
        int n = table.llms().size();
        List<SystemRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int ii = i;
            rows.add(row(table, table.llms().get(i) + " alone", queries, q -> ii, 1, price[i]));
        }
        double score = 0;
        double first = 0;
        double rank = 0;
        double cost = 0;
        for (int q : queries) {
            for (int i = 0; i < n; i++) {
                score += table.score(q, i) / n;
                first += table.first(q, i) ? 1.0 / n : 0;
                rank += table.rank(q, i) / n;
            }
        }
        for (double p : price) {
            cost += p / n;
        }
        int m = queries.size();
        rows.add(new SystemRow("random", m, 1, cost, score / m, first / m, rank / m));
        score = 0;
        rank = 0;
        cost = 0;
        for (int q : queries) {
            int b = table.best(q);
            int cheapestBest = b;
            for (int i = 0; i < n; i++) {
                if (table.first(q, i) && price[i] < price[cheapestBest]) {
                    cheapestBest = i;
                }
            }
            score += table.score(q, b);
            rank += table.rank(q, b);
            cost += price[cheapestBest];
        }
        rows.add(new SystemRow("oracle", m, 1, cost / m, score / m, 1.0, rank / m));
        for (RouterPredictions r : routers) {
            double c = 0;
            for (int q : queries) {
                c += price[r.chosen(q)];
            }
            rows.add(row(table, r.name(), queries, r::chosen, 1, c / m));
        }
        return rows;
    }

    /** Which LLM's answer a system returns for a query. */
    private interface Choice {
        int of(int q);
    }

    private static SystemRow row(
            RoutingTable table, String name, List<Integer> queries, Choice choice, double calls, double cost) {
        double score = 0;
        double first = 0;
        double rank = 0;
        for (int q : queries) {
            int c = choice.of(q);
            score += table.score(q, c);
            first += table.first(q, c) ? 1 : 0;
            rank += table.rank(q, c);
        }
        int m = queries.size();
        return new SystemRow(name, m, calls, cost, score / m, first / m, rank / m);
    }

    private static double topPrice(RouterPredictions r, double[] price, int k, List<Integer> queries) {
        double s = 0;
        for (int q : queries) {
            for (int i : r.topK(q, k)) {
                s += price[i];
            }
        }
        return s / queries.size();
    }

    /** The ranked queries, least confident first (ties by query order). */
    private static List<Integer> byConfidence(RouterPredictions r, List<Integer> queries) {
        List<Integer> order = new ArrayList<>(queries);
        order.sort((a, b) -> r.confidence(a) != r.confidence(b)
                ? Double.compare(r.confidence(a), r.confidence(b))
                : Integer.compare(a, b));
        return order;
    }

    private static CurvePoint adaptivePoint(
            RoutingTable table,
            RouterPredictions r,
            RankerMatrices m,
            List<Integer> order,
            double[] price,
            int k,
            int fanned,
            boolean perfect,
            String setting) {
        double score = 0;
        double calls = 0;
        double cost = 0;
        for (int j = 0; j < order.size(); j++) {
            int q = order.get(j);
            if (j < fanned) {
                int[] top = r.topK(q, k);
                int pick = top[0];
                if (perfect) {
                    for (int i : top) {
                        if (table.good(q, i) > table.good(q, pick)) {
                            pick = i;
                        }
                    }
                } else {
                    pick = m.select(q, top);
                }
                score += table.score(q, pick);
                calls += top.length;
                for (int i : top) {
                    cost += price[i];
                }
            } else {
                int c = r.chosen(q);
                score += table.score(q, c);
                calls += 1;
                cost += price[c];
            }
        }
        int nq = order.size();
        return new CurvePoint(calls / nq, cost / nq, score / nq, setting);
    }

    private static CostCurve adaptive(
            RoutingTable table,
            RouterPredictions r,
            RankerMatrices m,
            List<Integer> queries,
            double[] price,
            int k,
            int steps,
            boolean perfect) {
        List<Integer> order = byConfidence(r, queries);
        List<CurvePoint> points = new ArrayList<>();
        for (int s = 0; s <= steps; s++) {
            double share = (double) s / steps;
            int fanned = (int) Math.round(share * order.size());
            points.add(adaptivePoint(
                    table,
                    r,
                    m,
                    order,
                    price,
                    k,
                    fanned,
                    perfect,
                    String.format(Locale.ROOT, "fan-out share %.3f", share)));
        }
        return new CostCurve(
                r.name() + " adaptive top-" + k + (perfect ? " (perfect ranker bound)" : ""), CostAxis.CALLS, points);
    }

    private static SystemRow adaptiveRow(
            RoutingTable table,
            RouterPredictions r,
            RankerMatrices m,
            List<Integer> queries,
            double[] price,
            int k,
            double calls) {
        List<Integer> order = byConfidence(r, queries);
        int fanned = (int) Math.round((calls - 1) / (k - 1) * order.size());
        CurvePoint p = adaptivePoint(table, r, m, order, price, k, fanned, false, "");
        double first = 0;
        double rank = 0;
        for (int j = 0; j < order.size(); j++) {
            int q = order.get(j);
            int c = j < fanned ? m.select(q, r.topK(q, k)) : r.chosen(q);
            first += table.first(q, c) ? 1 : 0;
            rank += table.rank(q, c);
        }
        int nq = order.size();
        return new SystemRow(
                r.name() + " adaptive top-" + k + " at " + String.format(Locale.ROOT, "%.1f", calls) + " calls",
                nq,
                p.calls(),
                p.cost(),
                p.quality(),
                first / nq,
                rank / nq);
    }

    private static CostCurve priceWeighted(RoutingTable table, RouterPredictions r, double[] price) {
        int n = price.length;
        double max = 0;
        double minGap = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, price[i]);
            for (int j = 0; j < n; j++) {
                if (price[i] != price[j]) {
                    minGap = Math.min(minGap, Math.abs(price[i] - price[j]));
                }
            }
        }
        List<CurvePoint> points = new ArrayList<>();
        double top = max == 0 || minGap == Double.POSITIVE_INFINITY ? 1 : 1.01 * max / minGap;
        int grid = 80;
        for (int g = 0; g <= grid; g++) {
            double lambda = g == 0 ? 0 : top * Math.pow(1e-4, (double) (grid - g) / (grid - 1));
            double score = 0;
            double cost = 0;
            for (int q = 0; q < table.size(); q++) {
                double[] p = r.probabilities(q);
                int c = 0;
                double bestValue = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double v = p[i] - lambda * (max == 0 ? 0 : price[i] / max);
                    if (v > bestValue) {
                        bestValue = v;
                        c = i;
                    }
                }
                score += table.score(q, c);
                cost += price[c];
            }
            points.add(new CurvePoint(
                    1, cost / table.size(), score / table.size(), String.format(Locale.ROOT, "lambda %.5g", lambda)));
        }
        return new CostCurve(r.name() + " price-weighted", CostAxis.COST, points);
    }
}
