package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Each builder setter may be called once; a second call names the setting and both values (issue 13). */
class BuilderOnceTest {

    private static PairRanker.Builder builder() {
        return PairRanker.builder(Path.of("never-loaded"));
    }

    @Test
    void stringsTwice_nameSettingAndBothValues() {
        PairRanker.Builder b = builder().name("ranker-a").device("cpu");
        assertThatThrownBy(() -> b.name("ranker-b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("name was already set to \"ranker-a\", cannot set it to \"ranker-b\"");
        assertThatThrownBy(() -> b.device("gpu:1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("device was already set to \"cpu\", cannot set it to \"gpu:1\"");
    }

    @Test
    void precisionAndCountsTwice_nameSettingAndBothValues() {
        PairRanker.Builder b =
                builder().precision(Precision.FP32).tokenBudget(4096).maxBatchRows(8);
        assertThatThrownBy(() -> b.precision(Precision.FP16))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("precision was already set to FP32, cannot set it to FP16");
        assertThatThrownBy(() -> b.tokenBudget(2048))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tokenBudget was already set to 4096, cannot set it to 2048");
        assertThatThrownBy(() -> b.maxBatchRows(16))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxBatchRows was already set to 8, cannot set it to 16");
    }

    @Test
    void cacheDirectoryTwice_namesSettingAndBothPaths() {
        Path first = Path.of("cache-a");
        Path second = Path.of("cache-b");
        PairRanker.Builder b =
                PairRanker.builder(URI.create("https://example.com/ranker.zip")).cacheDirectory(first);
        assertThatThrownBy(() -> b.cacheDirectory(second))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cacheDirectory was already set to " + first + ", cannot set it to " + second);
    }

    @Test
    void invalidSecondValue_keepsItsOwnException() {
        PairRanker.Builder b = builder().tokenBudget(10).device("cpu");
        assertThatThrownBy(() -> b.tokenBudget(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokenBudget must be positive, found 0");
        assertThatThrownBy(() -> b.device(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device must not be blank");
        assertThatThrownBy(() -> b.precision(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("precision must not be null");
    }

    @Test
    void refusedSecondCall_keepsTheFirstValue() {
        PairRanker.Builder b =
                PairRanker.builder(Fixtures.tinyRanker()).device("cpu").name("first");
        assertThatThrownBy(() -> b.name("second")).isInstanceOf(IllegalStateException.class);
        try (PairRanker ranker = b.build()) {
            assertThat(ranker.name()).isEqualTo("first");
        }
    }
}
