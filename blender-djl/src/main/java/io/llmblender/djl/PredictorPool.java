package io.llmblender.djl;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.llmblender.core.check.Require;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A DJL model with its predictors, lent one per call: DJL predictors are not thread-safe, so each
 * call borrows an idle predictor (or makes one when none is idle) and gives it back when it
 * returns. The pool therefore holds as many predictors as calls have ever run at once; the most
 * recently returned is lent first, so that a single caller always gets the same one.
 *
 * <p>Owns the model: {@link #close()} closes every predictor and then the model, under the
 * {@link CloseGuard} discipline: predictions in flight finish first, later ones throw
 * {@link IllegalStateException}, closing twice is harmless.
 *
 * <p>Thread-safe.
 *
 * @param <I> the model's input type
 * @param <O> the model's output type
 */
public final class PredictorPool<I, O> implements AutoCloseable {

    private final ZooModel<I, O> model;
    private final CloseGuard guard;
    private final ConcurrentLinkedDeque<Predictor<I, O>> idle = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedQueue<Predictor<I, O>> made = new ConcurrentLinkedQueue<>();

    /**
     * A pool over a loaded model, holding no predictor yet.
     *
     * @param what how the model is named when a prediction comes after close: the exception's
     *     message is {@code what + " is closed"}
     * @param model the model, now owned by the pool
     * @throws NullPointerException if {@code model} is null
     * @throws IllegalArgumentException if {@code what} is blank
     */
    public PredictorPool(String what, ZooModel<I, O> model) {
        this.guard = new CloseGuard(what);
        this.model = Require.nonNull(model, "model");
    }

    /**
     * Runs one input through a borrowed predictor.
     *
     * @param input the input
     * @return the model's output for it
     * @throws TranslateException as the predictor throws it
     * @throws IllegalStateException if the pool is closed
     */
    public O predict(I input) throws TranslateException {
        guard.enter();
        try {
            Predictor<I, O> predictor = idle.pollFirst();
            if (predictor == null) {
                predictor = model.newPredictor();
                made.add(predictor);
            }
            try {
                return predictor.predict(input);
            } finally {
                idle.addFirst(predictor);
            }
        } finally {
            guard.exit();
        }
    }

    /**
     * The model, for reading its block or parameters; running it is for {@link #predict}.
     *
     * @return the model, closed once the pool is
     */
    public ZooModel<I, O> model() {
        return model;
    }

    /**
     * Whether {@link #close()} has begun; from then on every prediction throws
     * {@link IllegalStateException}.
     *
     * @return true once closing has begun
     */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * How many predictors the pool has made: the most calls that have run at once.
     *
     * @return the count, 0 before the first call
     */
    public int predictors() {
        return made.size();
    }

    /**
     * Waits for the predictions in flight, then closes every predictor and the model. Later
     * predictions throw {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        guard.close(() -> {
            try {
                made.forEach(Predictor::close);
            } finally {
                made.clear();
                idle.clear();
                model.close();
            }
        });
    }
}
