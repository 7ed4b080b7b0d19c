package io.llmblender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
                .contains(
                        "ranker: default: consensus-coverage over three or more answers (label-free, no model); for two"
                                + " answers blender-minilm-reward")
                .contains("fuser:  none (give --fuser DIR or --fuser llm:NAME with --llm to fuse the top answers)")
                .contains("pairwise logits from consensus-coverage")
                .contains("ranking: 1. [")
                .contains("GPT-4 10/10")
                .contains("Agreement with the GPT-4 judge: ")
                .contains("In Chinese: ./blender demo --lang zh")
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
    void demo_zh_ranksTheChinesePromptsBesideTheGptJudge() {
        int rc = run("demo", "--lang", "zh");
        assertThat(rc).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text)
                .contains("Blender demo (中文)")
                .contains("ymcui/Chinese-LLaMA-Alpaca @ 090475f")
                .contains("Apache-2.0")
                .contains("judge:  1-10 by GPT-4 or, where its quota ran out, ChatGPT")
                .contains(
                        "ranker: default: consensus-coverage over three or more answers (label-free, no model); for two"
                                + " answers blender-minilm-reward")
                .contains("pairwise logits from consensus-coverage")
                .contains("chinese-alpaca-33b (f16)")
                // a half point is printed as such, not rounded, and the whole points of its prompt line up with it
                .contains("GPT-4/ChatGPT 8.5/10: ")
                .contains("GPT-4/ChatGPT   8/10: ")
                .contains("Agreement with the GPT-4/ChatGPT judge: ")
                .doesNotContain("In Chinese:")
                .doesNotContain("GPT-4 judge");
        Pattern han = Pattern.compile("\\p{IsHan}");
        List<String> prompts = text.lines().filter(l -> l.startsWith("Prompt ")).collect(Collectors.toList());
        assertThat(prompts).hasSize(4).allMatch(l -> han.matcher(l).find());
        // three answers per prompt, each shown with Chinese text
        assertThat(text.lines().filter(l -> l.matches("  \\[\\d] chinese-alpaca-.*")))
                .hasSize(12)
                .allMatch(l -> han.matcher(l.substring(l.indexOf("/10: "))).find());
        assertThat(text.lines().filter(l -> l.startsWith("  agreement: "))).hasSize(4);
        // 3 answers with 3 different ratings per prompt: 12 pairs the judge rated differently. What README quotes:
        assertThat(text)
                .contains("Agreement with the GPT-4/ChatGPT judge: 12 of 12 answer pairs the judge rated differently"
                        + " are ordered the same way (100%); the ranker's first pick is a best-rated answer for 4 of 4"
                        + " prompts.");
    }

    @Test
    void demo_lengthAndZhMinilm_asReadmeComparesThem() {
        assertThat(run("demo", "--ranker", "length")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("15 of 21 answer pairs", "best-rated answer for 2 of 4 prompts");
        out.getBuffer().setLength(0);
        assertThat(run("demo", "--lang", "zh", "--ranker", "length"))
                .as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("12 of 12 answer pairs", "best-rated answer for 4 of 4 prompts");
        out.getBuffer().setLength(0);
        assertThat(run("demo", "--lang", "zh", "--ranker", "minilm"))
                .as(err.toString())
                .isZero();
        assertThat(out.toString())
                .contains("pairwise logits from blender-minilm-pairranker")
                .contains("6 of 12 answer pairs", "best-rated answer for 1 of 4 prompts");
    }

    @Test
    void demo_zh_promptsBoundByTheChineseFile() {
        assertThat(run("demo", "--lang", "zh", "--prompts", "2"))
                .as(err.toString())
                .isZero();
        assertThat(out.toString().lines().filter(l -> l.startsWith("Prompt "))).hasSize(2);
        assertThat(out.toString()).containsPattern("best-rated answer for \\d of 2 prompts\\.");
        assertThat(run("demo", "--lang", "zh", "--prompts", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("--prompts must be between 1 and 4, found 5");
    }

    @Test
    void demo_badLang_exitsTwoNamingTheOptionAndTheAcceptedValues() {
        assertThat(run("demo", "--lang", "fr")).isEqualTo(2);
        assertThat(err.toString()).contains("--lang must be en or zh, found 'fr'");
        assertThat(out.toString()).doesNotContain("Blender demo");
    }

    @Test
    void shorten_countsWideCharactersTwiceAndNeverSplitsASurrogatePair() {
        // U+20000 (CJK Extension B) is one Han code point written as two chars
        String extB = new String(Character.toChars(0x20000));
        String shortened = DemoCommand.shorten(extB.repeat(100), 110);
        assertThat(shortened).endsWith("...");
        String cut = shortened.substring(0, shortened.length() - 3);
        assertThat(cut.codePoints()).allMatch(cp -> cp == 0x20000);
        assertThat(cut.codePointCount(0, cut.length())).isEqualTo(53);
        assertThat(DemoCommand.width(shortened)).isLessThanOrEqualTo(110);
        // an odd column budget must not cut a surrogate pair in half either
        String odd = DemoCommand.shorten("a" + extB.repeat(100), 110);
        assertThat(odd.substring(1, odd.length() - 3).codePoints()).allMatch(cp -> cp == 0x20000);
        // Han with full-width punctuation: 2 columns each; ASCII 1; short text unchanged, whitespace collapsed
        assertThat(DemoCommand.width("鸡蛋，ab")).isEqualTo(8);
        assertThat(DemoCommand.shorten("  鸡蛋\n\n灌饼  ", 110)).isEqualTo("鸡蛋 灌饼");
        assertThat(DemoCommand.shorten("x".repeat(200), 110)).isEqualTo("x".repeat(107) + "...");
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
