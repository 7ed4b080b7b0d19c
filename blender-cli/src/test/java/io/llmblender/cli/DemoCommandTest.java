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
    void demo_default_blendsTwoQuestionsAndSaysTheModelsAreRandom() {
        int rc = run("demo");

        assertThat(rc).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text).contains("LLMs:   mistralai/Mixtral-8x7B-Instruct-v0.1, gpt-4-1106-preview")
                .contains("random weights: they rank and fuse at random")
                .contains("Question 0: Janet’s ducks").contains("Question 1: A robe takes 2 bolts")
                .contains("pairwise logits from random-pairranker-tiny").contains("ranking: 1. [")
                .contains("fused by random-genfuser-tiny from the top 2");
        assertThat(text.lines().filter(l -> l.startsWith("Question "))).hasSize(2);
    }

    @Test
    void demo_exportGiven_usesItAndDropsTheNote() {
        int rc = run("demo", "--questions", "1", "--first", "5", "--ranker", "../models/pairranker", "--fuser",
                "../models/genfuser");

        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Question 5:").contains("ranker: ../models/pairranker")
                .doesNotContain("NOTE:");
    }

    @Test
    void demo_badOptions_exitTwoNamingThem() {
        assertThat(run("demo", "--questions", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--questions must be at least 1, found 0");
        assertThat(run("demo", "--first", "1319")).isEqualTo(2);
        assertThat(err.toString()).contains("within the 1319 questions");
        assertThat(run("demo", "--ranker", "/no/such/dir")).isEqualTo(1);
        assertThat(err.toString()).contains("--ranker: no directory /no/such/dir");
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
}
