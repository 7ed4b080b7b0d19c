package io.llmblender.djl;

import ai.djl.Device;
import ai.djl.repository.zoo.Criteria;
import java.nio.file.Path;

/**
 * How the DJL modules load an exported TorchScript file on DJL's PyTorch engine, and set that
 * engine's threads. Stateless.
 */
public final class TorchScript {

    private TorchScript() {}

    /**
     * Points criteria at a TorchScript file: DJL's PyTorch engine finds a module by its directory
     * and its name without {@code .pt}; {@code mapLocation} loads tensors saved on another device
     * (an export made on a GPU) onto {@code device}.
     *
     * @param <I> the model's input type
     * @param <O> the model's output type
     * @param criteria the criteria, with their types and translator set
     * @param dir the model directory
     * @param fileName the TorchScript file inside it
     * @param device where to run
     * @return {@code criteria}, for chaining
     */
    public static <I, O> Criteria.Builder<I, O> locate(
            Criteria.Builder<I, O> criteria, Path dir, String fileName, Device device) {
        String name = fileName.endsWith(".pt") ? fileName.substring(0, fileName.length() - 3) : fileName;
        return criteria.optModelPath(dir)
                .optModelName(name)
                .optEngine("PyTorch")
                .optDevice(device)
                .optOption("mapLocation", "true");
    }

    /**
     * Sets PyTorch's intra-op threads. PyTorch's count is process-wide: it applies to every PyTorch
     * model in the JVM, and the last call wins. Starts the PyTorch engine when it is not started.
     *
     * @param threads the thread count, or 0 (or less) to leave the count as it is
     */
    public static void setThreads(int threads) {
        if (threads > 0) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
    }
}
