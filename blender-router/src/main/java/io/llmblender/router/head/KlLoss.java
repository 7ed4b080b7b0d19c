package io.llmblender.router.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The training loss: {@code KL(label || softmax(logits))}, that is
 * {@code sum_i label_i * (log label_i - log_softmax(logits)_i)} summed over the LLMs and averaged
 * over the rows of a batch; terms with {@code label_i = 0} contribute 0. Stateless and
 * thread-safe.
 */
final class KlLoss extends Loss {

    KlLoss() {
        super("KL");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray label = labels.singletonOrThrow();
        NDArray logProbabilities = predictions.singletonOrThrow().logSoftmax(1);
        // log(max(label, tiny)) keeps 0 * log 0 at 0 instead of NaN.
        NDArray logLabel = label.clip(1e-30f, 1f).log();
        return label.mul(logLabel.sub(logProbabilities)).sum(new int[] {1}).mean();
    }
}
