package io.llmblender.router.head;

/**
 * What training a {@link RouterHead} achieved, reported for the epoch whose weights were kept
 * (the epoch with the lowest validation loss, or the last epoch when there was no validation
 * split). Losses are {@code KL(label || router)} in nats, averaged over rows. Immutable and
 * thread-safe.
 *
 * @param epochsRun how many epochs ran before training stopped, at least 1
 * @param bestEpoch the 1-based epoch whose weights were kept, in {@code [1, epochsRun]}
 * @param trainLoss the mean training loss of the kept epoch, measured during that epoch (with
 *     dropout active)
 * @param validationLoss the mean validation loss of the kept weights (no dropout), or
 *     {@link Double#NaN} when there was no validation split
 * @param validationAccuracy the share of validation rows whose most probable LLM under the head
 *     equals the label's most probable LLM, in {@code [0, 1]}, or {@link Double#NaN} when there
 *     was no validation split
 * @param trainRows how many rows were trained on
 * @param validationRows how many rows were held out for validation, 0 when none
 * @param stoppedEarly whether training stopped before the configured number of epochs because the
 *     validation loss had not improved for {@code patience} epochs
 */
public record TrainingMetrics(
        int epochsRun,
        int bestEpoch,
        double trainLoss,
        double validationLoss,
        double validationAccuracy,
        int trainRows,
        int validationRows,
        boolean stoppedEarly) {

    /**
     * Checks the values.
     *
     * @param epochsRun see the record component
     * @param bestEpoch see the record component
     * @param trainLoss see the record component
     * @param validationLoss see the record component
     * @param validationAccuracy see the record component
     * @param trainRows see the record component
     * @param validationRows see the record component
     * @param stoppedEarly see the record component
     * @throws IllegalArgumentException naming the field and value when {@code epochsRun < 1},
     *     {@code bestEpoch} is outside {@code [1, epochsRun]}, a row count is negative or
     *     {@code trainRows} is 0, {@code trainLoss} is not finite, or an accuracy is outside
     *     {@code [0, 1]}
     */
    public TrainingMetrics {
        if (epochsRun < 1) {
            throw new IllegalArgumentException("epochsRun must be positive, found " + epochsRun);
        }
        if (bestEpoch < 1 || bestEpoch > epochsRun) {
            throw new IllegalArgumentException("bestEpoch must be in [1, " + epochsRun + "], found " + bestEpoch);
        }
        if (trainRows < 1) {
            throw new IllegalArgumentException("trainRows must be positive, found " + trainRows);
        }
        if (validationRows < 0) {
            throw new IllegalArgumentException("validationRows must not be negative, found " + validationRows);
        }
        if (!Double.isFinite(trainLoss)) {
            throw new IllegalArgumentException("trainLoss must be finite, found " + trainLoss);
        }
        if (!Double.isNaN(validationAccuracy) && (validationAccuracy < 0 || validationAccuracy > 1)) {
            throw new IllegalArgumentException(
                    "validationAccuracy must be in [0, 1] or NaN, found " + validationAccuracy);
        }
    }
}
