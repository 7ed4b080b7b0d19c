package io.llmblender.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TorchScriptTest {

    @Test
    void locate_loadsTheNamedFileOfADirectory_onTheDevice() throws Exception {
        Path dir = Path.of("..", "models", "encoder");
        Criteria<NDList, NDList> criteria = TorchScript.locate(
                        Criteria.builder().setTypes(NDList.class, NDList.class).optTranslator(new NoopTranslator()),
                        dir,
                        "encoder.pt",
                        Device.cpu())
                .build();

        try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
            assertThat(model.getName()).isEqualTo("encoder");
            assertThat(model.getNDManager().getEngine().getEngineName()).isEqualTo("PyTorch");
            assertThat(model.getNDManager().getDevice()).isEqualTo(Device.cpu());
            assertThat(model.getBlock()).isNotNull();
        }
    }
}
