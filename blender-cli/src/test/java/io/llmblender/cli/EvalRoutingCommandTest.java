package io.llmblender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.ReferenceMode;
import io.llmblender.eval.routing.RoutingTable;
import io.llmblender.ranker.PairRanker;
import io.llmblender.router.label.RewardPipeline;
import io.llmblender.router.label.RewardRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code blender eval-routing} on real GSM8K answers and a few real Arena-Hard records, with the tiny ranker. */
class EvalRoutingCommandTest {

    private static final Path GSM8K = Path.of("..", "data", "gsm8k-100.jsonl");
    private static final Path ARENA = Path.of("..", "data", "arena-holdout.jsonl");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return BlenderCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void evalRouting_gsm8k_writesJsonAndSvgThatParse(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("routing.json");
        Path cache = dir.resolve("matrices.jsonl");
        Path prices = dir.resolve("prices.csv");
        Files.writeString(
                prices, "# USD per 1M tokens\ngpt-4-1106-preview,24.7\nmistralai/Mixtral-8x7B-Instruct-v0.1,0.24\n");
        int rc = run(
                "eval-routing",
                "--input",
                GSM8K.toString(),
                "--metric",
                "correct",
                "--folds",
                "3",
                "--epochs",
                "3",
                "--ranker",
                "test",
                "--top-k",
                "2",
                "--prices",
                prices.toString(),
                "--ranker-cache",
                cache.toString(),
                "--json",
                json.toString());

        assertThat(rc).as(err.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(Files.readString(json));
        assertThat(report.get("settings").get("queries").asInt()).isEqualTo(100);
        assertThat(report.get("llms")).hasSize(2);
        List<String> rowNames = new ArrayList<>();
        report.get("rows").forEach(r -> rowNames.add(r.get("name").asText()));
        assertThat(rowNames)
                .contains(
                        "random",
                        "oracle",
                        EvalRoutingCommand.JUDGE_ROUTER,
                        EvalRoutingCommand.RANKER_ROUTER,
                        "gpt-4-1106-preview alone");
        JsonNode oracle = row(report.get("rows"), "oracle");
        JsonNode gpt4 = row(report.get("rows"), "gpt-4-1106-preview alone");
        assertThat(oracle.get("mean_score").asDouble())
                .isGreaterThanOrEqualTo(gpt4.get("mean_score").asDouble());
        assertThat(oracle.get("share_first").asDouble()).isEqualTo(1.0);
        assertThat(report.get("ranked_queries").asInt()).isEqualTo(100);
        assertThat(row(report.get("ranked_rows"), "ranker pick of all 2")
                        .get("calls_per_query")
                        .asDouble())
                .isEqualTo(2.0);
        JsonNode adaptive = curve(report, EvalRoutingCommand.JUDGE_ROUTER + " adaptive top-2");
        JsonNode points = adaptive.get("points");
        assertThat(points.get(0).get("calls").asDouble()).isEqualTo(1.0);
        assertThat(points.get(points.size() - 1).get("calls").asDouble()).isEqualTo(2.0);
        assertThat(adaptive.get("gap").get("apgr").isNumber()).isTrue();
        assertThat(curve(report, EvalRoutingCommand.JUDGE_ROUTER + " price-weighted")
                        .get("axis")
                        .asText())
                .isEqualTo("cost");
        assertThat(out.toString()).contains("oracle").contains("APGR").contains("Adaptive thresholds, out of fold");
        JsonNode thresholds = report.get("thresholds");
        // 4 thresholds and 3 shares by default, for each of the two routers
        assertThat(thresholds).hasSize(14);
        for (JsonNode t : thresholds) {
            assertThat(t.get("routed_share").asDouble()).isBetween(0.0, 1.0);
            assertThat(t.get("confidence_temperatures")).hasSize(3);
            assertThat(t.get("adaptive_calls_per_query").asDouble()).isBetween(1.0, 2.0);
        }
        // a share turned into a threshold on each fold's training queries routes about that share out of fold
        for (JsonNode t : thresholds) {
            if (t.has("share") && t.get("router").asText().equals(EvalRoutingCommand.JUDGE_ROUTER)) {
                assertThat(t.get("routed_share").asDouble())
                        .isCloseTo(t.get("share").asDouble(), Offset.offset(0.2));
            }
        }

        for (String svg : List.of("routing.svg", "routing-cost.svg")) {
            Path file = dir.resolve(svg);
            assertThat(file).exists();
            Document doc =
                    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
            assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
            assertThat(doc.getElementsByTagName("polyline").getLength()).isPositive();
        }

        // a second run takes every matrix from the cache
        err.getBuffer().setLength(0);
        rc = run(
                "eval-routing",
                "--input",
                GSM8K.toString(),
                "--metric",
                "correct",
                "--folds",
                "3",
                "--epochs",
                "2",
                "--ranker",
                "test",
                "--top-k",
                "2",
                "--ranker-cache",
                cache.toString(),
                "--json",
                json.toString());
        assertThat(rc).as(err.toString()).isZero();
        assertThat(err.toString()).contains("100 queries from the cache, 0 to score");
    }

    @Test
    void evalRouting_arenaRecords_dropsIncompleteRecordsAndRanksASubset(@TempDir Path dir) throws Exception {
        Path small = dir.resolve("arena.jsonl");
        List<String> lines = Files.readAllLines(ARENA).subList(0, 8);
        Files.write(small, lines);
        Path subset = dir.resolve("subset.jsonl");
        Files.write(subset, lines.subList(0, 3));
        Path json = dir.resolve("arena.json");
        int rc = run(
                "eval-routing",
                "--input",
                small.toString(),
                "--metric",
                "gpt4_score",
                "--folds",
                "2",
                "--epochs",
                "2",
                "--ranker",
                "test",
                "--llms",
                "gpt-4-1106-preview,claude-2.1,llama-13b",
                "--select-on",
                subset.toString(),
                "--top-k",
                "2,3",
                "--json",
                json.toString());

        assertThat(rc).as(err.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(Files.readString(json));
        int queries = report.get("settings").get("queries").asInt();
        assertThat(queries + report.get("settings").get("records_left_out").asInt())
                .isEqualTo(8);
        assertThat(report.get("ranked_queries").asInt()).isLessThanOrEqualTo(3).isPositive();
        assertThat(row(report.get("ranked_rows"), EvalRoutingCommand.RANKER_ROUTER + " top-3 + ranker")
                        .get("calls_per_query")
                        .asDouble())
                .isEqualTo(3.0);
        assertThat(row(report.get("ranked_rows"), EvalRoutingCommand.JUDGE_ROUTER + " adaptive top-3 at 1.5 calls"))
                .isNotNull();
        assertThat(dir.resolve("arena.svg")).exists();
    }

    @Test
    void evalRouting_badPricesLine_namesFileAndLine(@TempDir Path dir) throws Exception {
        Path prices = dir.resolve("prices.csv");
        Files.writeString(prices, "gpt-4-1106-preview,24.7\nmistralai/Mixtral-8x7B-Instruct-v0.1,cheap\n");
        int rc = run(
                "eval-routing",
                "--input",
                GSM8K.toString(),
                "--metric",
                "correct",
                "--ranker",
                "none",
                "--prices",
                prices.toString(),
                "--json",
                dir.resolve("r.json").toString());

        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains(prices + ":2").contains("must be a number, found 'cheap'");
    }

    @Test
    void evalRouting_topKBeyondTheLlms_isAUsageError(@TempDir Path dir) {
        int rc = run(
                "eval-routing",
                "--input",
                GSM8K.toString(),
                "--metric",
                "correct",
                "--ranker",
                "none",
                "--top-k",
                "3",
                "--json",
                dir.resolve("r.json").toString());

        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("--top-k must be in [2, 2] for the 2 LLMs, found 3");
    }

    @Test
    void evalRouting_thresholdOrShareOutOfRange_isAUsageErrorNamingIt(@TempDir Path dir) {
        String[] base = {"eval-routing", "--input", GSM8K.toString(), "--metric", "correct", "--ranker", "none"};
        List<String> args = new ArrayList<>(List.of(base));
        args.addAll(List.of(
                "--thresholds", "0.5,1.2", "--json", dir.resolve("r.json").toString()));
        assertThat(run(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--thresholds must each be in [0, 1], found 1.2");
        args = new ArrayList<>(List.of(base));
        args.addAll(List.of("--shares", "-0.5", "--json", dir.resolve("r.json").toString()));
        assertThat(run(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--shares must each be in [0, 1], found -0.5");
    }

    @Test
    void rewards_fromAFullMatrix_matchRewardPipeline() {
        List<String> queries = List.of("What is 15% of 80?", "How many legs do 3 spiders have?");
        List<List<String>> answers = List.of(
                List.of("12", "15% of 80 is 12.", "It is 0.15 * 80 = 12, so 12."),
                List.of("24", "Spiders have 8 legs, so 3 * 8 = 24.", "21"));
        List<String> llms = List.of("a", "b", "c");
        try (PairRanker ranker = PairRanker.load(ModelOptions.ranker(ModelOptions.TEST, "--ranker"))) {
            List<RewardRecord> expected =
                    RewardPipeline.fromRanker(ranker, queries, answers, llms, ReferenceMode.LONGEST);
            String[][] a = {
                answers.get(0).toArray(String[]::new), answers.get(1).toArray(String[]::new)
            };
            RoutingTable table = RoutingTable.of(
                    "m", false, List.of("1", "2"), queries, llms, a, new double[][] {{1, 1, 1}, {1, 1, 0}});
            for (int q = 0; q < 2; q++) {
                PairwiseMatrix full = ranker.score(PairQuery.full(queries.get(q), answers.get(q)));
                double[] got = EvalRoutingCommand.rewards(table, q, full);
                for (int i = 0; i < 3; i++) {
                    assertThat(got[i]).isCloseTo(expected.get(q).rewards().get(llms.get(i)), Offset.offset(1e-5));
                }
            }
        }
    }

    @Test
    void readmeMeasurementCommands_parse() throws Exception {
        List<String> commands = Files.readAllLines(Path.of("..", "README.md")).stream()
                .filter(l -> l.startsWith("nice -n 10 ./blender ") && l.contains(" eval-routing "))
                .toList();

        assertThat(commands).hasSize(5);
        for (String command : commands) {
            List<String> words = io.llmblender.testkit.ShellWords.split(command);
            String[] args =
                    words.subList(words.indexOf("./blender") + 1, words.size()).toArray(String[]::new);
            picocli.CommandLine.ParseResult parsed = BlenderCli.commandLine(new PrintWriter(out), new PrintWriter(err))
                    .parseArgs(args);
            assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("eval-routing");
            for (String option : List.of("--input", "--prices", "--select-on")) {
                if (parsed.subcommand().hasMatchedOption(option)) {
                    String file = parsed.subcommand()
                            .matchedOptionValue(option, (Object) null)
                            .toString();
                    if (!file.startsWith("../")) { // files of the repository; ../shared/ is outside it
                        assertThat(Path.of("..").resolve(file)).as(command).exists();
                    }
                }
            }
        }
    }

    private static JsonNode row(JsonNode rows, String name) {
        for (JsonNode r : rows) {
            if (r.get("name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no row " + name + " in " + rows);
    }

    private static JsonNode curve(JsonNode report, String name) {
        for (JsonNode c : report.get("curves")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no curve " + name);
    }
}
