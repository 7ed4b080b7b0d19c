package io.llmblender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code blender demo}: the main job on the bundled data and test models. */
class DemoCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return BlenderCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void demo_default_ranksTheArenaPromptsWithTheDefaultConsensusRankerBesideTheJudge() {
        int rc = run("demo");
        assertThat(rc).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text)
                .contains("ranker: default: consensus-coverage (label-free consensus")
                .contains("fuser:  none (give --fuser DIR or --fuser llm:NAME with --llm to fuse the top answers)")
                .contains("pairwise logits from consensus-coverage")
                .contains("ranking: 1. [")
                .contains("GPT-4 10/10")
                .contains("Agreement with the GPT-4 judge: ")
                .doesNotContain("random weights")
                .doesNotContain("fused by");
        assertThat(text.lines().filter(l -> l.startsWith("Prompt "))).hasSize(4);
        assertThat(text.lines().filter(l -> l.startsWith("  agreement: "))).hasSize(4);
        // What README quotes for the default: 17 of 21 pairs, a best-rated first pick for 4 of 4 prompts.
        assertThat(text)
                .contains("17 of 21 answer pairs the judge rated differently are ordered the same way (81%); the"
                        + " ranker's first pick is a best-rated answer for 4 of 4 prompts.");
    }

    @Test
    void demo_minilm_isTheZeroShotPairRankerReadmeComparesWith() {
        int rc = run("demo", "--ranker", "minilm");
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("ranker: blender-minilm-pairranker (zero-shot")
                .contains("pairwise logits from blender-minilm-pairranker")
                .contains("7 of 21 answer pairs")
                .contains("best-rated answer for 0 of 4 prompts");
    }

    @Test
    void demo_testModels_sayTheyAreRandomAndFuse() {
        int rc = run("demo", "--prompts", "1", "--ranker", "test", "--fuser", "test", "--max-new-tokens", "8");
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("random weights: they rank and fuse at random")
                .contains("pairwise logits from random-pairranker-tiny")
                .contains("fused by random-genfuser-tiny from the top 2");
        assertThat(out.toString().lines().filter(l -> l.startsWith("Prompt "))).hasSize(1);
    }

    @Test
    void demo_exportGiven_usesIt() {
        int rc = run("demo", "--prompts", "2", "--ranker", "../models/pairranker");
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("Prompt 2:")
                .contains("ranker: ../models/pairranker")
                .doesNotContain("NOTE:");
    }

    @Test
    void demo_badOptions_exitTwoNamingThem() {
        assertThat(run("demo", "--prompts", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--prompts must be between 1 and 4, found 0");
        assertThat(run("demo", "--prompts", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("--prompts must be between 1 and 4, found 5");
        assertThat(run("demo", "--ranker", "/no/such/dir")).isEqualTo(1);
        assertThat(err.toString()).contains("--ranker '/no/such/dir' is no ranker name and no directory");
    }

    @Test
    void topLevelOptions_versionAndThreads() {
        assertThat(run("--threads", "1", "--version")).isZero();
        assertThat(out.toString().strip()).matches("blender \\d+\\.\\d+\\.\\d+.*");
        out.getBuffer().setLength(0);
        assertThat(run("rank", "--version")).isZero();
        assertThat(out.toString().strip()).matches("blender \\d+\\.\\d+\\.\\d+.*");
        assertThat(System.getProperty("ai.djl.pytorch.num_threads")).isEqualTo("1");
        assertThat(run("--threads", "0", "demo")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads must be at least 1, found 0");
    }

    @Test
    void demo_llmFuser_fusesWithTheNamedLlm() throws Exception {
        try (io.llmblender.testkit.LoopbackOpenAiServer gpt = new io.llmblender.testkit.LoopbackOpenAiServer()) {
            gpt.answering(req -> io.llmblender.testkit.LoopbackOpenAiServer.completion("FUSED-BY-LLM", "stop", 1, 1));
            int rc = run(
                    "demo",
                    "--prompts",
                    "1",
                    "--ranker",
                    "test",
                    "--fuser",
                    "llm:gpt",
                    "--llm",
                    "name=gpt,url=" + gpt.baseUrl() + ",model=m");
            assertThat(rc).isZero();
            assertThat(gpt.requests()).hasSize(1);
        }
    }
}
