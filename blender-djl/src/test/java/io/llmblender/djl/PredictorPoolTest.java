package io.llmblender.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.nn.LambdaBlock;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real DJL model on the PyTorch engine (an in-memory block that doubles its input), lent by the pool. */
class PredictorPoolTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Counted down by every call once inside the model; a call then waits for {@link #finish}. */
    private volatile CountDownLatch inside = new CountDownLatch(0);

    private volatile CountDownLatch finish = new CountDownLatch(0);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private ZooModel<float[], float[]> doubling() {
        Model model = Model.newInstance("doubling", "PyTorch");
        model.setBlock(LambdaBlock.singleton(x -> x.mul(2)));
        return new ZooModel<>(model, new Translator<float[], float[]>() {
            @Override
            public NDList processInput(TranslatorContext ctx, float[] input) throws InterruptedException {
                inside.countDown();
                finish.await();
                return new NDList(ctx.getNDManager().create(input));
            }

            @Override
            public float[] processOutput(TranslatorContext ctx, NDList list) {
                return list.singletonOrThrow().toFloatArray();
            }

            @Override
            public Batchifier getBatchifier() {
                return null;
            }
        });
    }

    @Test
    void predict_runsTheModel_andOneCallerReusesOnePredictor() throws Exception {
        try (PredictorPool<float[], float[]> pool = new PredictorPool<>("doubling model", doubling())) {
            assertThat(pool.predictors()).isZero();

            assertThat(pool.predict(new float[] {1, 2.5f})).containsExactly(2, 5);
            assertThat(pool.predict(new float[] {-3})).containsExactly(-6);

            assertThat(pool.predictors()).isEqualTo(1);
        }
    }

    @Test
    void concurrentCalls_eachGetTheirOwnPredictor() throws Exception {
        inside = new CountDownLatch(2);
        finish = new CountDownLatch(1);
        try (PredictorPool<float[], float[]> pool = new PredictorPool<>("doubling model", doubling())) {
            Future<float[]> first = threads.submit(() -> pool.predict(new float[] {1}));
            Future<float[]> second = threads.submit(() -> pool.predict(new float[] {2}));
            inside.await(); // both inside the model at once: two predictors lent

            assertThat(pool.predictors()).isEqualTo(2);
            finish.countDown();
            assertThat(first.get()).containsExactly(2);
            assertThat(second.get()).containsExactly(4);
        }
    }

    @Test
    void close_withAPredictionInFlight_letsItFinish_thenFreesTheModel_andRefusesLaterCalls() throws Exception {
        inside = new CountDownLatch(1);
        finish = new CountDownLatch(1);
        ZooModel<float[], float[]> model = doubling();
        PredictorPool<float[], float[]> pool = new PredictorPool<>("doubling model", model);
        Future<float[]> inFlight = threads.submit(() -> pool.predict(new float[] {21}));
        inside.await();

        Future<?> closing = threads.submit(pool::close);
        while (!pool.isClosed()) {
            Thread.onSpinWait();
        }
        assertThatThrownBy(() -> pool.predict(new float[] {1}))
                .as("a call while close waits")
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("doubling model is closed");
        assertThat(model.getNDManager().isOpen())
                .as("open while a call is in flight")
                .isTrue();
        assertThat(closing).isNotDone();
        finish.countDown();

        assertThat(inFlight.get()).containsExactly(42);
        closing.get();
        assertThat(model.getNDManager().isOpen()).isFalse();
        assertThatThrownBy(() -> pool.predict(new float[] {1}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("doubling model is closed");
    }

    @Test
    void close_twice_isHarmless() throws Exception {
        ZooModel<float[], float[]> model = doubling();
        PredictorPool<float[], float[]> pool = new PredictorPool<>("doubling model", model);
        pool.predict(new float[] {1});

        pool.close();
        pool.close();

        assertThat(model.getNDManager().isOpen()).isFalse();
        assertThatThrownBy(() -> pool.predict(new float[] {1}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("doubling model is closed");
    }
}
