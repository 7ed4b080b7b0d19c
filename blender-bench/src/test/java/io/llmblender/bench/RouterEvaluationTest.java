package io.llmblender.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Runs the GSM8K router evaluation command on a slice of the data and checks its report. */
class RouterEvaluationTest {

    @Test
    void main_smallRun_writesAConsistentReport(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("router.json");
        RouterEvaluation.main(new String[] {
            "--limit",
            "120",
            "--folds",
            "3",
            "--epochs",
            "3",
            "--clusters",
            "3",
            "--latency-queries",
            "2",
            "--rankers",
            BenchArgs.repositoryRoot().resolve("models/pairranker").toString(),
            "--minilm-cache",
            "target/minilm-cache",
            "--out",
            out.toString()
        });

        JsonNode report = new ObjectMapper().readTree(Files.readString(out));
        JsonNode b = report.get("baselines");
        assertThat(report.get("settings").get("questions").asInt()).isEqualTo(120);
        assertThat(b.get("oracle").asDouble())
                .isGreaterThanOrEqualTo(b.get("always_strong").asDouble())
                .isGreaterThanOrEqualTo(b.get("always_cheap").asDouble());
        assertThat(report.get("routers")).hasSize(2);
        for (JsonNode router : report.get("routers")) {
            JsonNode curve = router.get("curve");
            assertThat(curve).hasSize(11);
            assertThat(curve.get(0).get("accuracy").asDouble())
                    .isEqualTo(b.get("always_strong").asDouble());
            assertThat(curve.get(10).get("accuracy").asDouble())
                    .isEqualTo(b.get("always_cheap").asDouble());
            assertThat(curve.get(10).get("pgr").asDouble()).isEqualTo(0.0);
            JsonNode adaptive = router.get("adaptive_with_perfect_ranker");
            assertThat(adaptive.get(0).get("accuracy").asDouble())
                    .isEqualTo(b.get("oracle").asDouble());
            assertThat(adaptive.get(0).get("calls_per_query").asDouble()).isEqualTo(2.0);
            assertThat(adaptive.get(10).get("accuracy").asDouble())
                    .isEqualTo(router.get("accuracy").asDouble());
            assertThat(adaptive.get(10).get("calls_per_query").asDouble()).isEqualTo(1.0);
            assertThat(router.get("folds")).hasSize(3);
        }
        JsonNode cost = report.get("routing_cost").get(0);
        assertThat(cost.get("router_ms_median").asDouble()).isPositive();
        assertThat(cost.get("ranker_full_pass_ms_median").asDouble()).isPositive();
    }

    @Test
    void folds_partitionEveryQuestionEvenly() {
        int[] fold = RouterEvaluation.folds(103, 5, 0);

        int[] sizes = new int[5];
        Arrays.stream(fold).forEach(f -> sizes[f]++);
        assertThat(sizes).containsExactly(21, 21, 21, 20, 20);
        assertThat(RouterEvaluation.folds(103, 5, 0)).containsExactly(fold);
        assertThat(RouterEvaluation.folds(103, 5, 1)).isNotEqualTo(fold);
    }

    @Test
    void options_badValues_nameTheOption() {
        assertThatThrownBy(() -> RouterEvaluation.Options.parse("--folds", "1"))
                .isInstanceOf(ParameterException.class)
                .hasMessage("--folds must be at least 2, got 1");
        assertThatThrownBy(() -> RouterEvaluation.Options.parse("--beta", "2"))
                .isInstanceOf(ParameterException.class)
                .hasMessage("--beta must be in [0, 1], got 2");
        assertThatThrownBy(() -> RouterEvaluation.Options.parse("--frobnicate", "2"))
                .isInstanceOf(UnmatchedArgumentException.class)
                .hasMessageContaining("Unknown option")
                .hasMessageContaining("'--frobnicate'");
    }
}
