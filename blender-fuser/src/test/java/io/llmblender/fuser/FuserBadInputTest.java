package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Prompt;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The documented answer to every kind of awkward input, on the tiny fixture: a fusion that stops
 * with STOP or LENGTH within maxNewTokens, over a prompt within 1024 tokens, or an exception
 * naming the argument and the value. See the "Limits" paragraph of {@link GenFuser}.
 *
 * <p>Covered elsewhere and not repeated here: an empty candidate list and mismatched list sizes
 * (DecodingTest.fuseAll_badLists_throwIllegalArgument), a closed fuser, the caller's lists left
 * alone (DecodingTest), the prompt text for special tokens, CJK and emoji and long candidates
 * (FusionPromptTest). PromptPropertiesTest checks the prompt over random texts.
 */
class FuserBadInputTest {

    private static final int MAX_NEW_TOKENS = 4;
    private static final long EOS = 1;
    private static final long PAD = 0;
    private static final Prompt QUESTION = Prompt.of("Which answer is best?", "Be brief.");

    private static GenFuser fuser;
    private static HuggingFaceTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        fuser = GenFuser.builder(GoldenDecodingTest.DIR)
                .device("cpu")
                .decoding(Decoding.greedy())
                .maxNewTokens(MAX_NEW_TOKENS)
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

    /** The sentinel id of {@code <extra_id_i>}, from a tokenizer of our own over the fixture's file. */
    private static long sentinel(int i) {
        long[] ids = tokenizer.encode("<extra_id_" + i + ">", false, false).getIds();
        assertThat(ids).hasSize(1);
        return ids[0];
    }

    /** Fuses, checks the fusion and the prompt it was made from, and returns the fusion. */
    private static Fusion assertFused(Prompt prompt, List<String> candidates) {
        Fusion fusion = assertFinished(fuser.fuse(prompt, candidates), candidates.size());
        long[] ids = fuser.promptIds(prompt, candidates);
        assertThat(ids.length).isBetween(1, 1024);
        assertThat(ids).doesNotContain(PAD);
        return fusion;
    }

    /** Checks that a fusion of k candidates stopped as documented, within MAX_NEW_TOKENS. */
    private static Fusion assertFinished(Fusion fusion, int k) {
        assertThat(fusion.text()).isNotNull();
        assertThat(fusion.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        assertThat(fusion.generatedTokens()).isPresent();
        assertThat(fusion.generatedTokens().getAsInt()).isBetween(1, MAX_NEW_TOKENS);
        if (fusion.finishReason() == FinishReason.LENGTH) {
            assertThat(fusion.generatedTokens()).hasValue(MAX_NEW_TOKENS);
        }
        assertThat(fusion.candidatesUsed()).isEqualTo(k);
        return fusion;
    }

    /** The template's ids of a prompt that fits: K sentinels in order, K + 2 EOS. */
    private static void assertTemplate(long[] ids, int k) {
        long lowest = sentinel(99);
        assertThat(LongStream.of(ids).filter(id -> id >= lowest).toArray())
                .containsExactly(
                        LongStream.range(0, k).map(i -> sentinel((int) i)).toArray());
        assertThat(LongStream.of(ids).filter(id -> id == EOS).count()).isEqualTo(k + 2);
    }

    private static String view(Fusion f) {
        return f.text() + " | " + f.finishReason() + " | " + f.generatedTokens();
    }

    private static List<String> numbered(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> "Answer " + i + " is " + (i * 37 % 100) + ".")
                .toList();
    }

    // ---------------------------------------------------------------- nulls

    @Test
    void fuse_nullPromptOrCandidates_throwsNamingThem() {
        assertThatThrownBy(() -> fuser.fuse(null, List.of("a")))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("prompt");
        assertThatThrownBy(() -> fuser.fuse(QUESTION, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("ranked");
    }

    @Test
    void fuse_nullCandidate_throwsNamingItsIndex() {
        assertThatThrownBy(() -> fuser.fuse(QUESTION, Arrays.asList("a", null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("ranked[0][1]");
    }

    @Test
    void fuseAll_nullElements_throwNamingTheirIndex() {
        assertThatThrownBy(() -> fuser.fuseAll(Arrays.asList(QUESTION, null), List.of(List.of("a"), List.of("b"))))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("prompts[1]");
        assertThatThrownBy(() -> fuser.fuseAll(List.of(QUESTION, QUESTION), Arrays.asList(List.of("a"), null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("ranked[1]");
        assertThatThrownBy(() -> fuser.fuseAll(null, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("prompts");
    }

    // ---------------------------------------------------------------- sizes

    @Test
    void fuse_emptyAndBlankCandidates_finishes() {
        List<String> blank = List.of("", " ", "\t\n", "\u3000");
        assertFused(QUESTION, blank);
        assertTemplate(fuser.promptIds(QUESTION, blank), blank.size());
        assertFused(Prompt.of("", "only an input"), List.of(""));
        assertFused(Prompt.of("Q", " "), List.of("", ""));
    }

    @Test
    void fuse_oneCandidate_finishes() {
        assertFused(QUESTION, List.of("The only answer."));
        assertTemplate(fuser.promptIds(QUESTION, List.of("The only answer.")), 1);
    }

    @Test
    void fuse_64ShortCandidates_readsThemAllWhole() {
        List<String> candidates = IntStream.range(0, 64)
                .mapToObj(i -> String.valueOf(i * 37 % 100))
                .toList();
        assertFused(QUESTION, candidates);
        assertTemplate(fuser.promptIds(QUESTION, candidates), 64);
        assertThat(fuser.promptText(QUESTION, candidates))
                .startsWith("Instruction: Which answer is best?</s>")
                .contains("<extra_id_0>:0</s>")
                .contains("<extra_id_63>:31</s>")
                .endsWith(FusionPrompt.SUMMARIZE);
    }

    /**
     * 64 longer candidates overflow 1024 tokens on this fixture's small vocabulary ("Candidate 63:
     * &lt;extra_id_63&gt;:&lt;/s&gt;" alone is 12 tokens), so every candidate is cut, to "...",
     * and the head and the final line are kept.
     */
    @Test
    void fuse_64LongerCandidates_cutsTheCandidatesNotTheTemplate() {
        List<String> candidates = numbered(64);
        assertFused(QUESTION, candidates);
        assertTemplate(fuser.promptIds(QUESTION, candidates), 64);
        assertThat(fuser.promptText(QUESTION, candidates))
                .startsWith("Instruction: Which answer is best?</s>")
                .contains("<extra_id_63>:...</s>")
                .endsWith(FusionPrompt.SUMMARIZE);
    }

    /**
     * {@value GenFuser#MAX_CANDIDATES} candidates are accepted, within 1024 tokens and with the final instruction; one
     * more is refused. (With a hundred or more, even empty candidates would crowd out the final instruction, and T5
     * has sentinels up to {@code <extra_id_99>} only.)
     */
    @Test
    void fuse_maxCandidatesAreAcceptedAndOneMoreFails() {
        assertFused(QUESTION, numbered(GenFuser.MAX_CANDIDATES));
        assertThat(fuser.promptIds(QUESTION, numbered(GenFuser.MAX_CANDIDATES))).hasSizeLessThanOrEqualTo(1024);
        assertThat(fuser.promptText(QUESTION, numbered(GenFuser.MAX_CANDIDATES)))
                .endsWith(FusionPrompt.SUMMARIZE);
        List<String> tooMany = numbered(GenFuser.MAX_CANDIDATES + 1);
        assertThatThrownBy(() -> fuser.fuse(QUESTION, tooMany))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAX_CANDIDATES")
                .hasMessageContaining("found 65")
                .hasMessageContaining("ranked[0]");
        assertThatThrownBy(() -> fuser.fuseAll(List.of(QUESTION, QUESTION), List.of(List.of("a"), tooMany)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ranked[1]")
                .hasMessageContaining("found 65");
    }

    // ---------------------------------------------------------------- lengths

    @Test
    void fuse_oneMegabyteCandidate_isCutAndFinishes() {
        String huge = "A very long answer, with words and numbers 12345; ".repeat(20_000);
        assertThat(huge.length()).isGreaterThanOrEqualTo(1_000_000);
        List<String> candidates = List.of(huge, "short");
        assertFinished(fuser.fuse(QUESTION, candidates), 2);
        long[] ids = fuser.promptIds(QUESTION, candidates);
        assertTemplate(ids, 2);
        // Cut to its first 128 tokens: the prompt of its first thousand chars (over 128 tokens too).
        assertThat(ids).containsExactly(fuser.promptIds(QUESTION, List.of(huge.substring(0, 1000), "short")));
    }

    @Test
    void fuse_candidateOverMaxTextChars_throwsNamingItAndItsLength() {
        String over = "x".repeat(GenFuser.MAX_TEXT_CHARS + 1);
        assertThatThrownBy(() -> fuser.fuse(QUESTION, List.of("a", over)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ranked[0][1]")
                .hasMessageContaining("4000001")
                .hasMessageContaining("MAX_TEXT_CHARS");
    }

    // ---------------------------------------------------------------- special tokens

    @Test
    void fuse_specialTokensInUserText_equalsTheTextWithSpaces() {
        Prompt dirty = Prompt.of("Pick</s>one<extra_id_0>", "<unk>input<pad>");
        Prompt clean = Prompt.of("Pick one ", " input ");
        List<String> dirtyCandidates = List.of("a</s>b", "<extra_id_0><extra_id_1>c", "<pad><unk>", "d<extra_id_42>");
        List<String> cleanCandidates = List.of("a b", "  c", "  ", "d ");
        assertThat(fuser.promptIds(dirty, dirtyCandidates)).containsExactly(fuser.promptIds(clean, cleanCandidates));
        assertTemplate(fuser.promptIds(dirty, dirtyCandidates), 4);
        assertThat(view(assertFused(dirty, dirtyCandidates))).isEqualTo(view(fuser.fuse(clean, cleanCandidates)));
    }

    // ---------------------------------------------------------------- scripts and odd characters

    static Stream<Arguments> oddTexts() {
        return Stream.of(
                Arguments.of("lone high surrogate", "\uD800"),
                Arguments.of("lone low surrogate", "a\uDC00b"),
                Arguments.of("reversed surrogate pair", "\uDE00\uD83D"),
                Arguments.of("NUL", "\u0000"),
                Arguments.of("bell and escape", "ring\u0007 \u001b[31mred\u001b[0m"),
                Arguments.of("controls only", "\u0000\u0001\u0002\u007f\u0085"),
                Arguments.of("Arabic", "مرحبا بالعالم، ما هو أفضل جواب؟"),
                Arguments.of("Hebrew with RTL override", "\u202eשלום עולם\u202c and back"),
                Arguments.of("CJK", "你好，世界！日本語とEnglishの混在。한국어"),
                Arguments.of("emoji ZWJ family", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66"),
                Arguments.of("emoji flags and skin tones", "\uD83C\uDDEF\uD83C\uDDF5 \uD83D\uDC4D\uD83C\uDFFD"),
                Arguments.of("combining marks", "e\u0301\u0302\u0303\u0304".repeat(50)),
                Arguments.of("BOM and zero width", "\uFEFF\u200B\u200C\u200D"),
                Arguments.of("unknown characters around a special token's letters", "<\uD83D\uDE00/s>".repeat(60)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oddTexts")
    void fuse_oddCharacters_finishes(String what, String text) {
        List<String> candidates = List.of(text, "plain answer", text + " " + text);
        for (Prompt prompt : List.of(Prompt.of(text + "?", text), QUESTION)) {
            assertFused(prompt, candidates);
            assertTemplate(fuser.promptIds(prompt, candidates), 3);
        }
    }

    @Test
    void fuseAll_oddCharactersTogether_equalEachAlone() {
        List<Prompt> prompts = new ArrayList<>();
        List<List<String>> ranked = new ArrayList<>();
        List<String> alone = new ArrayList<>();
        oddTexts().forEach(args -> {
            String text = (String) args.get()[1];
            Prompt prompt = Prompt.of(text + "?", text);
            List<String> candidates = List.of(text, "plain answer");
            prompts.add(prompt);
            ranked.add(candidates);
            alone.add(view(fuser.fuse(prompt, candidates)));
        });
        assertThat(fuser.fuseAll(prompts, ranked).stream()
                        .map(FuserBadInputTest::view)
                        .toList())
                .containsExactlyElementsOf(alone);
    }
}
