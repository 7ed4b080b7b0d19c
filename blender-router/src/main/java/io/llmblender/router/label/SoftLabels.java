package io.llmblender.router.label;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The router's training targets (Zooter): soft labels from rewards, enhanced by tags.
 *
 * <ul>
 *   <li>Soft label: {@code s(q) = softmax(r(q) / T)} over the N rewards of query {@code q},
 *       temperature {@code T} (default 1).</li>
 *   <li>Tag label: {@code s_t} = the mean of {@code s(q)} over the given records whose query carries
 *       tag {@code t}.</li>
 *   <li>Final label: {@code s*(q) = beta * s(q) + (1 - beta) * mean of s_t over q's tags}
 *       (beta default 0.3); a query with no tags keeps {@code s(q)}. {@code beta = 1} gives the
 *       plain soft labels; {@code beta = 0} gives tagged queries the pure mean of their tag
 *       labels.</li>
 * </ul>
 *
 * <p>Every label is a probability distribution over the LLMs (non-negative, sums to 1 up to
 * rounding). Immutable and thread-safe.
 */
public final class SoftLabels {

    /** The default temperature, 1. */
    public static final double DEFAULT_TEMPERATURE = 1.0;

    /** The default beta, 0.3, the best value in the Zooter paper. */
    public static final double DEFAULT_BETA = 0.3;

    private final double temperature;
    private final double beta;

    private SoftLabels(double temperature, double beta) {
        this.temperature = temperature;
        this.beta = beta;
    }

    /**
     * Soft labels with temperature 1 and beta 0.3.
     *
     * @return the default labeller
     */
    public static SoftLabels defaults() {
        return new SoftLabels(DEFAULT_TEMPERATURE, DEFAULT_BETA);
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The softmax temperature.
     *
     * @return T, positive and finite
     */
    public double temperature() {
        return temperature;
    }

    /**
     * The weight of a query's own soft label against its tag labels.
     *
     * @return beta, in {@code [0, 1]}
     */
    public double beta() {
        return beta;
    }

    /**
     * The softmax of rewards divided by the temperature:
     * {@code out[i] = exp((r[i] - m) / T) / sum_j exp((r[j] - m) / T)} with {@code m = max_j r[j]},
     * which equals {@code softmax(r / T)} and stays finite for finite rewards of any magnitude.
     *
     * @param rewards the rewards, at least one, all finite; not modified
     * @return a new array of the same length summing to 1
     * @throws NullPointerException if {@code rewards} is null
     * @throws IllegalArgumentException if {@code rewards} is empty or has a value that is not finite
     */
    public double[] softmax(double[] rewards) {
        Require.nonNull(rewards, "rewards");
        if (rewards.length == 0) {
            throw new IllegalArgumentException("rewards must not be empty");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < rewards.length; i++) {
            Require.finite(rewards[i], "rewards[" + i + "]");
            max = Math.max(max, rewards[i]);
        }
        double[] out = new double[rewards.length];
        for (int i = 0; i < rewards.length; i++) {
            // (r - max) / T <= 0, so exp never overflows; a difference too large for a double is
            // -infinity and gives exactly 0.
            out[i] = (rewards[i] - max) / temperature;
        }
        double sum = 0.0;
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.exp(out[i]);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /**
     * The final label {@code s*(q)} of every record, with tag labels computed over these records.
     *
     * @param records the training records, not null, no null element; each must have a reward for
     *     exactly the LLMs in {@code llmNames}
     * @param llmNames the LLMs, at least one, distinct; the order of each label's entries, for
     *     example {@link RewardRecords#llmNames(List)}
     * @return one new array per record, in record order, {@code label[i]} for
     *     {@code llmNames.get(i)}; empty when there are no records
     * @throws NullPointerException if an argument, a record or a name is null
     * @throws IllegalArgumentException if {@code llmNames} is empty or repeats a name, or a record's
     *     LLMs differ from {@code llmNames}; the message names the record
     */
    public List<double[]> labels(List<RewardRecord> records, List<String> llmNames) {
        RewardRecords.requireRecords(records);
        Require.nonNull(llmNames, "llmNames");
        if (llmNames.isEmpty()) {
            throw new IllegalArgumentException("llmNames must not be empty");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < llmNames.size(); i++) {
            if (!seen.add(Require.nonNull(llmNames.get(i), "llmNames[" + i + "]"))) {
                throw new IllegalArgumentException(
                        "llmNames must be distinct, found " + Require.quote(llmNames.get(i)) + " twice");
            }
        }
        RewardRecords.requireLlms(records, llmNames);
        int n = llmNames.size();

        List<double[]> soft = new ArrayList<>(records.size());
        Map<String, double[]> tagSums = new LinkedHashMap<>();
        Map<String, Integer> tagCounts = new LinkedHashMap<>();
        for (RewardRecord record : records) {
            double[] s = softmax(record.rewardsIn(llmNames));
            soft.add(s);
            for (String tag : record.tags()) {
                double[] sum = tagSums.computeIfAbsent(tag, t -> new double[n]);
                for (int i = 0; i < n; i++) {
                    sum[i] += s[i];
                }
                tagCounts.merge(tag, 1, Integer::sum);
            }
        }

        List<double[]> out = new ArrayList<>(records.size());
        for (int r = 0; r < records.size(); r++) {
            double[] s = soft.get(r);
            Set<String> tags = records.get(r).tags();
            if (tags.isEmpty()) {
                out.add(s);
                continue;
            }
            double[] tagMean = new double[n];
            for (String tag : tags) {
                double[] sum = tagSums.get(tag);
                double count = tagCounts.get(tag);
                for (int i = 0; i < n; i++) {
                    tagMean[i] += sum[i] / count;
                }
            }
            double[] label = new double[n];
            for (int i = 0; i < n; i++) {
                label[i] = beta * s[i] + (1.0 - beta) * (tagMean[i] / tags.size());
            }
            out.add(label);
        }
        return out;
    }

    /**
     * The settings, for diagnostics.
     *
     * @return e.g. {@code SoftLabels[temperature=1.0, beta=0.3]}
     */
    @Override
    public String toString() {
        return "SoftLabels[temperature=" + temperature + ", beta=" + beta + "]";
    }

    /**
     * Sets up a {@link SoftLabels}; starts at temperature 1 and beta 0.3. Each setter may be called
     * at most once: a second call throws {@link IllegalStateException} naming the setting and both
     * values, so a later call can never silently undo an earlier one. Not thread-safe.
     */
    public static final class Builder {

        private Double temperature;
        private Double beta;

        private Builder() {}

        /**
         * Sets the softmax temperature: larger flattens the labels, smaller sharpens them.
         *
         * @param temperature T, positive and finite; default 1
         * @return this builder
         * @throws IllegalArgumentException if {@code temperature} is not positive and finite
         * @throws IllegalStateException if called a second time
         */
        public Builder temperature(double temperature) {
            Require.unset(this.temperature, "temperature", temperature);
            if (!(temperature > 0.0) || !Double.isFinite(temperature)) {
                throw new IllegalArgumentException("temperature must be positive and finite, found " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /**
         * Sets beta, the weight of a query's own soft label; {@code 1 - beta} goes to its tag labels.
         *
         * @param beta in {@code [0, 1]}; default 0.3
         * @return this builder
         * @throws IllegalArgumentException if {@code beta} is outside {@code [0, 1]} or NaN
         * @throws IllegalStateException if called a second time
         */
        public Builder beta(double beta) {
            Require.unset(this.beta, "beta", beta);
            if (!(beta >= 0.0 && beta <= 1.0)) {
                throw new IllegalArgumentException("beta must be in [0, 1], found " + beta);
            }
            this.beta = beta;
            return this;
        }

        /**
         * Makes the labeller.
         *
         * @return an immutable {@link SoftLabels} with the settings so far, the defaults for those
         *     never set
         */
        public SoftLabels build() {
            return new SoftLabels(
                    temperature != null ? temperature : DEFAULT_TEMPERATURE, beta != null ? beta : DEFAULT_BETA);
        }
    }
}
