package io.llmblender.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How well a ranker's top-1 selection does against reference values, next to each LLM alone, random selection and
 * the oracle. Immutable.
 *
 * <p>Definitions, per record with {@code n} candidates and reference values {@code v} ("better" is higher, or lower
 * when the metric is a loss or a rank):
 * <ul>
 *   <li><b>reference rank</b> of a candidate: 1 plus the number of better candidates plus half the number of other
 *       candidates that tie with it, i.e. average ranks with 1 = best ({@code [0.8, 0.8, 0.2]} ranks
 *       {@code [1.5, 1.5, 3]}); the ranks of a record always average {@code (n+1)/2};</li>
 *   <li><b>first</b>: a candidate is first when no candidate is better, so every candidate tied for best counts as
 *       first;</li>
 *   <li><b>LLM</b> rows: over the candidates of that model (usually one per record), the mean value, the share that
 *       are first and the mean reference rank;</li>
 *   <li><b>random</b>: the expectation of picking one candidate uniformly at random, not a sample: per record the mean
 *       value, the share of candidates that are first, and {@code (n+1)/2}; averaged over the records;</li>
 *   <li><b>oracle</b>: per record a best candidate: the best value, first by definition, and the average rank of the
 *       {@code t} candidates tied for best, {@code (1+t)/2} (1 unless there is a tie);</li>
 *   <li><b>selection</b>: per record the candidate the ranking {@linkplain RecordRanking#selected() selects} (rank 1);
 *       its value, whether it is first, its reference rank; averaged over the records;</li>
 *   <li><b>correlations</b>: per record, Spearman's rho and Kendall's tau-b ({@link Correlation}) between the ranking's
 *       scores and the reference values oriented so that higher is better (negated for a lower-is-better metric), so
 *       that 1 means the ranker orders the candidates as the reference does; averaged over the records where both
 *       are defined. They are undefined exactly when a record has fewer than 2 candidates or its ranking scores or its
 *       reference values all tie; such records are counted, not averaged.</li>
 * </ul>
 * Every record weighs the same in the random, oracle and selection rows and in the correlations.
 */
public final class SelectionMetrics {

    /**
     * One evaluated record.
     *
     * @param models the candidates' model names, in candidate order
     * @param reference the candidates' reference values, finite, in candidate order
     * @param ranking the record's ranking, if it has one
     */
    public record Item(List<String> models, List<Double> reference, Optional<RecordRanking> ranking) {
        /**
         * Copies and checks.
         *
         * @param models the model names
         * @param reference the reference values
         * @param ranking the ranking, if any
         * @throws IllegalArgumentException if there are no candidates, the lists differ in length, a value is not
         *     finite, or the ranking does not have one rank per candidate
         */
        public Item {
            models = List.copyOf(models);
            reference = List.copyOf(reference);
            Objects.requireNonNull(ranking, "ranking");
            if (models.isEmpty() || models.size() != reference.size()) {
                throw new IllegalArgumentException("an item needs one reference value per candidate and at least one"
                        + " candidate, found " + models.size() + " models and " + reference.size() + " values");
            }
            for (double v : reference) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("reference value " + v + " is not finite");
                }
            }
            if (ranking.isPresent() && ranking.get().ranks().size() != models.size()) {
                throw new IllegalArgumentException("the ranking has "
                        + ranking.get().ranks().size() + " ranks for " + models.size() + " candidates");
            }
        }
    }

    /**
     * One row of the report.
     *
     * @param name the LLM's name, {@code random}, {@code oracle} or {@code selection (RANKER)}
     * @param count how many candidates (LLM rows) or records (other rows) it averages over
     * @param meanMetric the mean reference value
     * @param shareFirst the share of first places, in [0, 1]
     * @param meanRank the mean reference rank, in [1, n]; 1 is best
     */
    public record Row(String name, int count, double meanMetric, double shareFirst, double meanRank) {}

    /**
     * The mean per-record rank correlations between the ranking's scores and the reference.
     *
     * @param spearman the mean Spearman's rho, empty when no record has it defined
     * @param kendallTauB the mean Kendall's tau-b, empty when no record has it defined
     * @param records how many records the means are over
     * @param undefined how many records were left out because the correlations are undefined there
     */
    public record Correlations(OptionalDouble spearman, OptionalDouble kendallTauB, int records, int undefined) {}

    private final String metric;
    private final boolean lowerIsBetter;
    private final int records;
    private final List<Row> llms;
    private final Row random;
    private final Row oracle;
    private final Optional<Row> selection;
    private final Optional<String> ranker;
    private final Optional<String> aggregation;
    private final Optional<Correlations> correlations;

    private SelectionMetrics(
            String metric,
            boolean lowerIsBetter,
            int records,
            List<Row> llms,
            Row random,
            Row oracle,
            Optional<Row> selection,
            Optional<String> ranker,
            Optional<String> aggregation,
            Optional<Correlations> correlations) {
        this.metric = metric;
        this.lowerIsBetter = lowerIsBetter;
        this.records = records;
        this.llms = List.copyOf(llms);
        this.random = random;
        this.oracle = oracle;
        this.selection = selection;
        this.ranker = ranker;
        this.aggregation = aggregation;
        this.correlations = correlations;
    }

    /**
     * Computes the metrics.
     *
     * @param metric the reference metric's name, for the report
     * @param lowerIsBetter true if smaller reference values are better
     * @param items the records; either all carry a ranking, all by the same ranker and aggregation, or none does
     * @return the metrics
     * @throws IllegalArgumentException if there are no items, some but not all carry a ranking, or the rankings come
     *     from different rankers or aggregations
     */
    public static SelectionMetrics compute(String metric, boolean lowerIsBetter, List<Item> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no records to evaluate");
        }
        long ranked = items.stream().filter(i -> i.ranking().isPresent()).count();
        if (ranked != 0 && ranked != items.size()) {
            throw new IllegalArgumentException(ranked + " of " + items.size() + " records carry a ranking; evaluate"
                    + " either only ranked or only unranked records");
        }
        Optional<String> ranker = Optional.empty();
        Optional<String> aggregation = Optional.empty();
        if (ranked > 0) {
            RecordRanking first = items.get(0).ranking().orElseThrow();
            for (Item item : items) {
                RecordRanking r = item.ranking().orElseThrow();
                if (!r.ranker().equals(first.ranker()) || !r.aggregation().equals(first.aggregation())) {
                    throw new IllegalArgumentException("records were ranked by different rankers: " + first.ranker()
                            + "/" + first.aggregation() + " and " + r.ranker() + "/" + r.aggregation());
                }
            }
            ranker = Optional.of(first.ranker());
            aggregation = Optional.of(first.aggregation());
        }

        Map<String, Mean> perModel = new LinkedHashMap<>();
        Mean random = new Mean();
        Mean oracle = new Mean();
        Mean selected = new Mean();
        double spearmanSum = 0;
        double kendallSum = 0;
        int correlated = 0;
        int undefined = 0;
        for (Item item : items) {
            int n = item.models().size();
            double[] value = new double[n];
            double[] good = new double[n];
            for (int i = 0; i < n; i++) {
                value[i] = item.reference().get(i);
                good[i] = lowerIsBetter ? -value[i] : value[i];
            }
            double[] rank = referenceRanks(good);
            double best = max(good);
            int tiedForBest = 0;
            int bestIndex = -1;
            double valueSum = 0;
            for (int i = 0; i < n; i++) {
                boolean first = good[i] == best;
                if (first) {
                    tiedForBest++;
                    if (bestIndex < 0) {
                        bestIndex = i;
                    }
                }
                valueSum += value[i];
                perModel.computeIfAbsent(item.models().get(i), k -> new Mean()).add(value[i], first, rank[i]);
            }
            random.add(valueSum / n, (double) tiedForBest / n, (n + 1) / 2.0);
            oracle.add(value[bestIndex], 1.0, (1 + tiedForBest) / 2.0);
            if (item.ranking().isPresent()) {
                RecordRanking r = item.ranking().get();
                int s = r.selected();
                selected.add(value[s], good[s] == best, rank[s]);
                double[] scores =
                        r.scores().stream().mapToDouble(Double::doubleValue).toArray();
                OptionalDouble rho = Correlation.spearman(scores, good);
                OptionalDouble tau = Correlation.kendallTauB(scores, good);
                if (rho.isPresent() && tau.isPresent()) {
                    spearmanSum += rho.getAsDouble();
                    kendallSum += tau.getAsDouble();
                    correlated++;
                } else {
                    undefined++;
                }
            }
        }
        List<Row> llmRows = new ArrayList<>();
        perModel.forEach((model, mean) -> llmRows.add(mean.row(model)));
        Optional<Row> selectionRow = ranker.map(name -> selected.row("selection (" + name + ")"));
        Optional<Correlations> correlations = ranker.isEmpty()
                ? Optional.empty()
                : Optional.of(new Correlations(
                        correlated == 0 ? OptionalDouble.empty() : OptionalDouble.of(spearmanSum / correlated),
                        correlated == 0 ? OptionalDouble.empty() : OptionalDouble.of(kendallSum / correlated),
                        correlated,
                        undefined));
        return new SelectionMetrics(
                metric,
                lowerIsBetter,
                items.size(),
                llmRows,
                random.row("random"),
                oracle.row("oracle"),
                selectionRow,
                ranker,
                aggregation,
                correlations);
    }

    /**
     * The reference metric's name.
     *
     * @return the name
     */
    public String metric() {
        return metric;
    }

    /**
     * Whether smaller reference values are better.
     *
     * @return true for a loss or rank
     */
    public boolean lowerIsBetter() {
        return lowerIsBetter;
    }

    /**
     * How many records were evaluated.
     *
     * @return the count, at least 1
     */
    public int records() {
        return records;
    }

    /**
     * One row per LLM (candidate model name), in order of first appearance.
     *
     * @return an unmodifiable list
     */
    public List<Row> llms() {
        return llms;
    }

    /**
     * The expectation of uniform random selection.
     *
     * @return the row named {@code random}
     */
    public Row random() {
        return random;
    }

    /**
     * Selecting a best candidate of every record.
     *
     * @return the row named {@code oracle}
     */
    public Row oracle() {
        return oracle;
    }

    /**
     * The ranking's top-1 selection.
     *
     * @return the row named {@code selection (RANKER)}, or empty when the records carry no ranking
     */
    public Optional<Row> selection() {
        return selection;
    }

    /**
     * The ranker that ranked the records.
     *
     * @return its name, or empty when the records carry no ranking
     */
    public Optional<String> ranker() {
        return ranker;
    }

    /**
     * The rankings' aggregation.
     *
     * @return its name (possibly empty when the rankings do not say), or empty when the records carry no ranking
     */
    public Optional<String> aggregation() {
        return aggregation;
    }

    /**
     * The mean rank correlations between the ranking's scores and the reference.
     *
     * @return the correlations, or empty when the records carry no ranking
     */
    public Optional<Correlations> correlations() {
        return correlations;
    }

    /** Reference ranks with ties averaged, 1 = the largest of {@code good}. */
    static double[] referenceRanks(double[] good) {
        double[] ascending = Correlation.averageRanks(good);
        double[] ranks = new double[good.length];
        for (int i = 0; i < good.length; i++) {
            // average ranks are symmetric under reversal: descending rank = n + 1 - ascending rank
            ranks[i] = good.length + 1 - ascending[i];
        }
        return ranks;
    }

    private static double max(double[] values) {
        double m = values[0];
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Running sums of one row. */
    private static final class Mean {
        private int count;
        private double metric;
        private double first;
        private double rank;

        void add(double value, boolean isFirst, double referenceRank) {
            add(value, isFirst ? 1.0 : 0.0, referenceRank);
        }

        void add(double value, double shareFirst, double referenceRank) {
            count++;
            metric += value;
            first += shareFirst;
            rank += referenceRank;
        }

        Row row(String name) {
            return new Row(name, count, metric / count, first / count, rank / count);
        }
    }
}
