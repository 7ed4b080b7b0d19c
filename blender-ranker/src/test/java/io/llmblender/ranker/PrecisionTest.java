package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrecisionTest {

    private static final List<String> CANDIDATES =
            List.of("She makes $18 a day.", "The answer is 18.", "Janet sells 9 eggs at $2, so $18.");

    @Test
    void fp16_runsTheFp16FileAndAgreesWithFp32WithinHalfPrecision() {
        PairwiseMatrix fp32;
        PairwiseMatrix fp16;
        try (PairRanker ranker = PairRanker.builder(Fixtures.tinyRanker())
                .precision(Precision.FP32)
                .build()) {
            fp32 = ranker.score(PairQuery.full("How much does Janet make?", CANDIDATES));
        }
        try (PairRanker ranker = PairRanker.builder(Fixtures.tinyRanker())
                .precision(Precision.FP16)
                .build()) {
            fp16 = ranker.score(PairQuery.full("How much does Janet make?", CANDIDATES));
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    assertThat(fp16.logit(i, j))
                            .isCloseTo(fp32.logit(i, j), within(2e-2))
                            .isNotEqualTo(fp32.logit(i, j));
                }
            }
        }
    }

    @Test
    void auto_onCpu_usesFp32() {
        try (PairRanker auto =
                        PairRanker.builder(Fixtures.tinyRanker()).device("cpu").build();
                PairRanker fp32 = PairRanker.builder(Fixtures.tinyRanker())
                        .precision(Precision.FP32)
                        .build()) {
            assertThat(auto.compare("q", "a", "b")).isEqualTo(fp32.compare("q", "a", "b"));
        }
    }

    @Test
    void fp16_withoutAnFp16File_isALoadErrorNamingTheField(@TempDir Path dir) throws IOException {
        for (String name : List.of("pairranker.pt", "tokenizer.json")) {
            Files.copy(Fixtures.tinyRanker().resolve(name), dir.resolve(name));
        }
        String config = Files.readString(Fixtures.tinyRanker().resolve("ranker_config.json"))
                .replace("\"fp16_model_file\": \"pairranker-fp16.pt\",", "");
        Files.writeString(dir.resolve("ranker_config.json"), config);
        assertThatThrownBy(
                        () -> PairRanker.builder(dir).precision(Precision.FP16).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("fp16_model_file")
                .hasMessageContaining(dir.toString());
    }
}
