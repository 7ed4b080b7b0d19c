package io.llmblender.router.head;

import io.llmblender.core.check.Require;

/**
 * Settings for training a {@link RouterHead} with {@link RouterHeadTrainer}. Immutable and
 * thread-safe; build one with {@link #builder()} or take {@link #defaults()}.
 *
 * <p>The defaults suit a small MLP trained from scratch on frozen embeddings, which is not what the
 * Zooter paper trains: the paper fine-tunes the whole 86M-parameter encoder with learning rate
 * {@code 1e-5}, weight decay {@code 5e-7} and 5 epochs, where large steps would destroy the
 * pretrained features. Here only a freshly initialised head learns, so it needs larger steps
 * ({@code 1e-3}, the usual Adam rate), more epochs (the head is cheap; early stopping ends
 * training when the validation loss stalls), and the usual decoupled AdamW decay ({@code 1e-2},
 * applied as {@code weight *= 1 - learningRate * weightDecay} per step) against overfitting small
 * label sets.
 *
 * @param hidden the width of the hidden layer; default 256, in {@code [1, 65536]}
 * @param dropout the dropout probability on the hidden layer during training; default 0.1, in
 *     {@code [0, 1)}
 * @param learningRate the AdamW learning rate; default {@code 1e-3}, finite and positive
 * @param weightDecay the decoupled AdamW weight decay; default {@code 1e-2}, finite and not
 *     negative
 * @param epochs the most epochs to train; default 50, positive
 * @param batchSize the rows per optimisation step; default 32, positive
 * @param validationShare the share of rows held out to choose the epoch and stop early; default
 *     0.1, in {@code [0, 1)}; 0 trains on every row for {@code epochs} epochs and keeps the last
 * @param patience how many epochs without a lower validation loss end training; default 5,
 *     positive
 * @param seed the seed of the split, the shuffles, the initial weights and the dropout masks;
 *     default 0. The same seed, data and settings give the same head.
 */
public record HeadConfig(
        int hidden,
        double dropout,
        double learningRate,
        double weightDecay,
        int epochs,
        int batchSize,
        double validationShare,
        int patience,
        long seed) {

    /** The largest allowed hidden width. */
    public static final int MAX_HIDDEN = 65536;

    /**
     * Checks every field.
     *
     * @param hidden see the record component
     * @param dropout see the record component
     * @param learningRate see the record component
     * @param weightDecay see the record component
     * @param epochs see the record component
     * @param batchSize see the record component
     * @param validationShare see the record component
     * @param patience see the record component
     * @param seed see the record component
     * @throws IllegalArgumentException naming the field and the value found when a field is out
     *     of the range its component documents
     */
    public HeadConfig {
        if (hidden < 1 || hidden > MAX_HIDDEN) {
            throw new IllegalArgumentException("hidden must be in [1, " + MAX_HIDDEN + "], found " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), found " + dropout);
        }
        if (!(Double.isFinite(learningRate) && learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be finite and positive, found " + learningRate);
        }
        if (!(Double.isFinite(weightDecay) && weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay must be finite and not negative, found " + weightDecay);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be positive, found " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
        }
        if (!(validationShare >= 0 && validationShare < 1)) {
            throw new IllegalArgumentException("validationShare must be in [0, 1), found " + validationShare);
        }
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be positive, found " + patience);
        }
    }

    /** The defaults, as documented on each component. */
    private static final HeadConfig DEFAULTS = new HeadConfig(256, 0.1, 1e-3, 1e-2, 50, 32, 0.1, 5, 0L);

    /**
     * The default settings (see the component descriptions).
     *
     * @return hidden 256, dropout 0.1, learning rate {@code 1e-3}, weight decay {@code 1e-2}, 50
     *     epochs, batch size 32, validation share 0.1, patience 5, seed 0
     */
    public static HeadConfig defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /**
     * A builder starting from these settings: a setting left unset keeps this record's value, and
     * each setter may still be called once to change it.
     *
     * @return a new builder whose unset settings are this record's values
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Collects settings; values are checked by {@link #build()}. A setting that is never set keeps
     * the value of the builder's starting point (the defaults for {@link HeadConfig#builder()},
     * the record for {@link HeadConfig#toBuilder()}). Each setter may be called at most once: a
     * second call throws {@link IllegalStateException} naming the setting and both values, so a
     * later call can never silently undo an earlier one. Not thread-safe.
     */
    public static final class Builder {
        private final HeadConfig base;
        private Integer hidden;
        private Double dropout;
        private Double learningRate;
        private Double weightDecay;
        private Integer epochs;
        private Integer batchSize;
        private Double validationShare;
        private Integer patience;
        private Long seed;

        private Builder(HeadConfig base) {
            this.base = base;
        }

        /**
         * Sets the hidden width.
         *
         * @param value the width, in {@code [1, 65536]}; default 256
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder hidden(int value) {
            Require.unset(hidden, "hidden", value);
            this.hidden = value;
            return this;
        }

        /**
         * Sets the dropout probability.
         *
         * @param value the probability, in {@code [0, 1)}; default 0.1
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder dropout(double value) {
            Require.unset(dropout, "dropout", value);
            this.dropout = value;
            return this;
        }

        /**
         * Sets the learning rate.
         *
         * @param value the rate, finite and positive; default {@code 1e-3}
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder learningRate(double value) {
            Require.unset(learningRate, "learningRate", value);
            this.learningRate = value;
            return this;
        }

        /**
         * Sets the decoupled weight decay.
         *
         * @param value the decay, finite and not negative; default {@code 1e-2}
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder weightDecay(double value) {
            Require.unset(weightDecay, "weightDecay", value);
            this.weightDecay = value;
            return this;
        }

        /**
         * Sets the most epochs.
         *
         * @param value the epochs, positive; default 50
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder epochs(int value) {
            Require.unset(epochs, "epochs", value);
            this.epochs = value;
            return this;
        }

        /**
         * Sets the batch size.
         *
         * @param value the rows per step, positive; default 32
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder batchSize(int value) {
            Require.unset(batchSize, "batchSize", value);
            this.batchSize = value;
            return this;
        }

        /**
         * Sets the validation share.
         *
         * @param value the share, in {@code [0, 1)}; default 0.1
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder validationShare(double value) {
            Require.unset(validationShare, "validationShare", value);
            this.validationShare = value;
            return this;
        }

        /**
         * Sets the early-stopping patience.
         *
         * @param value epochs without improvement before stopping, positive; default 5
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder patience(int value) {
            Require.unset(patience, "patience", value);
            this.patience = value;
            return this;
        }

        /**
         * Sets the seed.
         *
         * @param value any seed; default 0
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder seed(long value) {
            Require.unset(seed, "seed", value);
            this.seed = value;
            return this;
        }

        /**
         * Builds the settings: each setting set on this builder, the starting point's value for the
         * others.
         *
         * @return the settings
         * @throws IllegalArgumentException naming the field and value when one is out of range
         */
        public HeadConfig build() {
            return new HeadConfig(
                    hidden != null ? hidden : base.hidden(),
                    dropout != null ? dropout : base.dropout(),
                    learningRate != null ? learningRate : base.learningRate(),
                    weightDecay != null ? weightDecay : base.weightDecay(),
                    epochs != null ? epochs : base.epochs(),
                    batchSize != null ? batchSize : base.batchSize(),
                    validationShare != null ? validationShare : base.validationShare(),
                    patience != null ? patience : base.patience(),
                    seed != null ? seed : base.seed());
        }
    }
}
