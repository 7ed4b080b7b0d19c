package io.llmblender.cli;

import static io.llmblender.cli.RankCommandTest.JSON;
import static io.llmblender.cli.RankCommandTest.ids;
import static io.llmblender.cli.RankCommandTest.ints;
import static io.llmblender.cli.RankCommandTest.read;
import static io.llmblender.cli.RankCommandTest.record;
import static io.llmblender.cli.RankCommandTest.run;
import static io.llmblender.cli.RankCommandTest.sample;
import static io.llmblender.cli.RankCommandTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.cli.RankCommandTest.Result;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Prompt;
import io.llmblender.fuser.Decoding;
import io.llmblender.fuser.GenFuser;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code blender fuse} run in-process on small JSONL files with the bundled random GenFuser, greedy and short. */
class FuseCommandTest {

    private static final Path FUSER = Path.of("..", "models", "genfuser");
    /** Greedy and a few tokens: the random test model is slow to say nothing. */
    private static final String[] FAST = {"--fuser", "test", "--beams", "1", "--max-new-tokens", "6"};

    private static Result fuse(Path in, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("fuse", "--input", in.toString(), "--output", out.toString()));
        args.addAll(List.of(FAST));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    private static ObjectNode ranked(ObjectNode record, int... ranks) {
        var array = record.putObject("ranking").put("ranker", "someone").putArray("ranks");
        for (int r : ranks) {
            array.add(r);
        }
        return record;
    }

    private static List<String> models(JsonNode record) {
        List<String> out = new ArrayList<>();
        record.get("fused").get("candidates").forEach(m -> out.add(m.asText()));
        return out;
    }

    @Test
    void fuse_rankedRecords_fusesTheTopKByRankBestFirst(@TempDir Path dir) throws IOException {
        List<ObjectNode> records = List.of(
                ranked(record("a", "Add the numbers. ", "2 + 3", "5", "The sum is 5.", "6", "Five."), 3, 1, 4, 2),
                ranked(record("b", "Name a colour.", "", "Red.", "Blue.", "Green.", "Seven."), 2, 1, 1, 4));
        Path in = write(
                dir.resolve("in.jsonl"),
                records.stream().map(ObjectNode::toString).toList());
        Path out = dir.resolve("out.jsonl");

        Result r = fuse(in, out, "--top-k", "2");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("file order").contains(ModelOptions.TEST_MODEL_NOTE);
        assertThat(r.out()).startsWith("fused 2 records in ");
        List<JsonNode> outputs = read(out);
        assertThat(ids(outputs)).containsExactly("a", "b");
        assertThat(models(outputs.get(0))).containsExactly("m1", "m3");
        assertThat(models(outputs.get(1))).containsExactly("m1", "m2");
        try (GenFuser fuser = GenFuser.builder(FUSER)
                .decoding(Decoding.greedy())
                .maxNewTokens(6)
                .build()) {
            List<List<String>> picked = List.of(List.of("The sum is 5.", "Five."), List.of("Blue.", "Green."));
            for (int i = 0; i < 2; i++) {
                ObjectNode kept = (ObjectNode) outputs.get(i).deepCopy();
                JsonNode fused = kept.remove("fused");
                assertThat(kept).isEqualTo(records.get(i));
                Fusion direct = fuser.fuse(
                        Prompt.of(
                                records.get(i).get("instruction").asText(),
                                records.get(i).get("input").asText()),
                        picked.get(i));
                assertThat(fused.get("fuser").asText()).isEqualTo(fuser.name());
                assertThat(fused.get("text").asText()).isEqualTo(direct.text());
                assertThat(fused.get("finish_reason").asText())
                        .isEqualTo(direct.finishReason().name().toLowerCase(Locale.ROOT));
                assertThat(fused.get("tokens").asInt())
                        .isEqualTo(direct.generatedTokens().orElseThrow());
                assertThat(fused.get("picked_by").asText()).isEqualTo("ranking");
            }
        }
    }

    @Test
    void fuse_afterRank_picksTheRankedOrderAndAtMostTheCandidatesThereAre(@TempDir Path dir) throws IOException {
        Path in = sample(dir, 3);
        Path rankedFile = dir.resolve("ranked.jsonl");
        Path out = dir.resolve("fused.jsonl");
        assertThat(run("rank", "--input", in.toString(), "--output", rankedFile.toString())
                        .exit())
                .isZero();

        Result r = fuse(rankedFile, out);

        assertThat(r.exit()).as(r.err()).isZero();
        for (JsonNode record : read(out)) {
            List<Integer> ranks = ints(record.get("ranking").get("ranks"));
            List<String> best = IntStream.range(0, ranks.size())
                    .boxed()
                    .sorted(Comparator.<Integer>comparingInt(ranks::get).thenComparingInt(i -> i))
                    .map(i -> record.get("candidates").get(i).get("model").asText())
                    .toList();
            assertThat(models(record)).containsExactlyElementsOf(best);
        }
    }

    @Test
    void fuse_recordsWithoutRanking_useFileOrderAndSaySoOnce(@TempDir Path dir) throws IOException {
        Path in = write(
                dir.resolve("in.jsonl"),
                List.of(
                        record("a", "Say hi.", "", "Hi.", "Hello.", "Hey.").toString(),
                        record("b", "Say bye.", "", "Bye.", "Farewell.", "Ciao.")
                                .toString()));
        Path out = dir.resolve("out.jsonl");

        Result r = fuse(in, out, "--top-k", "2");

        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> outputs = read(out);
        assertThat(models(outputs.get(0))).containsExactly("m0", "m1");
        assertThat(models(outputs.get(1))).containsExactly("m0", "m1");
        assertThat(outputs.get(0).get("fused").get("picked_by").asText()).isEqualTo("file_order");
        assertThat(r.err().split("file order", -1)).hasSize(2);
        assertThat(r.err()).contains("2 of 2 records have no 'ranking' field");
    }

    @Test
    void fuse_badRankingWithStop_failsNamingFileLineAndField(@TempDir Path dir) throws IOException {
        Path in = write(
                dir.resolve("in.jsonl"),
                List.of(
                        ranked(record("a", "Say hi.", "", "Hi.", "Hello."), 1, 2)
                                .toString(),
                        ranked(record("b", "Say bye.", "", "Bye.", "Farewell."), 1)
                                .toString()));
        Path out = dir.resolve("out.jsonl");

        Result r = fuse(in, out);

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("error: " + in + ":2: field 'ranking.ranks' must have one rank per candidate"
                        + " (2), found 1");
        assertThat(out).doesNotExist();
    }

    @Test
    void fuse_badRankingsWithSkip_reportsThemAndFusesTheOthers(@TempDir Path dir) throws IOException {
        ObjectNode notNumbers = record("c", "Say so.", "", "So.", "Thus.");
        notNumbers.putObject("ranking").putArray("ranks").add("first").add("second");
        Path in = write(
                dir.resolve("in.jsonl"),
                List.of(
                        ranked(record("a", "Say hi.", "", "Hi.", "Hello."), 2, 1)
                                .toString(),
                        ranked(record("b", "Say bye.", "", "Bye.", "Farewell."), 1)
                                .toString(),
                        notNumbers.toString(),
                        record("d", "Say yes.", "", "Yes.", "Aye.")
                                .put("ranking", "best")
                                .toString(),
                        "{\"id\": \"e\", \"instruction\": \"Hi.\", \"candidates\": 3}"));
        Path out = dir.resolve("out.jsonl");

        Result r = fuse(in, out, "--on-bad-line", "skip");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err())
                .contains("skipped " + in + ":2: field 'ranking.ranks'")
                .contains("skipped " + in + ":3: field 'ranking.ranks[0]' must be a number, found \"first\"")
                .contains("skipped " + in + ":4: field 'ranking' must be an object")
                .contains("skipped " + in + ":5: field 'candidates'");
        List<JsonNode> outputs = read(out);
        assertThat(ids(outputs)).containsExactly("a");
        assertThat(models(outputs.get(0))).containsExactly("m1", "m0");
        assertThat(r.out()).startsWith("fused 1 record (4 bad lines skipped) in ");
    }

    @Test
    void fuse_secondRunAndCutOffOutput_fuseOnlyTheMissingIds(@TempDir Path dir) throws IOException {
        Path in = sample(dir, 3);
        List<String> ids = ids(read(in));
        Path out = dir.resolve("out.jsonl");
        Files.writeString(
                out,
                "{\"id\":\"" + ids.get(0) + "\",\"marker\":1}\n{\"id\":\"" + ids.get(1) + "\",\"fu",
                StandardCharsets.UTF_8);

        Result first = fuse(in, out);
        byte[] afterFirst = Files.readAllBytes(out);
        Result second = fuse(in, out);

        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("fused 2 records (1 already done) in ");
        List<JsonNode> outputs = read(out);
        assertThat(ids(outputs)).containsExactlyElementsOf(ids);
        assertThat(outputs.get(0).get("marker").asInt()).isEqualTo(1);
        assertThat(outputs.get(1).has("fused")).isTrue();
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).startsWith("fused 0 records (3 already done) in ");
        assertThat(Files.readAllBytes(out)).isEqualTo(afterFirst);
    }

    @Test
    void fuse_badOptionValues_areUsageErrorsNamingTheOptionAndValue(@TempDir Path dir) throws IOException {
        String in = sample(dir, 1).toString();
        String out = dir.resolve("o.jsonl").toString();

        Result topK = run("fuse", "--input", in, "--output", out, "--fuser", "test", "--top-k", "0");
        Result beams = run("fuse", "--input", in, "--output", out, "--fuser", "test", "--beams", "-1");
        Result tokens = run("fuse", "--input", in, "--output", out, "--fuser", "test", "--max-new-tokens", "0");
        Result unknown = run("fuse", "--input", in, "--output", out, "--fuser", "test", "--top-p", "0.9");

        assertThat(topK.exit()).isEqualTo(2);
        assertThat(topK.err()).contains("--top-k must be at least 1, found 0");
        assertThat(beams.exit()).isEqualTo(2);
        assertThat(beams.err()).contains("--beams must be at least 1, found -1");
        assertThat(tokens.exit()).isEqualTo(2);
        assertThat(tokens.err()).contains("--max-new-tokens must be at least 1, found 0");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown options: '--top-p', '0.9'");
        assertThat(Path.of(out)).doesNotExist();
    }

    @Test
    void fuse_missingInput_failsSayingSo(@TempDir Path dir) {
        Path in = dir.resolve("nope.jsonl");
        Path out = dir.resolve("out.jsonl");

        Result r = fuse(in, out);

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error: cannot read " + in + ": no such file");
        assertThat(out).doesNotExist();
    }

    @Test
    void fuse_maxNewTokensBeyondTheModel_failsNamingTheOption(@TempDir Path dir) throws IOException {
        Result r = run(
                "fuse",
                "--input",
                sample(dir, 1).toString(),
                "--output",
                dir.resolve("o.jsonl").toString(),
                "--fuser",
                "test",
                "--max-new-tokens",
                "100000");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error: --max-new-tokens 100000 does not fit the fuser");
    }

    @Test
    void ranks_missingRanking_isNullAndAWellFormedOneIsRead() {
        assertThat(FuseCommand.ranks(null, 2)).isNull();
        assertThat(FuseCommand.ranks(
                        JSON.createObjectNode().put("ranking", (String) null).get("ranking"), 2))
                .isNull();
        ObjectNode ranking = JSON.createObjectNode();
        ranking.putArray("ranks").add(2).add(1.5);
        assertThat(FuseCommand.ranks(ranking, 2)).containsExactly(2.0, 1.5);
    }

    @Test
    void fuse_noFuser_isAUsageErrorListingWhatItTakes(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("o.jsonl");
        Result r = run("fuse", "--input", sample(dir, 1).toString(), "--output", out.toString());
        assertThat(r.exit()).as("no random model unless asked for by name").isEqualTo(2);
        assertThat(r.err()).contains("--fuser is required").contains("llm:NAME").contains("'test'");
        assertThat(out).doesNotExist();
        Result missing =
                run("fuse", "--input", sample(dir, 1).toString(), "--output", out.toString(), "--fuser", "none");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("--fuser: no directory").contains("llm:NAME");
    }

    @Test
    void fuse_llmFuser_asksTheNamedLlmForEachRecord(@TempDir Path dir) throws IOException {
        try (LoopbackOpenAiServer gpt = new LoopbackOpenAiServer()) {
            gpt.answering(req -> LoopbackOpenAiServer.completion("Fused by the LLM.", "stop", 9, 4));
            Path out = dir.resolve("o.jsonl");
            Result r = run(
                    "fuse",
                    "--input",
                    sample(dir, 2).toString(),
                    "--output",
                    out.toString(),
                    "--fuser",
                    "llm:gpt",
                    "--llm",
                    "name=gpt,url=" + gpt.baseUrl() + ",model=gpt-4o-mini");
            assertThat(r.exit()).as(r.err()).isZero();
            List<String> lines = Files.readAllLines(out);
            assertThat(lines).hasSize(2);
            JsonNode first = JSON.readTree(lines.get(0));
            assertThat(first.at("/fused/text").asText()).isEqualTo("Fused by the LLM.");
            assertThat(first.at("/fused/fuser").asText()).isEqualTo("llm:gpt");
            assertThat(gpt.requests()).hasSize(2);

            Result unnamed = run(
                    "fuse",
                    "--input",
                    sample(dir, 1).toString(),
                    "--output",
                    dir.resolve("p.jsonl").toString(),
                    "--fuser",
                    "llm:claude",
                    "--llm",
                    "name=gpt,url=" + gpt.baseUrl() + ",model=m");
            assertThat(unnamed.exit()).isEqualTo(2);
            assertThat(unnamed.err())
                    .contains("--fuser llm:claude needs the LLM 'claude'")
                    .contains("[gpt]");
        }
    }
}
