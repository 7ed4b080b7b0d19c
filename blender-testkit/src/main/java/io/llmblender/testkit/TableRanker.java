package io.llmblender.testkit;

import io.llmblender.core.rank.PairQuery;
import java.util.Map;

/**
 * Answers every requested pair (i, j) with {@code table[i][j]} from a fixed table, one table for
 * all sources or one per source text.
 */
public final class TableRanker extends RecordingRanker {

    private final double[][] table;
    private final Map<String, double[][]> bySource;

    public TableRanker(double[][] table) {
        this.table = table;
        this.bySource = null;
    }

    private TableRanker(Map<String, double[][]> bySource) {
        this.table = null;
        this.bySource = Map.copyOf(bySource);
    }

    /** A ranker that looks the table up by the query's source text. */
    public static TableRanker bySource(Map<String, double[][]> tables) {
        return new TableRanker(tables);
    }

    @Override
    protected double logit(PairQuery query, int i, int j) {
        double[][] t = table != null ? table : bySource.get(query.source());
        if (t == null) {
            throw new AssertionError("no table for source " + query.source());
        }
        return t[i][j];
    }
}
