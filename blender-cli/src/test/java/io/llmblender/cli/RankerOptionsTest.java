package io.llmblender.cli;

import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static io.llmblender.testkit.LoopbackOpenAiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ranker names of {@code rank}, {@code blend} and {@code fit-rankers}: consensus, judge, combined, errors. */
class RankerOptionsTest {

    @TempDir
    Path dir;

    private Path threeAnswers() throws Exception {
        var r1 = RankCommandTest.record(
                "q1",
                "Capital of France?",
                "",
                "Paris is the capital.",
                "The capital is Paris.",
                "Bananas are yellow.");
        var c = r1.withArray("candidates");
        double[] gold = {8, 9, 1};
        for (int i = 0; i < 3; i++) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) c.get(i))
                    .putObject("scores")
                    .put("s", gold[i]);
        }
        var r2 = RankCommandTest.record(
                "q2",
                "Colour of the sky?",
                "",
                "Green, like grass, of course.",
                "The sky is blue on a clear day.",
                "Blue: the sky looks blue on a clear day.");
        var c2 = r2.withArray("candidates");
        double[] gold2 = {1, 8, 9};
        for (int i = 0; i < 3; i++) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) c2.get(i))
                    .putObject("scores")
                    .put("s", gold2[i]);
        }
        return RankCommandTest.write(dir.resolve("in.jsonl"), List.of(r1.toString(), r2.toString()));
    }

    @Test
    void rank_consensus_ranksTheOddAnswerLast() throws Exception {
        Path out = dir.resolve("out.jsonl");
        var result = RankCommandTest.run(
                "rank", "--input", threeAnswers().toString(), "--output", out.toString(), "--ranker", "consensus");
        assertThat(result.exit()).as(result.err()).isZero();
        List<JsonNode> records = RankCommandTest.read(out);
        assertThat(records.get(0).get("ranking").get("ranker").asText()).isEqualTo("consensus-coverage");
        assertThat(records.get(0).get("ranking").get("ranks").get(2).asInt()).isEqualTo(3);
    }

    @Test
    void rank_unknownOrNoneRanker_listsTheAcceptedNames() throws Exception {
        Path in = threeAnswers();
        var bogus = RankCommandTest.run(
                "rank",
                "--input",
                in.toString(),
                "--output",
                dir.resolve("o.jsonl").toString(),
                "--ranker",
                "bogus");
        assertThat(bogus.exit()).isNotZero();
        assertThat(bogus.err())
                .contains("--ranker 'bogus' is no ranker name and no directory")
                .contains("consensus")
                .contains("judge:NAME")
                .contains("combined:FILE")
                .contains("test");
        var none = RankCommandTest.run(
                "rank",
                "--input",
                in.toString(),
                "--output",
                dir.resolve("o.jsonl").toString(),
                "--ranker",
                "none");
        assertThat(none.err()).contains("--ranker none: this command needs a ranker; accepted:");
        var variant = RankCommandTest.run(
                "rank",
                "--input",
                in.toString(),
                "--output",
                dir.resolve("o.jsonl").toString(),
                "--ranker",
                "consensus:magic");
        assertThat(variant.err()).contains("unknown consensus variant").contains("consensus:vote");
        assertThat(Files.exists(dir.resolve("o.jsonl"))).isFalse();
    }

    @Test
    void fitRankers_writesWeightsThatCombinedLoads() throws Exception {
        Path in = threeAnswers();
        Path weights = dir.resolve("w.json");
        var fit = RankCommandTest.run(
                "fit-rankers",
                "--input",
                in.toString(),
                "--metric",
                "s",
                "--rankers",
                "consensus:token-f1,length",
                "--output",
                weights.toString());
        assertThat(fit.exit()).as(fit.err()).isZero();
        assertThat(fit.out()).contains("fitted on 2 records: consensus:token-f1 ");
        JsonNode w = RankCommandTest.JSON.readTree(weights.toFile());
        assertThat(w.get("rankers")).hasSize(2);
        assertThat(w.get("weights").get(0).asDouble()).isPositive();

        Path out = dir.resolve("out.jsonl");
        var rank = RankCommandTest.run(
                "rank", "--input", in.toString(), "--output", out.toString(), "--ranker", "combined:" + weights);
        assertThat(rank.exit()).as(rank.err()).isZero();
        assertThat(RankCommandTest.read(out).get(0).get("ranking").get("ranker").asText())
                .startsWith("combined(consensus-token-f1*");
    }

    @Test
    void rank_judgeGivenWithLlm_ranksOverHttpAndSumsTheJudgeCalls() throws Exception {
        // a fair judge: the answer holding "best" wins in either slot
        try (LoopbackOpenAiServer judge = new LoopbackOpenAiServer()) {
            judge.answering(req -> {
                String body = req.body();
                int a = body.indexOf("Assistant A's Answer");
                int b = body.indexOf("Assistant B's Answer");
                boolean aBest = body.indexOf("best", a) < b && body.indexOf("best", a) > a;
                boolean bBest = body.indexOf("best", b) > b;
                String verdict = aBest ? "A" : bBest ? "B" : "C";
                return LoopbackOpenAiServer.json(
                        200, LoopbackOpenAiServer.completionJson("j", "[[" + verdict + "]]", "stop", 10, 2));
            });
            Path in = dir.resolve("in.jsonl");
            Files.writeString(
                    in,
                    "{\"id\":\"q\",\"instruction\":\"Pick one.\",\"candidates\":[{\"model\":\"x\",\"text\":\"a fine"
                            + " answer\"},{\"model\":\"y\",\"text\":\"the best answer\"},{\"model\":\"z\",\"text\":\"an"
                            + " ok answer\"}]}\n");
            Path out = dir.resolve("judged.jsonl");
            var r = RankCommandTest.run(
                    "rank",
                    "--input",
                    in.toString(),
                    "--output",
                    out.toString(),
                    "--ranker",
                    "judge:j",
                    "--llm",
                    "name=j,url=" + judge.baseUrl() + ",model=j");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode ranking = RankCommandTest.JSON
                    .readTree(Files.readAllLines(out).get(0))
                    .get("ranking");
            assertThat(ranking.get("ranker").asText()).isEqualTo("judge(j, pairwise)");
            assertThat(ranking.get("ranks").get(1).asInt()).isEqualTo(1);
            // 3 pairs, both orders
            assertThat(judge.requests()).hasSize(6);
            assertThat(r.err()).contains("ranking asked j 6 times (60 prompt + 12 completion tokens reported)");
        }
    }

    @Test
    void rank_judgeWithoutLlms_isRefusedWithTheReason() throws Exception {
        var r = RankCommandTest.run(
                "rank",
                "--input",
                threeAnswers().toString(),
                "--output",
                dir.resolve("o.jsonl").toString(),
                "--ranker",
                "judge:gpt");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("a judge needs an LLM");
    }

    @Test
    void blend_judgeRanker_positionBiasedJudgeOverHttpCancels() throws Exception {
        try (LoopbackOpenAiServer alpha = new LoopbackOpenAiServer().reply(completion("Red.", "stop", 5, 2));
                LoopbackOpenAiServer beta =
                        new LoopbackOpenAiServer().reply(completion("A deep ocean blue.", "stop", 5, 5));
                LoopbackOpenAiServer judge = new LoopbackOpenAiServer()
                        .reply(
                                completion("Green.", "stop", 5, 1),
                                completion("Both fine, A first. [[A]]", "stop", 50, 9))) {
            var r = RankCommandTest.run(
                    "blend",
                    "--llm",
                    "name=alpha,url=" + alpha.baseUrl() + ",model=a",
                    "--llm",
                    "name=beta,url=" + beta.baseUrl() + ",model=b",
                    "--llm",
                    "name=judge,url=" + judge.baseUrl() + ",model=j",
                    "--ranker",
                    "judge:judge",
                    "--json",
                    "Name a colour.");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode result = RankCommandTest.JSON.readTree(r.out());
            assertThat(result.get("ranking").get("ranker").asText()).isEqualTo("judge(judge, pairwise)");
            // its own answer plus 3 x 2 verdicts, all "[[A]]": both orders cancel, every pair ties
            assertThat(judge.requests()).hasSize(7);
            for (JsonNode score : result.get("ranking").get("scores")) {
                assertThat(score.asDouble()).isZero();
            }
            // the 6 verdicts are reported as the ranking's cost, apart from the candidates' calls
            JsonNode cost = result.get("ranking_calls").get(0);
            assertThat(cost.get("llm").asText()).isEqualTo("judge");
            assertThat(cost.get("calls").asInt()).isEqualTo(6);
            assertThat(cost.get("prompt_tokens").asLong()).isEqualTo(6 * 50);
            assertThat(cost.get("completion_tokens").asLong()).isEqualTo(6 * 9);
            assertThat(r.err()).contains("ranking asked judge 6 times (300 prompt + 54 completion tokens reported)");
        }
    }

    @Test
    void blend_judgeAnsweringHttp500_isARankingFailureNotABlendFailure() throws Exception {
        try (LoopbackOpenAiServer alpha = new LoopbackOpenAiServer().reply(completion("Red.", "stop", 5, 2));
                LoopbackOpenAiServer judge = new LoopbackOpenAiServer()
                        .reply(completion("Green.", "stop", 5, 1), json(500, "{\"error\":{\"message\":\"down\"}}"))) {
            var r = RankCommandTest.run(
                    "blend",
                    "--llm",
                    "name=alpha,url=" + alpha.baseUrl() + ",model=a",
                    "--llm",
                    "name=judge,url=" + judge.baseUrl() + ",model=j",
                    "--ranker",
                    "judge:judge",
                    "--timeout",
                    "5",
                    "Name a colour.");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().strip()).isIn("Red.", "Green.");
            assertThat(r.err()).contains("ranking failed").contains("gave no verdict");
        }
    }

    @Test
    void demo_rankerNone_isRefusedListingWhatDemoAccepts() {
        var r = RankCommandTest.run("demo", "--ranker", "none");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--ranker none: this command needs a ranker; accepted: test");
    }
}
