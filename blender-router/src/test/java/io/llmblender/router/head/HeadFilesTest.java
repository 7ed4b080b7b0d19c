package io.llmblender.router.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.error.BlenderException;
import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head's file format, including files written by the previous version (format 1). */
class HeadFilesTest {

    private static final List<String> FIXTURE_LLMS = List.of("beta-llm", "alpha-llm");
    private static final float[] QUERY_A = {0.9f, 0.1f, 0.2f, 0.3f};
    private static final float[] QUERY_B = {0.1f, 0.5f, 0.9f, 0.0f};

    /**
     * A router directory written by the code before this format stored the LLM names (head format
     * 1, dim 4, hidden 3, n 2), with the distributions that code computed for two embeddings.
     */
    static Path format1() throws URISyntaxException {
        return Path.of(HeadFilesTest.class
                .getResource("/io/llmblender/router/format1-router")
                .toURI());
    }

    @Test
    void format1Head_loadsWithTheNamesGivenAndGivesTheSameDistributions() throws Exception {
        try (RouterHead head = HeadFiles.load(format1(), FIXTURE_LLMS)) {
            assertThat(head.llms()).isEqualTo(FIXTURE_LLMS);
            assertThat(head.dim()).isEqualTo(4);
            assertThat(head.size()).isEqualTo(2);
            assertThat(head.config())
                    .isEqualTo(HeadConfig.builder().hidden(3).epochs(5).seed(11).build());
            assertThat(head.metrics().trainRows()).isEqualTo(36);
            assertThat(head.distribution(QUERY_A))
                    .containsExactly(new double[] {0.43950952011958794, 0.560490479880412}, within(1e-6));
            assertThat(head.distribution(QUERY_B))
                    .containsExactly(new double[] {0.3395382750601485, 0.6604617249398516}, within(1e-6));
        }
    }

    @Test
    void format1Head_withoutNamesOrWithTheWrongNumber_isALoadError() throws Exception {
        assertThatThrownBy(() -> HeadFiles.load(format1()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.json")
                .hasMessageContaining("format 1")
                .hasMessageContaining("does not store the LLM names");
        assertThatThrownBy(() -> HeadFiles.load(format1(), List.of("a", "b", "c")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("n 2")
                .hasMessageContaining("[a, b, c]");
        assertThatThrownBy(() -> HeadFiles.load(format1(), List.of("a", "a")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("distinct");
    }

    @Test
    void format1Head_savedAgain_becomesFormat2WithItsNames(@TempDir Path dir) throws Exception {
        try (RouterHead old = HeadFiles.load(format1(), FIXTURE_LLMS)) {
            HeadFiles.save(old, dir);
            assertThat(Files.readString(dir.resolve(HeadFiles.CONFIG_FILE)))
                    .contains("\"format\" : 2")
                    .contains("\"llms\" : [ \"beta-llm\", \"alpha-llm\" ]");
            assertThat(dir.resolve(HeadFiles.PARAMS_FILE))
                    .hasSameBinaryContentAs(format1().resolve(HeadFiles.PARAMS_FILE));
            try (RouterHead again = HeadFiles.load(dir)) {
                assertThat(again.llms()).isEqualTo(FIXTURE_LLMS);
                assertThat(again.distribution(QUERY_A)).containsExactly(old.distribution(QUERY_A));
                assertThat(again.metrics()).isEqualTo(old.metrics());
            }
        }
    }

    @Test
    void badLlmsFieldsOrFormat_nameTheFileAndField(@TempDir Path dir) throws Exception {
        try (RouterHead old = HeadFiles.load(format1(), FIXTURE_LLMS)) {
            HeadFiles.save(old, dir);
        }
        Path json = dir.resolve(HeadFiles.CONFIG_FILE);
        String good = Files.readString(json);
        String names = "\"llms\" : [ \"beta-llm\", \"alpha-llm\" ]";

        Files.writeString(json, good.replace(names, "\"llms\" : [ \"beta-llm\" ]"));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.json")
                .hasMessageContaining("'llms' lists 1 LLMs")
                .hasMessageContaining("'n' is 2");
        Files.writeString(json, good.replace(names, "\"llms\" : [ \"beta-llm\", 7 ]"));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'llms[1]'");
        Files.writeString(json, good.replace(names, "\"llms\" : [ \"x\", \"x\" ]"));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("distinct")
                .hasMessageContaining("\"x\" twice");
        Files.writeString(json, good.replace(names + ",", ""));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("field 'llms' must be an array");
        Files.writeString(json, good.replace("\"format\" : 2", "\"format\" : 1"));
        assertThatThrownBy(() -> HeadFiles.load(dir, FIXTURE_LLMS))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("format 1, which has no field 'llms'");
        Files.writeString(json, good.replace("\"format\" : 2", "\"format\" : 3"));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("format 3")
                .hasMessageContaining("formats 1 to 2");
    }

    @Test
    void saveThatCannotWrite_isABlenderExceptionNamingTheDirectory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("not-a-directory");
        Files.writeString(file, "x");
        try (RouterHead head = HeadFiles.load(format1(), FIXTURE_LLMS)) {
            assertThatThrownBy(() -> HeadFiles.save(head, file))
                    .isExactlyInstanceOf(BlenderException.class)
                    .hasMessageContaining("not-a-directory");
        }
    }

    @Test
    void nullArguments() throws IOException {
        assertThatThrownBy(() -> HeadFiles.load(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("dir");
        assertThatThrownBy(() -> HeadFiles.save(null, Path.of("x")))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("head");
    }
}
