package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Rankers made from other rankers: {@link #combine(List, double[]) weighted combinations} of standardised scores,
 * a {@link #lengthPrior() length prior}, and {@link #fitWeights(List, List, double) the logistic regression} that
 * fits a combination's weights on multi-LLM data with reference scores.
 *
 * <p><b>Standardised scores.</b> A component's score for candidate {@code i} is its max-logits score over the full
 * matrix ({@link Rankings#maxLogitsScores}), standardised across the query's candidates: minus the mean, divided by
 * the (population) standard deviation; all zeros when every candidate scores the same. Scales of different rankers
 * (logits, similarities, lengths) thus become comparable, and a weight says how many standard deviations of one
 * ranker are worth one of another.
 *
 * <p>Stateless and thread-safe.
 */
public final class Rankers {

    private Rankers() {}

    /**
     * A ranker whose score is the weighted sum of the components' standardised scores, {@code s_i = sum_k w_k z_ki};
     * each requested pair gets {@code M[i][j] = s_i - s_j}. Every component scores all N(N-1) pairs of each query. A
     * component's failure fails the query. The combination does not own its components: closing it closes none.
     * Thread-safe when the components are.
     *
     * @param rankers the components, at least one
     * @param weights one finite weight per component
     * @return the combined ranker, named {@code combined(name1*w1+name2*w2...)}
     * @throws IllegalArgumentException if the lists are empty, differ in size, or a weight is not finite
     */
    public static Ranker combine(List<? extends Ranker> rankers, double[] weights) {
        Require.nonNull(rankers, "rankers");
        Require.nonNull(weights, "weights");
        if (rankers.isEmpty()) {
            throw new IllegalArgumentException("rankers must not be empty");
        }
        if (rankers.size() != weights.length) {
            throw new IllegalArgumentException(
                    "weights must have one element per ranker (" + rankers.size() + "), found " + weights.length);
        }
        for (int k = 0; k < weights.length; k++) {
            Require.nonNull(rankers.get(k), "rankers[" + k + "]");
            Require.finite(weights[k], "weights[" + k + "]");
        }
        return new Combined(List.copyOf(rankers), weights.clone());
    }

    /**
     * The project's default ranker, used wherever a ranker is not named ({@code --ranker default}, the server's
     * {@code "ranker": "default"}, the Spring Boot starter): label-free lexical consensus
     * ({@link ConsensusRanker}, {@link ConsensusRanker.Similarity#COVERAGE}) over three or more answers, and the
     * {@link #lengthPrior() length prior} (the longer answer wins) below three. No model, no native memory, no call to
     * an LLM; any language (Han, kana and Hangul characters are words of their own).
     *
     * <p>Chosen because it ranked best of everything this project measured (README, "Performance"): picking one answer
     * among 10-15 LLMs on 40 held-out Arena-Hard prompts, consensus coverage scores 8.45 (GPT-4 1-10) against 7.40 for
     * the longest answer and 6.33 for the zero-shot MiniLM ranker; on the six-source human dev set of answer pairs
     * "the longer answer wins" agrees with people 0.563 of the time against 0.539 for zero-shot MiniLM, and 0.790
     * against 0.522 on the Chinese dev set. It is a heuristic, not a model of quality: consensus favours the answer
     * that says what most others say, and the length prior the fuller one, both wrong where the best answer is a short
     * outlier.
     *
     * <p>Each call returns a new ranker (closing one does not affect another). Immutable and thread-safe.
     *
     * @return the ranker, named {@code consensus-coverage}
     */
    public static Ranker defaultRanker() {
        return ConsensusRanker.builder().fallback(lengthPrior()).build();
    }

    /**
     * A view of a ranker that reports what it costs: the view's {@link Ranker#score(PairQuery)} is
     * {@code ranker.score(query, costs)}, so everything built on {@link Rankings} (rankings, best-of-n, rewards) reports
     * the LLM calls behind it. The view has the ranker's name, does not batch ({@link Ranker#scoreAll} scores one query
     * at a time) and does not own the ranker: closing it does nothing. Thread-safe when the ranker and {@code costs}
     * are.
     *
     * @param ranker the ranker
     * @param costs receives every {@link RankingCost} the ranker reports
     * @return the view
     */
    public static Ranker reportingCosts(Ranker ranker, Consumer<RankingCost> costs) {
        Require.nonNull(ranker, "ranker");
        Require.nonNull(costs, "costs");
        return new Ranker() {
            @Override
            public String name() {
                return ranker.name();
            }

            @Override
            public PairwiseMatrix score(PairQuery query) {
                return ranker.score(query, costs);
            }

            @Override
            public PairwiseMatrix score(PairQuery query, Consumer<RankingCost> more) {
                return ranker.score(query, cost -> {
                    costs.accept(cost);
                    more.accept(cost);
                });
            }

            @Override
            public String toString() {
                return ranker.toString();
            }
        };
    }

    /**
     * A ranker that prefers longer answers: {@code s_i = ln(1 + codePoints(c_i))}, {@code M[i][j] = s_i - s_j}. A
     * baseline and a component for {@link #combine}. Stateless, thread-safe; close does nothing.
     *
     * @return the ranker, named {@code length}
     */
    public static Ranker lengthPrior() {
        return LengthPrior.INSTANCE;
    }

    /**
     * Per-candidate standardised scores of one ranker for one query, as the class comment defines them.
     *
     * @param ranker the ranker
     * @param source the text the candidates answer
     * @param candidates the candidates, at least one
     * @return one standardised score per candidate
     * @throws io.llmblender.core.error.InferenceException if the ranker fails
     */
    public static double[] standardisedScores(Ranker ranker, String source, List<String> candidates) {
        Require.nonNull(ranker, "ranker");
        if (candidates.size() < 2) {
            return new double[candidates.size()];
        }
        return standardise(Rankings.rank(ranker, source, candidates).scores());
    }

    /**
     * Standardises scores: {@code (x - mean) / sd}, population sd; all zeros when sd is 0 (or below 1e-12).
     *
     * @param x the scores
     * @return new standardised scores
     */
    public static double[] standardise(double[] x) {
        Require.nonNull(x, "x");
        int n = x.length;
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= Math.max(1, n);
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(var / Math.max(1, n));
        double[] z = new double[n];
        if (sd < 1e-12) {
            return z;
        }
        for (int i = 0; i < n; i++) {
            z[i] = (x[i] - mean) / sd;
        }
        return z;
    }

    /**
     * Fits combination weights by logistic regression on pairs (a Bradley-Terry model with no intercept): for every
     * query and every pair of candidates whose reference scores differ, the feature vector is {@code z_i - z_j} (one
     * standardised score per component) and the label is whether {@code i}'s reference score is higher. Minimises the
     * mean log loss plus {@code l2/2 * |w|^2} by Newton's method (at most 100 steps, stopping when the step is below
     * 1e-9). Deterministic.
     *
     * @param features per query, {@code [component][candidate]} standardised scores
     * @param targets per query, one reference score per candidate (higher is better)
     * @param l2 the ridge penalty, zero or more (a small one, e.g. 1e-3, keeps separable data finite)
     * @return one weight per component
     * @throws IllegalArgumentException if the lists differ in size, shapes disagree, or no pair has distinct targets
     */
    public static double[] fitWeights(List<double[][]> features, List<double[]> targets, double l2) {
        Require.nonNull(features, "features");
        Require.nonNull(targets, "targets");
        Require.finite(l2, "l2");
        if (l2 < 0) {
            throw new IllegalArgumentException("l2 must be zero or more, found " + l2);
        }
        if (features.size() != targets.size()) {
            throw new IllegalArgumentException("features and targets must have the same size, found " + features.size()
                    + " and " + targets.size());
        }
        List<double[]> xs = new ArrayList<>();
        List<Boolean> ys = new ArrayList<>();
        int k = -1;
        for (int q = 0; q < features.size(); q++) {
            double[][] f = Require.nonNull(features.get(q), "features[" + q + "]");
            double[] t = Require.nonNull(targets.get(q), "targets[" + q + "]");
            if (k < 0) {
                k = f.length;
            }
            if (f.length != k || k == 0) {
                throw new IllegalArgumentException(
                        "features[" + q + "] must have " + Math.max(k, 1) + " components, found " + f.length);
            }
            for (int c = 0; c < k; c++) {
                if (f[c].length != t.length) {
                    throw new IllegalArgumentException("features[" + q + "][" + c + "] must have one score per target ("
                            + t.length + "), found " + f[c].length);
                }
            }
            for (int i = 0; i < t.length; i++) {
                for (int j = i + 1; j < t.length; j++) {
                    if (t[i] == t[j]) {
                        continue;
                    }
                    double[] x = new double[k];
                    for (int c = 0; c < k; c++) {
                        x[c] = f[c][i] - f[c][j];
                    }
                    xs.add(x);
                    ys.add(t[i] > t[j]);
                }
            }
        }
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("no pair of candidates has different targets: nothing to fit");
        }
        return LogisticFit.fit(xs, ys, k, l2);
    }

    /** The weighted combination. */
    private static final class Combined implements Ranker {
        private final List<Ranker> rankers;
        private final double[] weights;
        private final String name;
        private final AtomicBoolean closed = new AtomicBoolean();

        Combined(List<Ranker> rankers, double[] weights) {
            this.rankers = rankers;
            this.weights = weights;
            StringBuilder sb = new StringBuilder("combined(");
            for (int k = 0; k < weights.length; k++) {
                sb.append(k == 0 ? "" : "+")
                        .append(rankers.get(k).name())
                        .append('*')
                        .append(String.format(java.util.Locale.ROOT, "%.3g", weights[k]));
            }
            this.name = sb.append(')').toString();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public PairwiseMatrix score(PairQuery query) {
            return score(query, cost -> {});
        }

        @Override
        public PairwiseMatrix score(PairQuery query, Consumer<RankingCost> costs) {
            if (closed.get()) {
                throw new IllegalStateException("ranker '" + name + "' is closed");
            }
            double[] s = new double[query.size()];
            if (query.size() >= 2) {
                for (int k = 0; k < rankers.size(); k++) {
                    double[] z = standardisedScores(
                            reportingCosts(rankers.get(k), costs), query.source(), query.candidates());
                    for (int i = 0; i < s.length; i++) {
                        s[i] += weights[k] * z[i];
                    }
                }
            }
            return ConsensusRanker.fromScores(query, s);
        }

        @Override
        public void close() {
            closed.set(true);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The length prior. */
    private static final class LengthPrior implements Ranker {
        static final LengthPrior INSTANCE = new LengthPrior();

        @Override
        public String name() {
            return "length";
        }

        @Override
        public PairwiseMatrix score(PairQuery query) {
            double[] s = new double[query.size()];
            for (int i = 0; i < s.length; i++) {
                String c = query.candidates().get(i);
                s[i] = Math.log1p(c.codePointCount(0, c.length()));
            }
            return ConsensusRanker.fromScores(query, s);
        }

        @Override
        public String toString() {
            return "length";
        }
    }
}
