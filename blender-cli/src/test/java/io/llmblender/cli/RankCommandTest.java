package io.llmblender.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.rank.Aggregation;
import io.llmblender.core.rank.Ranking;
import io.llmblender.core.rank.Rankings;
import io.llmblender.ranker.PairRanker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blender rank} run in-process on small JSONL files with the bundled random PairRanker. */
class RankCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path DATA = Path.of("..", "data", "gsm8k-100.jsonl");
    static final Path RANKER = Path.of("..", "models", "pairranker");

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = BlenderCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** The first {@code n} lines of the bundled GSM8K sample. */
    static Path sample(Path dir, int n) throws IOException {
        Path file = dir.resolve("in.jsonl");
        Files.write(file, Files.readAllLines(DATA, StandardCharsets.UTF_8).subList(0, n), StandardCharsets.UTF_8);
        return file;
    }

    static ObjectNode record(String id, String instruction, String input, String... texts) {
        ObjectNode r = JSON.createObjectNode()
                .put("id", id)
                .put("instruction", instruction)
                .put("input", input);
        var candidates = r.putArray("candidates");
        for (int i = 0; i < texts.length; i++) {
            candidates.addObject().put("model", "m" + i).put("text", texts[i]);
        }
        return r;
    }

    static Path write(Path file, List<String> lines) throws IOException {
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    static List<String> ids(List<JsonNode> records) {
        return records.stream().map(r -> r.get("id").asText()).toList();
    }

    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.intValue()));
        return out;
    }

    @Test
    void rank_sampleRecords_writesOneLinePerRecordWithItsFieldsAndARanking(@TempDir Path dir) throws IOException {
        Path in = sample(dir, 3);
        Path out = dir.resolve("out.jsonl");

        Result r = run("rank", "--input", in.toString(), "--output", out.toString(), "--ranker", "test");

        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> inputs = read(in);
        List<JsonNode> outputs = read(out);
        assertThat(outputs).hasSize(3);
        try (PairRanker ranker = PairRanker.load(RANKER)) {
            for (int i = 0; i < 3; i++) {
                ObjectNode written = (ObjectNode) outputs.get(i).deepCopy();
                JsonNode ranking = written.remove("ranking");
                assertThat(written).isEqualTo(inputs.get(i));
                assertThat(ranking.get("ranker").asText()).isEqualTo(ranker.name());
                assertThat(ranking.get("aggregation").asText()).isEqualTo("max_logits");
                assertThat(ints(ranking.get("ranks"))).containsExactlyInAnyOrder(1, 2);
                assertThat(ranking.get("scores")).hasSize(2);
            }
        }
        assertThat(r.out()).startsWith("ranked 3 records in ").endsWith(" s -> " + out + System.lineSeparator());
        assertThat(r.err()).contains(ModelOptions.TEST_MODEL_NOTE).contains("rank: 3/3");
    }

    @Test
    void rank_lineThatIsNotJson_isDescribedInTheProjectsWords(@TempDir Path dir) throws IOException {
        Path in = write(dir.resolve("in.jsonl"), List.of("{\"id\": \"b\", \"instruction\": NaN}"));
        Result r = run(
                "rank",
                "--input",
                in.toString(),
                "--output",
                dir.resolve("out.jsonl").toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err())
                .contains(in + ":1: not JSON: column 31: NaN is not a JSON number")
                .doesNotContain("JsonReadFeature")
                .doesNotContain("ALLOW_NON_NUMERIC");
    }

    @Test
    void rank_noRankerOption_usesTheDefaultRanker(@TempDir Path dir) throws IOException {
        Path in = write(
                dir.resolve("in.jsonl"),
                List.of(record(
                                "q",
                                "How do I boil an egg?",
                                "",
                                "Put it in boiling water for 8 minutes.",
                                "Eggs are oval.")
                        .toString()));
        Path out = dir.resolve("out.jsonl");

        Result r = run("rank", "--input", in.toString(), "--output", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode ranking = read(out).get(0).get("ranking");
        assertThat(ranking.get("ranker").asText())
                .as("two answers: the default's trained reward ranker")
                .isEqualTo(io.llmblender.ranker.minilm.MiniLmRewardRanker.DEFAULT_NAME);
        assertThat(ranking.get("ranks").get(0).asInt())
                .as("the answer that says how to boil an egg first")
                .isEqualTo(1);
        assertThat(r.err()).doesNotContain(ModelOptions.TEST_MODEL_NOTE);
    }

    @Test
    void rank_batchedRecords_equalPairRankerRankingEachAlone(@TempDir Path dir) throws IOException {
        List<ObjectNode> records = List.of(
                record("a", "Add the numbers. ", "2 + 3", "5", "The sum is 5.", "6", "It is five, since 2 + 3 = 5."),
                record("b", "Name a colour.", "", "Red.", "Blue is a colour.", "Seven."),
                record(
                        "c",
                        "",
                        "What is the capital of France?",
                        "Paris.",
                        "Lyon.",
                        "It is Paris, on the Seine.",
                        "France has no capital.",
                        "Rome."));
        Path in = write(
                dir.resolve("in.jsonl"),
                records.stream().map(ObjectNode::toString).toList());
        Path out = dir.resolve("out.jsonl");

        Result r =
                run("rank", "--input", in.toString(), "--output", out.toString(), "--ranker", "test", "--batch", "2");

        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> outputs = read(out);
        assertThat(ids(outputs)).containsExactly("a", "b", "c");
        try (PairRanker ranker = PairRanker.load(RANKER)) {
            for (int i = 0; i < records.size(); i++) {
                ObjectNode rec = records.get(i);
                List<String> texts = new ArrayList<>();
                rec.get("candidates").forEach(c -> texts.add(c.get("text").asText()));
                Ranking direct = ranker.rank(
                        rec.get("instruction").asText() + rec.get("input").asText(), texts);
                JsonNode ranking = outputs.get(i).get("ranking");
                List<Integer> ranks = ints(ranking.get("ranks"));
                assertThat(ranks)
                        .containsExactlyInAnyOrderElementsOf(
                                IntStream.rangeClosed(1, texts.size()).boxed().toList());
                assertThat(ranks)
                        .containsExactlyElementsOf(
                                IntStream.of(direct.ranks()).boxed().toList());
                for (int c = 0; c < texts.size(); c++) {
                    assertThat(ranking.get("scores").get(c).asDouble()).isCloseTo(direct.score(c), within(1e-5));
                }
            }
        }
    }

    @Test
    void rank_aggregationInUpperCase_ranksWithMaxWins(@TempDir Path dir) throws IOException {
        ObjectNode rec = record("q", "Which is right?", "", "Yes.", "No.", "Maybe.", "Both.");
        Path in = write(dir.resolve("in.jsonl"), List.of(rec.toString()));
        Path out = dir.resolve("out.jsonl");

        Result r = run(
                "rank",
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--ranker",
                "test",
                "--aggregation",
                "MAX_WINS");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode ranking = read(out).get(0).get("ranking");
        assertThat(ranking.get("aggregation").asText()).isEqualTo("max_wins");
        try (PairRanker ranker = PairRanker.load(RANKER)) {
            Ranking direct = Rankings.rank(
                    ranker, "Which is right?", List.of("Yes.", "No.", "Maybe.", "Both."), Aggregation.MAX_WINS, 0L);
            assertThat(ints(ranking.get("ranks")))
                    .containsExactlyElementsOf(
                            IntStream.of(direct.ranks()).boxed().toList());
            List<Double> scores = new ArrayList<>();
            ranking.get("scores").forEach(s -> scores.add(s.asDouble()));
            assertThat(scores)
                    .containsExactlyElementsOf(
                            Arrays.stream(direct.scores()).boxed().toList());
        }
    }

    @Test
    void rank_recordsWithOneOrNoCandidate_getATrivialRanking(@TempDir Path dir) throws IOException {
        Path in = write(
                dir.resolve("in.jsonl"),
                List.of(
                        record("one", "Say hi.", "", "Hi.").toString(),
                        record("none", "Say hi.", "").toString(),
                        record("two", "Say hi.", "", "Hi.", "Hello.").toString()));
        Path out = dir.resolve("out.jsonl");

        Result r = run("rank", "--input", in.toString(), "--output", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> outputs = read(out);
        assertThat(ids(outputs)).containsExactly("one", "none", "two");
        assertThat(ints(outputs.get(0).get("ranking").get("ranks"))).containsExactly(1);
        assertThat(outputs.get(0).get("ranking").get("scores").get(0).asDouble())
                .isEqualTo(0.0);
        assertThat(outputs.get(1).get("ranking").get("ranks")).isEmpty();
        assertThat(outputs.get(1).get("ranking").get("scores")).isEmpty();
        assertThat(ints(outputs.get(2).get("ranking").get("ranks"))).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void rank_secondRun_writesNothingNew(@TempDir Path dir) throws IOException {
        Path in = sample(dir, 3);
        Path out = dir.resolve("out.jsonl");
        assertThat(run("rank", "--input", in.toString(), "--output", out.toString())
                        .exit())
                .isZero();
        byte[] first = Files.readAllBytes(out);

        Result again = run("rank", "--input", in.toString(), "--output", out.toString());

        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(first);
        assertThat(again.out()).startsWith("ranked 0 records (3 already done) in ");
    }

    @Test
    void rank_partialOutputWithACutOffLastLine_ranksOnlyTheMissingIds(@TempDir Path dir) throws IOException {
        Path in = sample(dir, 4);
        List<String> ids = ids(read(in));
        Path out = dir.resolve("out.jsonl");
        Files.writeString(
                out,
                "{\"id\":\"" + ids.get(0) + "\",\"marker\":1}\n{\"id\":\"" + ids.get(1) + "\",\"marker\":2}\n{\"id\":\""
                        + ids.get(2) + "\",\"instruc",
                StandardCharsets.UTF_8);

        Result r = run("rank", "--input", in.toString(), "--output", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> outputs = read(out);
        assertThat(ids(outputs)).containsExactlyElementsOf(ids);
        assertThat(outputs.get(0).get("marker").asInt()).isEqualTo(1);
        assertThat(outputs.get(1).get("marker").asInt()).isEqualTo(2);
        assertThat(outputs.get(2).has("ranking")).isTrue();
        assertThat(outputs.get(3).has("ranking")).isTrue();
        assertThat(r.out()).startsWith("ranked 2 records (2 already done) in ");
    }

    @Test
    void rank_limitThenResume_ranksTheFirstRecordsThenTheRest(@TempDir Path dir) throws IOException {
        Path in = sample(dir, 3);
        Path out = dir.resolve("out.jsonl");

        Result limited = run("rank", "--input", in.toString(), "--output", out.toString(), "--limit", "2");
        Result rest = run("rank", "--input", in.toString(), "--output", out.toString());

        assertThat(limited.out()).startsWith("ranked 2 records in ");
        assertThat(rest.out()).startsWith("ranked 1 record (2 already done) in ");
        assertThat(ids(read(out))).containsExactlyElementsOf(ids(read(in)));
    }

    @Test
    void rank_badLineWithStop_failsNamingFileLineAndField(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(sample(dir, 3), StandardCharsets.UTF_8));
        lines.set(1, "{\"id\": \"broken\", \"instruction\": \"Hi.\"}");
        Path in = write(dir.resolve("in.jsonl"), lines);
        Path out = dir.resolve("out.jsonl");

        Result r = run("rank", "--input", in.toString(), "--output", out.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("error: " + in + ":2: ")
                .contains("'candidates'")
                .contains("--on-bad-line skip");
        assertThat(out).doesNotExist();
    }

    @Test
    void rank_badLineWithSkip_reportsItAndRanksTheOthers(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(sample(dir, 3), StandardCharsets.UTF_8));
        lines.set(1, "{\"id\": \"broken\", \"instruction\": \"Hi.\"}");
        Path in = write(dir.resolve("in.jsonl"), lines);
        Path out = dir.resolve("out.jsonl");

        Result r = run("rank", "--input", in.toString(), "--output", out.toString(), "--on-bad-line", "skip");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("skipped " + in + ":2: ").contains("'candidates'");
        assertThat(ids(read(out))).containsExactly("gsm8k-test-0", "gsm8k-test-2");
        assertThat(r.out()).startsWith("ranked 2 records (1 bad line skipped) in ");
    }

    @Test
    void rank_missingInput_failsSayingSo(@TempDir Path dir) {
        Path in = dir.resolve("nope.jsonl");
        Path out = dir.resolve("out.jsonl");

        Result r = run("rank", "--input", in.toString(), "--output", out.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error: cannot read " + in + ": no such file");
        assertThat(out).doesNotExist();
    }

    @Test
    void rank_unknownOption_isAUsageError(@TempDir Path dir) throws IOException {
        Result r = run(
                "rank",
                "--input",
                sample(dir, 1).toString(),
                "--output",
                dir.resolve("o.jsonl").toString(),
                "--frobnicate");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--frobnicate'");
    }

    @Test
    void rank_badOptionValues_areUsageErrorsNamingTheOption(@TempDir Path dir) throws IOException {
        String in = sample(dir, 1).toString();
        String out = dir.resolve("o.jsonl").toString();

        Result batch = run("rank", "--input", in, "--output", out, "--batch", "0");
        Result aggregation = run("rank", "--input", in, "--output", out, "--aggregation", "best");
        Result same = run("rank", "--input", in, "--output", in);

        assertThat(batch.exit()).isEqualTo(2);
        assertThat(batch.err()).contains("--batch must be at least 1, found 0");
        assertThat(aggregation.exit()).isEqualTo(2);
        assertThat(aggregation.err()).contains("--aggregation").contains("best");
        assertThat(same.exit()).isEqualTo(2);
        assertThat(same.err()).contains("--output must not be the --input file");
        assertThat(Path.of(out)).doesNotExist();
    }

    @Test
    void rank_recordOverTheRankersLimits_isABadLine(@TempDir Path dir) throws IOException {
        String[] many = IntStream.range(0, PairRanker.MAX_CANDIDATES + 44)
                .mapToObj(i -> "answer " + i)
                .toArray(String[]::new);
        Path in = dir.resolve("limits.jsonl");
        Files.write(
                in,
                List.of(
                        record("a", "Add 1 and 1.", "", "2", "3").toString(),
                        record("b", "Count.", "", many).toString(),
                        record("c", "Add 2 and 2.", "", "4", "5").toString()),
                StandardCharsets.UTF_8);
        Path outSkip = dir.resolve("skip.jsonl");
        Result skip = run(
                "rank",
                "--input",
                in.toString(),
                "--output",
                outSkip.toString(),
                "--ranker",
                "test",
                "--on-bad-line",
                "skip");
        assertThat(skip.exit()).as(skip.err()).isZero();
        assertThat(skip.err()).contains("skipped " + in + ":2: the ranker cannot rank this record: candidates must be");
        List<String> written = Files.readAllLines(outSkip, StandardCharsets.UTF_8);
        assertThat(written).hasSize(2);
        assertThat(written.get(0)).contains("\"id\":\"a\"");
        assertThat(written.get(1)).contains("\"id\":\"c\"");

        Result stop = run(
                "rank",
                "--input",
                in.toString(),
                "--output",
                dir.resolve("stop.jsonl").toString(),
                "--ranker",
                "test");
        assertThat(stop.exit()).isEqualTo(1);
        assertThat(stop.err()).contains(in + ":2:").doesNotContain("queries[");
    }

    @Test
    void rank_fileWithUtf8ByteOrderMark_readsLineOne(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("bom.jsonl");
        Files.write(
                in,
                List.of(
                        "\uFEFF" + record("a", "Add 1 and 1.", "", "2", "3"),
                        record("b", "Add 2 and 2.", "", "4", "5").toString()),
                StandardCharsets.UTF_8);
        Result r = run(
                "rank",
                "--input",
                in.toString(),
                "--output",
                dir.resolve("o.jsonl").toString(),
                "--ranker",
                "test");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("o.jsonl"))).hasSize(2);
    }
}
