package io.llmblender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blender train-router} and {@code blender route} on the bundled GSM8K dataset and the real MiniLM encoder. */
class RouterCommandsTest {

    private static final Path DATASET = Path.of("..", "data", "gsm8k-100.jsonl");
    private static final List<String> LLMS = List.of("mistralai/Mixtral-8x7B-Instruct-v0.1", "gpt-4-1106-preview");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return BlenderCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void trainThenRoute_datasetScoresAsRewards_savesARouterThatRoutes(@TempDir Path dir) throws Exception {
        Path router = dir.resolve("router");
        int rc = run(
                "train-router",
                "--dataset",
                DATASET.toString(),
                "--metric",
                "correct",
                "--epochs",
                "3",
                "--tags",
                "clusters:3",
                "--out",
                router.toString());
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("trained a router for " + LLMS + " on 100 records")
                .contains("confidence temperature ")
                .contains("share of the training queries an adaptive threshold routes: 0.50 -> ")
                .contains("50% routed: --threshold ")
                .contains("adaptive-share-0.50")
                .contains("saved to");
        assertThat(router.resolve("router.json")).exists();

        out.getBuffer().setLength(0);
        rc = run("route", "--router", router.toString(), "--json", "What is 2 plus 2?", "How many eggs are left?");
        assertThat(rc).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("query").asText()).isEqualTo("What is 2 plus 2?");
        assertThat(LLMS).contains(first.get("chosen").asText());
        assertThat(first.get("probabilities").get(LLMS.get(0)).asDouble()
                        + first.get("probabilities").get(LLMS.get(1)).asDouble())
                .isCloseTo(1.0, Offset.offset(1e-6));

        Path queries = dir.resolve("queries.txt");
        Files.writeString(queries, "First query?\n\nSecond query?\n");
        out.getBuffer().setLength(0);
        assertThat(run("route", "--router", router.toString(), "--queries", queries.toString()))
                .isZero();
        assertThat(out.toString().lines()).hasSize(3).first().asString().contains("chosen");
    }

    /**
     * {@code route --share S} routes share S of the training queries, measured here on all 100 of them with the
     * calibration fitted on them ({@code --calibration-folds 0}; cross-fitted, the share holds for new queries
     * instead); {@code --threshold} says route exactly where the confidence reaches it.
     */
    @Test
    void route_shareAndThreshold_sayWhatTheAdaptiveModeDoes(@TempDir Path dir) throws Exception {
        Path router = dir.resolve("router");
        assertThat(run(
                        "train-router",
                        "--dataset",
                        DATASET.toString(),
                        "--metric",
                        "correct",
                        "--epochs",
                        "5",
                        "--tags",
                        "none",
                        "--calibration-folds",
                        "0",
                        "--out",
                        router.toString()))
                .as(err.toString())
                .isZero();
        Path queries = dir.resolve("queries.txt");
        List<String> all = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(DATASET)) {
            JsonNode r = new ObjectMapper().readTree(line);
            all.add(r.get("instruction").asText().replaceAll("\\s+", " ").strip());
        }
        Files.write(queries, all);

        out.getBuffer().setLength(0);
        assertThat(run(
                        "route",
                        "--router",
                        router.toString(),
                        "--queries",
                        queries.toString(),
                        "--share",
                        "0.3",
                        "--json"))
                .as(err.toString())
                .isZero();
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : out.toString().lines().toList()) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).hasSize(100);
        long routed = lines.stream()
                .filter(l -> l.get("adaptive").asText().equals("route"))
                .count();
        assertThat(routed).isBetween(25L, 35L);
        double threshold = lines.get(0).get("threshold").asDouble();
        for (JsonNode l : lines) {
            assertThat(l.get("adaptive").asText())
                    .isEqualTo(l.get("confidence").asDouble() >= threshold ? "route" : "blend");
        }

        out.getBuffer().setLength(0);
        assertThat(run("route", "--router", router.toString(), "--threshold", "0.62", "What is 2 plus 2?"))
                .isZero();
        assertThat(out.toString()).contains("adaptive threshold 0.6200").contains("adaptive");
    }

    @Test
    void trainRouter_rewardRecords_withTheirTags(@TempDir Path dir) throws Exception {
        Path records = dir.resolve("rewards.jsonl");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            jsonl.append("{\"query\": \"What is ")
                    .append(i)
                    .append(" plus 1?\", \"rewards\": {\"calc\": 1.0, \"poet\": 0.0}, \"tags\": [\"math\"]}\n");
            jsonl.append("{\"query\": \"A poem about the number ")
                    .append(i)
                    .append(".\", \"rewards\": {\"calc\": 0.0, \"poet\": 1.0}, \"tags\": [\"poetry\"]}\n");
        }
        Files.writeString(records, jsonl);

        int rc = run(
                "train-router",
                "--records",
                records.toString(),
                "--epochs",
                "2",
                "-o",
                dir.resolve("r").toString());

        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("[calc, poet] on 24 records");
    }

    @Test
    void trainRouter_metricMissing_namesTheLineAndTheScoresThere(@TempDir Path dir) {
        int rc = run("train-router", "--dataset", DATASET.toString(), "--metric", "bleu", "-o", dir.toString());

        assertThat(rc).isEqualTo(1);
        assertThat(err.toString())
                .contains("gsm8k-100.jsonl:1:")
                .contains("no score 'bleu'")
                .contains("[correct]");
    }

    @Test
    void usageErrors_exitTwo(@TempDir Path dir) {
        assertThat(run("train-router", "--dataset", DATASET.toString(), "-o", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--dataset needs --metric");
        assertThat(run("train-router", "--dataset", "a", "--records", "b", "-o", dir.toString()))
                .isEqualTo(2);
        assertThat(run(
                        "train-router",
                        "--dataset",
                        DATASET.toString(),
                        "--metric",
                        "correct",
                        "--tags",
                        "clusters:0",
                        "-o",
                        dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--tags must be records, none or clusters:K");
        assertThat(run(
                        "train-router",
                        "--dataset",
                        DATASET.toString(),
                        "--metric",
                        "correct",
                        "--calibration-folds",
                        "1",
                        "-o",
                        dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--calibration-folds must be 0 or at least 2, found 1");
        assertThat(run("route", "--router", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("give queries");
        assertThat(run("route", "--router", dir.toString(), "--threshold", "1.5", "q"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--threshold must be in [0, 1], found 1.5");
        assertThat(run("route", "--router", dir.toString(), "--share", "-0.2", "q"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--share must be in [0, 1], found -0.2");
        assertThat(run("route", "--router", dir.toString(), "--share", "0.5", "--threshold", "0.5", "q"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("give --threshold or --share, not both");
    }

    @Test
    void route_missingRouter_failsNamingIt(@TempDir Path dir) {
        assertThat(run("route", "--router", dir.resolve("nope").toString(), "q"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("no directory").contains("nope");
        assertThat(run("route", "--router", dir.toString(), "q")).isEqualTo(1);
        assertThat(err.toString()).contains("router.json");
    }

    @Test
    void trainThenRoute_withATorchScriptEncoder_usesIt(@TempDir Path dir) {
        Path router = dir.resolve("router");
        int rc = run(
                "train-router",
                "--dataset",
                DATASET.toString(),
                "--metric",
                "correct",
                "--epochs",
                "2",
                "--encoder",
                "../models/encoder",
                "--out",
                router.toString());
        assertThat(rc).as(err.toString()).isZero();

        assertThat(run("route", "--router", router.toString(), "--encoder", "../models/encoder", "Hi?"))
                .isZero();
        assertThat(run("route", "--router", router.toString(), "Hi?")).isEqualTo(1);
        assertThat(err.toString()).contains("random-encoder-tiny").contains("all-MiniLM-L6-v2");
    }
}
