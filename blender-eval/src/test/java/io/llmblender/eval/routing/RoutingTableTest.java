package io.llmblender.eval.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.FileContentException;
import io.llmblender.eval.ReferenceMetric;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTableTest {

    private static DatasetRecord record(String json) throws Exception {
        return DatasetRecord.of((ObjectNode) new ObjectMapper().readTree(json));
    }

    @Test
    void from_dropsRecordsWithoutEveryChosenLlm() throws Exception {
        List<DatasetRecord> records = List.of(
                record(
                        "{\"id\":\"1\",\"instruction\":\"q\",\"input\":\"!\",\"candidates\":[{\"model\":\"a\",\"text\":\"x\","
                                + "\"scores\":{\"s\":2}},{\"model\":\"b\",\"text\":\"y\",\"scores\":{\"s\":5}}]}"),
                record("{\"id\":\"2\",\"instruction\":\"r\",\"candidates\":[{\"model\":\"a\",\"text\":\"x\","
                        + "\"scores\":{}},{\"model\":\"b\",\"text\":\"y\",\"scores\":{\"s\":1}}]}"));

        RoutingTable t = RoutingTable.from(records, ReferenceMetric.of("s", false), List.of(), 0.5);

        assertThat(t.llms()).containsExactly("a", "b");
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.dropped()).isEqualTo(1);
        assertThat(t.queries()).containsExactly("q!");
        assertThat(t.best(0)).isEqualTo(1);
        assertThat(t.rank(0, 0)).isEqualTo(2.0);
        assertThatThrownBy(() -> RoutingTable.from(records, ReferenceMetric.of("s", false), List.of(), 0.9))
                .hasMessageContaining("at least two LLMs")
                .hasMessageContaining("[b]");
    }

    @Test
    void from_arenaHoldout_keepsTheRecordsRatedForEveryChosenLlm() {
        List<DatasetRecord> records = new ArrayList<>();
        Datasets.read(Path.of("..", "data", "arena-holdout.jsonl"), Datasets.OnBadLine.STOP)
                .lines()
                .forEach(l -> records.add(l.record()));

        RoutingTable t = RoutingTable.from(records, ReferenceMetric.of("gpt4_score", false), List.of(), 0.9);

        assertThat(t.llms()).contains("gpt-4-1106-preview", "llama-13b").doesNotContain("Llama-2-70b-chat");
        assertThat(t.size() + t.dropped()).isEqualTo(40);
        for (int q = 0; q < t.size(); q++) {
            assertThat(t.first(q, t.best(q))).isTrue();
        }
    }

    @Test
    void ties_areAllFirstAndShareTheirRank() {
        RoutingTable t = RoutingTable.of(
                "m",
                false,
                List.of("1"),
                List.of("q"),
                List.of("a", "b", "c"),
                new String[][] {{"x", "y", "z"}},
                new double[][] {{0.8, 0.8, 0.2}});

        assertThat(t.first(0, 0)).isTrue();
        assertThat(t.first(0, 1)).isTrue();
        assertThat(new double[] {t.rank(0, 0), t.rank(0, 1), t.rank(0, 2)}).containsExactly(1.5, 1.5, 3);
    }

    @Test
    void of_badValues_nameTheField() {
        assertThatThrownBy(() -> RoutingTable.of(
                        "m",
                        false,
                        List.of("1"),
                        List.of("q"),
                        List.of("a", "b"),
                        new String[][] {{"x", "y"}},
                        new double[][] {{0.8, Double.NaN}}))
                .hasMessage("scores[0][1] must be finite, found NaN");
        assertThatThrownBy(() -> RoutingTable.of(
                        "m",
                        false,
                        List.of("1"),
                        List.of("q"),
                        List.of("a", "a"),
                        new String[][] {{"x", "y"}},
                        new double[][] {{0.8, 1}}))
                .hasMessageContaining("distinct");
    }

    @Test
    void folds_partitionEvenlyAndRepeatWithTheSeed() {
        int[] fold = Folds.assign(103, 5, 0);
        int[] sizes = new int[5];
        Arrays.stream(fold).forEach(f -> sizes[f]++);

        assertThat(sizes).containsExactly(21, 21, 21, 20, 20);
        assertThat(Folds.assign(103, 5, 0)).containsExactly(fold);
        assertThatThrownBy(() -> Folds.assign(10, 1, 0)).hasMessage("folds must be at least 2, found 1");
    }

    @Test
    void prices_read_badLineNamesFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.csv");
        Files.writeString(file, "# per call\na,0.5\nb\t2\n\nc,-1\n");

        FileContentException e = org.junit.jupiter.api.Assertions.assertThrows(
                FileContentException.class, () -> Prices.read(file, "USD"));
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.getMessage()).contains("price of 'c' must be finite and not negative, found -1");

        Files.writeString(file, "a,0.5\nb\t2\n");
        Prices p = Prices.read(file, "USD");
        assertThat(p.of("b")).isEqualTo(2.0);
        assertThatThrownBy(() -> p.of("z")).hasMessage("no price for LLM 'z'; priced: [a, b]");
    }
}
