package io.llmblender.eval.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    private static final String GOOD =
            "{\"id\": 7, \"instruction\": \"Name a colour.\", \"candidates\": [{\"model\": \"a\","
                    + " \"text\": \"Red.\", \"scores\": {\"bleu\": 0.5}}], \"cmp_results\": {\"x\": 1}}";

    @Test
    void read_goodLine_keepsFieldsAndDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, GOOD + "\n\n");

        Datasets.Contents c = Datasets.read(file, Datasets.OnBadLine.STOP);

        DatasetRecord r = c.lines().get(0).record();
        assertThat(r.id()).isEqualTo("7");
        assertThat(r.input()).isEmpty();
        assertThat(r.candidates().get(0).scores()).containsEntry("bleu", 0.5);
        assertThat(r.json().has("cmp_results")).isTrue();
        assertThat(c.lines().get(0).number()).isEqualTo(1);
    }

    @Test
    void read_badLines_nameFileLineAndField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(
                file,
                GOOD + "\n"
                        + "{\"id\": \"b\", \"instruction\": \"x\", \"candidates\": [{\"model\": \"a\", \"text\": 42}]}\n"
                        + "not json\n"
                        + "[1, 2]\n"
                        + GOOD + "\n"
                        + "{\"id\": \"c\", \"instruction\": \"x\", \"candidates\": [{\"model\": \"a\", \"text\": \"t\","
                        + " \"scores\": {\"bleu\": \"high\"}}]}\n");

        assertThatThrownBy(() -> Datasets.read(file, Datasets.OnBadLine.STOP))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith(file + ":2: field 'candidates[0].text' must be a string, found 42");

        Datasets.Contents c = Datasets.read(file, Datasets.OnBadLine.SKIP);
        assertThat(c.lines()).hasSize(1);
        assertThat(c.skipped()).hasSize(5);
        assertThat(c.skipped().get(1)).startsWith(file + ":3: not JSON");
        assertThat(c.skipped().get(2)).isEqualTo(file + ":4: a line must hold one JSON object, found [1,2]");
        assertThat(c.skipped().get(3)).isEqualTo(file + ":5: id \"7\" was already used by an earlier line");
        assertThat(c.skipped().get(4)).contains("'candidates[0].scores.bleu' must be a number, found \"high\"");
    }

    @Test
    void read_missingFile_saysSo(@TempDir Path dir) {
        assertThatThrownBy(() -> Datasets.read(dir.resolve("none.jsonl"), Datasets.OnBadLine.STOP))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("no such file");
    }

    @Test
    void resumableOutput_dropsACutLastLineAndKnowsTheIdsDone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        Files.writeString(file, "{\"id\": \"a\"}\n{\"id\": \"b\"}\n{\"id\": \"c\", \"tex");

        try (ResumableOutput out = ResumableOutput.open(file, false)) {
            assertThat(out.done()).containsExactlyInAnyOrder("a", "b");
            out.write(new com.fasterxml.jackson.databind.ObjectMapper()
                    .createObjectNode()
                    .put("id", "c"));
        }
        assertThat(Files.readAllLines(file)).containsExactly("{\"id\": \"a\"}", "{\"id\": \"b\"}", "{\"id\":\"c\"}");
        try (ResumableOutput out = ResumableOutput.open(file, true)) {
            assertThat(out.done()).isEmpty();
        }
        assertThat(Files.size(file)).isZero();
    }
}
