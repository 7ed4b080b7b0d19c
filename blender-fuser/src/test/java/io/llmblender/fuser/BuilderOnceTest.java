package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Each builder setter may be called once; a second call names the setting and both values (issue 13). */
class BuilderOnceTest {

    private static GenFuser.Builder builder() {
        return GenFuser.builder(Path.of("never-loaded"));
    }

    @Test
    void stringsTwice_nameSettingAndBothValues() {
        GenFuser.Builder b = builder().name("fuser-a").device("cpu");
        assertThatThrownBy(() -> b.name("fuser-b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("name was already set to \"fuser-a\", cannot set it to \"fuser-b\"");
        assertThatThrownBy(() -> b.device("gpu"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("device was already set to \"cpu\", cannot set it to \"gpu\"");
    }

    @Test
    void decodingTwice_namesSettingAndBothValues() {
        GenFuser.Builder b = builder().decoding(Decoding.greedy());
        assertThatThrownBy(() -> b.decoding(Decoding.beamSearch(4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("decoding was already set to greedy, cannot set it to " + Decoding.beamSearch(4));
    }

    @Test
    void maxNewTokensAndKvCacheTwice_nameSettingAndBothValues() {
        GenFuser.Builder b = builder().maxNewTokens(64).kvCache(false);
        assertThatThrownBy(() -> b.maxNewTokens(32))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxNewTokens was already set to 64, cannot set it to 32");
        assertThatThrownBy(() -> b.kvCache(true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("kvCache was already set to false, cannot set it to true");
    }

    @Test
    void threads_isCheckedAndSetOnce() {
        GenFuser.Builder b = GenFuser.builder(GoldenDecodingTest.DIR);
        assertThatThrownBy(() -> b.threads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        b.threads(1);
        assertThatThrownBy(() -> b.threads(2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("threads was already set to 1, cannot set it to 2");
        try (GenFuser fuser = b.device("cpu").build()) {
            assertThat(ai.djl.pytorch.jni.JniUtils.getNumThreads()).isEqualTo(1);
        }
    }

    @Test
    void invalidSecondValue_keepsItsOwnException() {
        GenFuser.Builder b = builder().maxNewTokens(64).name("a");
        assertThatThrownBy(() -> b.maxNewTokens(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxNewTokens must be positive, found 0");
        assertThatThrownBy(() -> b.name(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name must not be blank");
        assertThatThrownBy(() -> b.decoding(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("decoding must not be null");
    }

    @Test
    void refusedSecondCall_keepsTheFirstValue() {
        GenFuser.Builder b =
                GenFuser.builder(GoldenDecodingTest.DIR).device("cpu").maxNewTokens(512);
        assertThatThrownBy(() -> b.maxNewTokens(8)).isInstanceOf(IllegalStateException.class);
        // the first value, 512, is what build() checks against the model's max_target_positions
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxNewTokens")
                .hasMessageContaining("512");
    }
}
