package io.llmblender.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Where a DJL model runs when its builder was given no device: the first GPU when the model runs
 * on PyTorch and DJL's PyTorch engine sees a GPU, else the CPU (OnnxRuntime runs here on the CPU
 * only). Stateless and thread-safe.
 */
public final class DeviceChoice {

    private DeviceChoice() {}

    /**
     * The device to load a model on.
     *
     * @param name the device a builder was given, as DJL names it ({@code "cpu"}, {@code "gpu"},
     *     {@code "gpu1"}, the second GPU), or {@code null} for the default
     * @param pytorch whether the model runs on DJL's PyTorch engine; only then may the default be a
     *     GPU (and only then is the engine asked how many it sees)
     * @return the named device, else the default
     */
    public static Device pick(String name, boolean pytorch) {
        if (name != null) {
            return Device.fromName(name);
        }
        return pytorch && Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
