package io.llmblender.router.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.Random;

/**
 * Xavier-uniform weights ({@code U(-b, b)}, {@code b = sqrt(6 / (fanIn + fanOut))}) drawn from the
 * training's seeded {@link Random}, in initialisation order, so that PyTorch's own generator is
 * never used. Not thread-safe: it advances the shared random.
 */
final class SeededInitializer implements Initializer {

    private final Random random;

    SeededInitializer(Random random) {
        this.random = random;
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        long fanOut = shape.get(0);
        long fanIn = shape.dimension() > 1 ? shape.size() / fanOut : 1;
        double bound = Math.sqrt(6.0 / (fanIn + fanOut));
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return manager.create(values, shape).toType(dataType, false);
    }
}
