package io.llmblender.eval.routing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a {@link RoutingEvaluation}: rows over all queries (each LLM alone, random, the oracle, each router's
 * choice), rows over the queries the ranker scored (the same baselines there, the ranker's pick among all N, the
 * router's top-k with the ranker choosing, the adaptive mode at 1.5 and 2 calls per query), the cost curves and the
 * gap each curve recovers. Immutable and thread-safe.
 *
 * @param metric the reference metric
 * @param lowerIsBetter whether smaller scores are better
 * @param llms the LLMs routed between
 * @param costUnit the unit of {@link SystemRow#costPerQuery()} and of the {@link CostAxis#COST} axis
 * @param rows the rows over all {@link RoutingTable#size()} queries
 * @param rankedQueries how many queries the ranker scored (0 without a ranker)
 * @param rankedRows the rows over those queries (empty without a ranker)
 * @param curves the cost curves
 * @param recoveries curve name to the gap it recovers (absent for a curve whose gap is zero)
 * @param routerChoices router name to the share of all queries it sends to each LLM (every LLM listed, in LLM order)
 */
public record RoutingReport(
        String metric,
        boolean lowerIsBetter,
        List<String> llms,
        String costUnit,
        List<SystemRow> rows,
        int rankedQueries,
        List<SystemRow> rankedRows,
        List<CostCurve> curves,
        Map<String, GapRecovery> recoveries,
        Map<String, Map<String, Double>> routerChoices) {

    /**
     * Copies the collections.
     *
     * @param metric the metric
     * @param lowerIsBetter the orientation
     * @param llms the LLMs
     * @param costUnit the unit
     * @param rows rows over all queries
     * @param rankedQueries queries with ranker matrices
     * @param rankedRows rows over them
     * @param curves the curves
     * @param recoveries the recoveries
     * @param routerChoices the routers' choice shares
     */
    public RoutingReport {
        llms = List.copyOf(llms);
        rows = List.copyOf(rows);
        rankedRows = List.copyOf(rankedRows);
        curves = List.copyOf(curves);
        recoveries = Collections.unmodifiableMap(new LinkedHashMap<>(recoveries));
        Map<String, Map<String, Double>> choices = new LinkedHashMap<>();
        routerChoices.forEach((k, v) -> choices.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        routerChoices = Collections.unmodifiableMap(choices);
    }

    /**
     * A row by name.
     *
     * @param ranked true for the rows over the ranked queries
     * @param name the row's name
     * @return the row
     * @throws IllegalArgumentException naming the row when there is none of that name
     */
    public SystemRow row(boolean ranked, String name) {
        for (SystemRow r : ranked ? rankedRows : rows) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException(
                "no row '" + name + "' among the " + (ranked ? "ranked" : "all-query") + " rows");
    }

    /**
     * A curve by name.
     *
     * @param name the curve's name
     * @return the curve
     * @throws IllegalArgumentException naming the curve when there is none of that name
     */
    public CostCurve curve(String name) {
        for (CostCurve c : curves) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no curve '" + name + "'");
    }
}
