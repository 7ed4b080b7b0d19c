package io.llmblender.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blender eval} end to end, in process. The ranked fixture is the one of
 * {@code io.llmblender.eval.SelectionMetricsTest}, whose comments work out the expected numbers.
 */
class EvalCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double EPS = 1e-12;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void eval_rankedFile_printsEveryRowAndWritesMatchingJson() throws IOException {
        Path input = write("ranked.jsonl", rankedLines());
        Path report = dir.resolve("reports/eval.json");

        int code = run("eval", "--input", input.toString(), "--json", report.toString());

        assertThat(code).as(err.toString()).isZero();
        String table = out.toString();
        assertThat(table).contains("metric q (higher is better), 3 records");
        assertThat(table).containsPattern("(?m)^A +3 +0\\.4000 +33\\.33% +2\\.5000$");
        assertThat(table).containsPattern("(?m)^B +3 +0\\.6333 +66\\.67% +1\\.6667$");
        assertThat(table).containsPattern("(?m)^C +3 +0\\.5667 +66\\.67% +1\\.8333$");
        assertThat(table).containsPattern("(?m)^random +3 +0\\.5333 +55\\.56% +2\\.0000$");
        assertThat(table).containsPattern("(?m)^oracle +3 +0\\.7667 +100\\.00% +1\\.3333$");
        assertThat(table).containsPattern("(?m)^selection \\(pairrm\\) +3 +0\\.5333 +33\\.33% +2\\.1667$");
        assertThat(table).contains("Spearman 0.6830, Kendall tau-b 0.5749, mean over 2 records; 1 undefined");
        assertThat(err.toString()).contains("metric: q");

        JsonNode json = JSON.readTree(report.toFile());
        assertThat(json.get("input").asText()).isEqualTo(input.toString());
        assertThat(json.get("metric").asText()).isEqualTo("q");
        assertThat(json.get("lower_is_better").asBoolean()).isFalse();
        assertThat(json.get("records").asInt()).isEqualTo(3);
        assertThat(json.get("skipped_lines").asInt()).isZero();
        assertThat(json.get("ranker").asText()).isEqualTo("pairrm");
        assertThat(json.get("aggregation").asText()).isEqualTo("max_logits");
        assertThat(json.get("llms")).hasSize(3);
        assertRow(json.get("llms").get(0), "A", 3, 0.4, 1 / 3.0, 2.5);
        assertRow(json.get("llms").get(1), "B", 3, 1.9 / 3, 2 / 3.0, 5 / 3.0);
        assertRow(json.get("llms").get(2), "C", 3, 1.7 / 3, 2 / 3.0, 5.5 / 3);
        assertRow(json.get("random"), "random", 3, 1.6 / 3, 5 / 9.0, 2.0);
        assertRow(json.get("oracle"), "oracle", 3, 2.3 / 3, 1.0, 4 / 3.0);
        assertRow(json.get("selection"), "selection (pairrm)", 3, 1.6 / 3, 1 / 3.0, 6.5 / 3);
        JsonNode c = json.get("correlations");
        assertThat(c.get("spearman").asDouble()).isCloseTo((Math.sqrt(3) / 2 + 0.5) / 2, within(EPS));
        assertThat(c.get("kendall_tau_b").asDouble()).isCloseTo((2 / Math.sqrt(6) + 1 / 3.0) / 2, within(EPS));
        assertThat(c.get("records").asInt()).isEqualTo(2);
        assertThat(c.get("undefined").asInt()).isEqualTo(1);
    }

    @Test
    void eval_gptRankFromCmpResults_ranksAsLlmBlenderAndOmitsSelectionWithoutRanking() throws IOException {
        // r1 (object): m2 beats m1 and m3, m3 beats m1 -> GPT-Ranks m1 3, m2 1, m3 2
        // r2 (string of JSON, as on Hugging Face): m1 beats m2 and m3, m2 vs m3 "Same good" -> 1, 2, 2
        ObjectNode r1 = record("r1", List.of("m1", "m2", "m3"), "bleu", List.of(1.0, 2.0, 3.0));
        r1.putObject("cmp_results")
                .put("m1,m2", "B is better")
                .put("m1,m3", "B is better")
                .put("m2,m3", "A is better");
        ObjectNode r2 = record("r2", List.of("m1", "m2", "m3"), "bleu", List.of(1.0, 2.0, 3.0));
        r2.put("cmp_results", "{\"m1,m2\": \"A is better\", \"m3,m1\": \"B is better\", \"m2,m3\": \"Same good\"}");
        Path input = write("cmp.jsonl", List.of(r1.toString(), r2.toString()));
        Path report = dir.resolve("cmp.json");

        int code = run("eval", "--input", input.toString(), "--metric", "gpt-rank", "--json", report.toString());

        assertThat(code).as(err.toString()).isZero();
        // mean metric = the mean GPT-Rank (lower is better); mean rank averages ties: r2 m2, m3 get 2.5
        // m1: ranks 3, 1 -> 2; first in r2 -> 50%; reference ranks 3, 1 -> 2
        // m2: 1, 2 -> 1.5; first in r1 -> 50%; 1, 2.5 -> 1.75
        // m3: 2, 2 -> 2; never first; 2, 2.5 -> 2.25
        // random: (2 + 5/3) / 2 = 11/6; one best per record -> 1/3; 2. oracle: 1, 100%, 1
        String table = out.toString();
        assertThat(table).contains("metric gpt-rank (lower is better), 2 records");
        assertThat(table).containsPattern("(?m)^m1 +2 +2\\.0000 +50\\.00% +2\\.0000$");
        assertThat(table).containsPattern("(?m)^m2 +2 +1\\.5000 +50\\.00% +1\\.7500$");
        assertThat(table).containsPattern("(?m)^m3 +2 +2\\.0000 +0\\.00% +2\\.2500$");
        assertThat(table).containsPattern("(?m)^random +2 +1\\.8333 +33\\.33% +2\\.0000$");
        assertThat(table).containsPattern("(?m)^oracle +2 +1\\.0000 +100\\.00% +1\\.0000$");
        assertThat(table).doesNotContain("selection").doesNotContain("Spearman");
        assertThat(err.toString()).contains("carries a 'ranking'");
        JsonNode json = JSON.readTree(report.toFile());
        assertThat(json.get("lower_is_better").asBoolean()).isTrue();
        assertThat(json.get("selection").isNull()).isTrue();
        assertThat(json.get("correlations").isNull()).isTrue();
        assertRow(json.get("llms").get(1), "m2", 2, 1.5, 0.5, 1.75);
        assertRow(json.get("random"), "random", 2, 11 / 6.0, 1 / 3.0, 2.0);
    }

    @Test
    void eval_gptRankWithoutCmpResults_exits1NamingTheLine() throws IOException {
        Path input = write("nocmp.jsonl", rankedLines());

        int code = run("eval", "--input", input.toString(), "--metric", "gpt-rank");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .contains(input + ":1: metric gpt-rank: the record has no cmp_results")
                .contains("every candidate of this record has: q, other");
    }

    @Test
    void eval_missingMetric_exits1WithFileLineAndAvailableMetrics() throws IOException {
        List<String> lines = new ArrayList<>(rankedLines());
        lines.set(1, withoutQ(lines.get(1)));
        Path input = write("missing.jsonl", lines);

        int code = run("eval", "--input", input.toString(), "--metric", "q");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .contains("error: " + input + ":2: candidates[1] (model \"B\") has no score \"q\"; its scores: other")
                .contains("--on-bad-line skip");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void eval_skipPolicy_reportsBadLinesAndEvaluatesTheRest() throws IOException {
        Path input = write("skip.jsonl", linesWithBadOnes());
        Path report = dir.resolve("skip.json");

        int code = run("eval", "--input", input.toString(), "--on-bad-line", "skip", "--json", report.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString())
                .contains("skipped " + input + ":2: candidates[1] (model \"B\") has no score \"q\"")
                .contains("skipped " + input + ":3: not JSON")
                .contains("skipped " + input + ":5: the record has no 'ranking'")
                .contains("skipped 3 bad lines");
        // left: lines 1 and 4, that is R1 and R3 of the fixture
        assertThat(out.toString())
                .contains("metric q (higher is better), 2 records")
                .containsPattern("(?m)^oracle +2 +0\\.7000 +100\\.00% +1\\.5000$");
        JsonNode json = JSON.readTree(report.toFile());
        assertThat(json.get("records").asInt()).isEqualTo(2);
        assertThat(json.get("skipped_lines").asInt()).isEqualTo(3);
    }

    @Test
    void eval_malformedRanking_exits1NamingTheField() throws IOException {
        List<String> lines = new ArrayList<>(rankedLines());
        ObjectNode r3 = (ObjectNode) readTree(lines.get(2));
        ((ArrayNode) r3.get("ranking").get("ranks")).remove(2);
        lines.set(2, r3.toString());
        Path input = write("short-ranks.jsonl", lines);

        assertThat(run("eval", "--input", input.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(input + ":3: field 'ranking.ranks' must be an array of 3");
    }

    @Test
    void eval_twoRankers_exits1NamingBothLines() throws IOException {
        List<String> lines = new ArrayList<>(rankedLines());
        ObjectNode r2 = (ObjectNode) readTree(lines.get(1));
        ((ObjectNode) r2.get("ranking")).put("ranker", "other");
        lines.set(1, r2.toString());
        Path input = write("two-rankers.jsonl", lines);

        assertThat(run("eval", "--input", input.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(input + ":2: ranked by \"other\" (max_logits), but line 1 by \"pairrm\"");
    }

    @Test
    void eval_unknownOption_exits2() throws IOException {
        Path input = write("ranked.jsonl", rankedLines());

        assertThat(run("eval", "--input", input.toString(), "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
    }

    @Test
    void eval_missingInputOption_exits2() {
        assertThat(run("eval")).isEqualTo(2);
        assertThat(err.toString()).contains("--input");
    }

    @Test
    void eval_badOnBadLineValue_exits2() throws IOException {
        Path input = write("ranked.jsonl", rankedLines());

        assertThat(run("eval", "--input", input.toString(), "--on-bad-line", "ignore"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--on-bad-line");
    }

    /** The 3-record fixture of SelectionMetricsTest, with a second score "other" after "q". */
    private static List<String> rankedLines() {
        return List.of(
                ranked(
                                record("r1", List.of("A", "B", "C"), "q", List.of(0.8, 0.8, 0.2)),
                                List.of(1, 2, 3),
                                List.of(3.0, 2.0, 1.0))
                        .toString(),
                ranked(
                                record("r2", List.of("A", "B", "C"), "q", List.of(0.1, 0.5, 0.9)),
                                List.of(3, 1, 2),
                                List.of(0.0, 2.0, 1.0))
                        .toString(),
                ranked(
                                record("r3", List.of("A", "B", "C"), "q", List.of(0.3, 0.6, 0.6)),
                                List.of(1, 1, 1),
                                List.of(1.0, 1.0, 1.0))
                        .toString());
    }

    /** R1; R2 with candidate B lacking "q"; a line that is not JSON; R3; R3 again without a ranking. */
    private static List<String> linesWithBadOnes() {
        List<String> lines = new ArrayList<>(rankedLines());
        lines.set(1, withoutQ(lines.get(1)));
        lines.add(2, "{not json");
        ObjectNode unranked = (ObjectNode) readTree(lines.get(3));
        unranked.put("id", "r3-unranked");
        unranked.remove("ranking");
        lines.add(unranked.toString());
        return lines;
    }

    /** The line with candidate B's score "q" removed. */
    private static String withoutQ(String line) {
        ObjectNode r = (ObjectNode) readTree(line);
        ((ObjectNode) r.get("candidates").get(1).get("scores")).remove("q");
        return r.toString();
    }

    private static ObjectNode record(String id, List<String> models, String metric, List<Double> values) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id);
        r.put("instruction", "question " + id);
        r.put("input", "");
        ArrayNode candidates = r.putArray("candidates");
        for (int i = 0; i < models.size(); i++) {
            ObjectNode c = candidates.addObject();
            c.put("model", models.get(i));
            c.put("text", "answer of " + models.get(i));
            c.putObject("scores").put(metric, values.get(i)).put("other", 1.0);
        }
        return r;
    }

    private static ObjectNode ranked(ObjectNode record, List<Integer> ranks, List<Double> scores) {
        ObjectNode ranking = record.putObject("ranking");
        ranking.put("ranker", "pairrm");
        ranking.put("aggregation", "max_logits");
        ranks.forEach(ranking.putArray("ranks")::add);
        scores.forEach(ranking.putArray("scores")::add);
        return record;
    }

    private Path write(String name, List<String> lines) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private int run(String... args) {
        return BlenderCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static JsonNode readTree(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertRow(
            JsonNode row, String name, int count, double meanMetric, double shareFirst, double meanRank) {
        assertThat(row.get("name").asText()).isEqualTo(name);
        assertThat(row.get("count").asInt()).isEqualTo(count);
        assertThat(row.get("mean_metric").asDouble())
                .as("mean_metric of " + name)
                .isCloseTo(meanMetric, within(EPS));
        assertThat(row.get("share_first").asDouble())
                .as("share_first of " + name)
                .isCloseTo(shareFirst, within(EPS));
        assertThat(row.get("mean_rank").asDouble()).as("mean_rank of " + name).isCloseTo(meanRank, within(EPS));
    }
}
