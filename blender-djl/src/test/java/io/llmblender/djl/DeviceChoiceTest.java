package io.llmblender.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DeviceChoiceTest {

    @Test
    void pick_aNamedDevice_isThatDevice() {
        assertThat(DeviceChoice.pick("cpu", true)).isEqualTo(Device.cpu());
        assertThat(DeviceChoice.pick("gpu1", false)).isEqualTo(Device.gpu(1));
    }

    @Test
    void pick_noName_notPyTorch_isTheCpu_evenWhereAGpuIsSeen() {
        assertThat(DeviceChoice.pick(null, false)).isEqualTo(Device.cpu());
    }
}
