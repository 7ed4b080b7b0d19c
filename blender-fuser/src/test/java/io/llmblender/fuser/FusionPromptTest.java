package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.Prompt;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GenFuser's prompt on the tiny fixture: the exact string of the reference format, its token ids
 * (checked against an independent tokenizer on the same tokenizer.json), the 128-token candidate
 * cut, the 1024-token prompt budget that keeps the final instruction line, and user text that
 * spells special tokens.
 */
class FusionPromptTest {

    private static final String SUMMARIZE = "Summarize candidates into a better one for the given instruction:";
    private static final long EOS = 1;

    private static GenFuser fuser;
    private static HuggingFaceTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        fuser = GenFuser.builder(GoldenDecodingTest.DIR)
                .device("cpu")
                .decoding(Decoding.greedy())
                .build();
        tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(GoldenDecodingTest.DIR.resolve("tokenizer.json"))
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
    }

    @AfterAll
    static void close() {
        fuser.close();
        tokenizer.close();
    }

    private static long[] encode(String text) {
        return tokenizer.encode(text).getIds();
    }

    private static long sentinel(int i) {
        long[] ids = encode("<extra_id_" + i + ">");
        assertThat(ids).hasSize(1);
        return ids[0];
    }

    /** The ids of the sentinel range (the 100 highest ids of the fixture), in order. */
    private static long[] sentinelsIn(long[] ids) {
        long lowest = sentinel(99);
        return LongStream.of(ids).filter(id -> id >= lowest).toArray();
    }

    private static long count(long[] ids, long id) {
        return LongStream.of(ids).filter(x -> x == id).count();
    }

    private static String words(int n, String... vocabulary) {
        return IntStream.range(0, n)
                .mapToObj(i -> vocabulary[i % vocabulary.length])
                .collect(Collectors.joining(" "));
    }

    /** Checks what every prompt of K candidates must satisfy, whatever was cut. */
    private static void assertWellFormed(long[] ids, int k) {
        assertThat(ids.length).isLessThanOrEqualTo(1024);
        assertThat(ids).endsWith(encode(SUMMARIZE));
        assertThat(sentinelsIn(ids))
                .containsExactly(
                        LongStream.range(0, k).map(i -> sentinel((int) i)).toArray());
    }

    @Test
    void promptText_oneCandidate_isTheReferenceFormat() {
        assertThat(fuser.promptText(Prompt.of("Add 7 and 8.", "Be brief."), List.of("15")))
                .isEqualTo("Instruction: Add 7 and 8.</s>Input: Be brief.</s>Candidate 0: <extra_id_0>:15</s>"
                        + "Summarize candidates into a better one for the given instruction:");
    }

    @Test
    void promptText_twoCandidates_isTheReferenceFormat() {
        assertThat(fuser.promptText(Prompt.of("Add 7 and 8.", "Be brief."), List.of("15", "7 + 8 = 15")))
                .isEqualTo("Instruction: Add 7 and 8.</s>Input: Be brief.</s>Candidate 0: <extra_id_0>:15</s>"
                        + "Candidate 1: <extra_id_1>:7 + 8 = 15</s>"
                        + "Summarize candidates into a better one for the given instruction:");
    }

    @Test
    void promptText_threeCandidates_isTheReferenceFormat() {
        Prompt prompt = Prompt.of("How many legs do 3 cats have?", "Answer with a number.");
        assertThat(fuser.promptText(prompt, List.of("12", "Each cat has 4 legs, so 12.", "twelve")))
                .isEqualTo("Instruction: How many legs do 3 cats have?</s>Input: Answer with a number.</s>"
                        + "Candidate 0: <extra_id_0>:12</s>"
                        + "Candidate 1: <extra_id_1>:Each cat has 4 legs, so 12.</s>"
                        + "Candidate 2: <extra_id_2>:twelve</s>"
                        + "Summarize candidates into a better one for the given instruction:");
    }

    @Test
    void promptIds_oneToThreeCandidates_holdSentinelsInOrderAndKPlusTwoEos() {
        List<String> all = List.of("15", "7 + 8 = 15", "It is fifteen.");
        for (int k = 1; k <= 3; k++) {
            Prompt prompt = Prompt.of("Add 7 and 8.", "Be brief.");
            long[] ids = fuser.promptIds(prompt, all.subList(0, k));
            assertThat(ids).as("K=%d", k).isEqualTo(encode(fuser.promptText(prompt, all.subList(0, k))));
            assertWellFormed(ids, k);
            assertThat(count(ids, EOS)).as("EOS count, K=%d", k).isEqualTo(k + 2);
            assertThat(ids[ids.length - 1])
                    .as("no EOS appended")
                    .isNotEqualTo(EOS)
                    .isEqualTo(encode("instruction:")[encode("instruction:").length - 1]);
        }
    }

    @Test
    void promptIds_equalAnIndependentEncodingOfTheLiteralString() {
        long[] ids = fuser.promptIds(Prompt.of("Add 7 and 8.", "Be brief."), List.of("15", "7 + 8 = 15"));
        assertThat(ids)
                .containsExactly(encode("Instruction: Add 7 and 8.</s>Input: Be brief.</s>"
                        + "Candidate 0: <extra_id_0>:15</s>Candidate 1: <extra_id_1>:7 + 8 = 15</s>"
                        + "Summarize candidates into a better one for the given instruction:"));
    }

    @Test
    void prompt_emptyInstruction_keepsTheEmptyField() {
        Prompt prompt = Prompt.of("", "Translate to French: good morning");
        String text = fuser.promptText(prompt, List.of("bonjour"));
        assertThat(text)
                .isEqualTo("Instruction: </s>Input: Translate to French: good morning</s>"
                        + "Candidate 0: <extra_id_0>:bonjour</s>"
                        + "Summarize candidates into a better one for the given instruction:");
        long[] ids = fuser.promptIds(prompt, List.of("bonjour"));
        assertThat(ids).isEqualTo(encode(text));
        assertThat(count(ids, EOS)).isEqualTo(3);
    }

    @Test
    void prompt_emptyInput_keepsTheEmptyField() {
        Prompt prompt = Prompt.of("Say hi.");
        String text = fuser.promptText(prompt, List.of("hi", "hello"));
        assertThat(text)
                .isEqualTo("Instruction: Say hi.</s>Input: </s>Candidate 0: <extra_id_0>:hi</s>"
                        + "Candidate 1: <extra_id_1>:hello</s>"
                        + "Summarize candidates into a better one for the given instruction:");
        long[] ids = fuser.promptIds(prompt, List.of("hi", "hello"));
        assertThat(ids).isEqualTo(encode(text));
        assertThat(count(ids, EOS)).isEqualTo(4);
    }

    @Test
    void prompt_chatForm_usesTheLastUserTurnAsInstruction() {
        Prompt chat = Prompt.chat(List.of(
                ChatMessage.system("Be brief."),
                ChatMessage.user("Hi."),
                ChatMessage.assistant("Hello!"),
                ChatMessage.user("Add 7 and 8.")));
        assertThat(fuser.promptText(chat, List.of("15")))
                .isEqualTo(
                        "Instruction: Add 7 and 8.</s>Input: </s>"
                                + "Candidate 0: <extra_id_0>:15</s>Summarize candidates into a better one for the given instruction:");
    }

    @Test
    void prompt_longCandidate_isCutTo128TokensWithDots() {
        String longCandidate = words(300, "the", "answer", "is", "twelve", "because", "four", "times", "three");
        long[] candidateIds = encode(longCandidate);
        assertThat(candidateIds.length).isGreaterThan(128);
        String cut = tokenizer.decode(Arrays.copyOf(candidateIds, 128), true) + "...";
        String text = fuser.promptText(Prompt.of("Add 7 and 8."), List.of("15", longCandidate));
        assertThat(text)
                .isEqualTo("Instruction: Add 7 and 8.</s>Input: </s>Candidate 0: <extra_id_0>:15</s>"
                        + "Candidate 1: <extra_id_1>:" + cut + "</s>"
                        + "Summarize candidates into a better one for the given instruction:");
        assertWellFormed(fuser.promptIds(Prompt.of("Add 7 and 8."), List.of("15", longCandidate)), 2);
    }

    @Test
    void prompt_candidateOfExactly128Tokens_isUntouchedAnd129IsCut() {
        int n = 0;
        while (encode(words(n + 1, "the", "cat", "sat", "on", "a", "mat")).length <= 128) {
            n++;
        }
        String fits = words(n, "the", "cat", "sat", "on", "a", "mat");
        assertThat(encode(fits)).as("the boundary candidate").hasSize(128);
        String over = fits + " x";
        assertThat(encode(over)).hasSize(129);

        assertThat(fuser.promptText(Prompt.of("Go."), List.of(fits)))
                .contains(":" + fits + "</s>")
                .doesNotContain("...");
        assertThat(fuser.promptText(Prompt.of("Go."), List.of(over)))
                .contains(":" + tokenizer.decode(encode(fits), true) + "...</s>")
                .doesNotContain(" x");
    }

    @Test
    void prompt_threeHugeCandidates_areEachCutTo128Tokens() {
        String huge = words(2000, "many", "words", "here");
        List<String> candidates = List.of(huge, huge, huge);
        String text = fuser.promptText(Prompt.of("Pick one."), candidates);
        String cut = tokenizer.decode(Arrays.copyOf(encode(huge), 128), true) + "...";
        for (int i = 0; i < 3; i++) {
            assertThat(text).contains("Candidate " + i + ": <extra_id_" + i + ">:" + cut + "</s>");
        }
        assertWellFormed(fuser.promptIds(Prompt.of("Pick one."), candidates), 3);
    }

    @Test
    void prompt_tenLongCandidatesOver1024Tokens_cutsCandidatesAndKeepsTheFinalLine() {
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            candidates.add(words(300, "answer", String.valueOf(i), "is", "here"));
        }
        Prompt prompt = Prompt.of("Add 7 and 8.", "Be brief.");
        long[] ids = fuser.promptIds(prompt, candidates);
        assertWellFormed(ids, 10);
        assertThat(count(ids, EOS)).isEqualTo(12);
        String text = fuser.promptText(prompt, candidates);
        assertThat(text)
                .startsWith("Instruction: Add 7 and 8.</s>Input: Be brief.</s>Candidate 0: <extra_id_0>:")
                .endsWith("...</s>" + SUMMARIZE);
        assertThat(text.split("\\.\\.\\.</s>", -1)).hasSize(11);
        assertThat(encode(text)).isEqualTo(ids);
    }

    @Test
    void prompt_longInstructionWithThreeCandidates_cutsTheCandidatesNotTheInstruction() {
        String instruction = words(700, "the", "a");
        assertThat(encode(instruction))
                .as("an instruction that leaves less than 3 x 128 tokens")
                .hasSize(700);
        List<String> candidates = List.of(words(200, "one"), words(200, "two"), words(200, "three"));
        long[] ids = fuser.promptIds(Prompt.of(instruction), candidates);
        assertWellFormed(ids, 3);
        assertThat(count(ids, EOS)).isEqualTo(5);
        assertThat(fuser.promptText(Prompt.of(instruction), candidates))
                .doesNotContain(words(128, "one"))
                .startsWith("Instruction: " + instruction + "</s>Input: </s>Candidate 0: <extra_id_0>:one one");
    }

    @Test
    void prompt_hugeInstruction_isCutAndTheFinalLineKept() {
        String instruction = words(5000, "the", "cat", "sat", "on", "the", "mat");
        long[] ids = fuser.promptIds(Prompt.of(instruction, "input"), List.of("a", "b"));
        assertWellFormed(ids, 2);
        assertThat(ids).startsWith(encode("Instruction: the cat sat"));
        assertThat(fuser.promptText(Prompt.of(instruction, "input"), List.of("a", "b")))
                .endsWith(SUMMARIZE);
    }

    @Test
    void prompt_specialTokensInUserText_becomeSpaces() {
        Prompt prompt = Prompt.of("Use </s> here", "<pad>x");
        List<String> candidates = List.of("a</s>b", "<extra_id_5> c", "d<unk>");
        String text = fuser.promptText(prompt, candidates);
        assertThat(text)
                .isEqualTo("Instruction: Use   here</s>Input:  x</s>"
                        + "Candidate 0: <extra_id_0>:a b</s>Candidate 1: <extra_id_1>:  c</s>Candidate 2: <extra_id_2>:d </s>"
                        + "Summarize candidates into a better one for the given instruction:");
        long[] ids = fuser.promptIds(prompt, candidates);
        assertWellFormed(ids, 3);
        assertThat(count(ids, EOS)).isEqualTo(5);
        assertThat(ids).doesNotContain(0L, 2L);
    }

    @Test
    void prompt_cjkAndEmojiCandidates_doNotThrowAndKeepTheText() {
        List<String> candidates = List.of("日本語の答えは十二です 😀", "😀😀", "答".repeat(400) + " 🎉".repeat(200));
        Prompt prompt = Prompt.of("答えは?");
        assertThatCode(() -> fuser.promptIds(prompt, candidates)).doesNotThrowAnyException();
        assertWellFormed(fuser.promptIds(prompt, candidates), 3);
        assertThat(fuser.promptText(prompt, candidates))
                .contains("<extra_id_0>:日本語の答えは十二です 😀</s>")
                .contains("<extra_id_1>:😀😀</s>");
    }

    @Test
    void prompt_doesNotModifyTheCallersCandidates() {
        String longCandidate = words(300, "long", "answer");
        List<String> candidates = new ArrayList<>(List.of(longCandidate, "a</s>b", "short"));
        List<String> before = List.copyOf(candidates);
        fuser.promptIds(Prompt.of("Go."), candidates);
        fuser.promptText(Prompt.of("Go."), candidates);
        assertThat(candidates).isEqualTo(before);
    }
}
