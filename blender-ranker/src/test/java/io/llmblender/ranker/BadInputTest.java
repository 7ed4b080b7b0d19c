package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranking;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 * The documented answer to every kind of awkward input, on the tiny fixture model: a ranking (a
 * permutation, finite logits) or an exception naming the field and the value. See the "Limits"
 * paragraph of {@link PairRanker}.
 *
 * <p>Covered elsewhere and not repeated here: the encoding of empty texts, of CJK and emoji, of a
 * 100k-char candidate and of SEP/prefix tokens at the id level (PairEncoderTest); an empty source
 * and an empty candidate in a scored batch (BatchingTest); a closed ranker (LoadErrorsTest).
 * EncoderPropertiesTest checks the encoding over random texts.
 */
class BadInputTest {

    private static final long CLS = 1;
    private static final long SEP = 2;
    private static final String SOURCE = "Which answer is best?";

    private static PairRanker ranker;

    @BeforeAll
    static void load() {
        ranker = PairRanker.builder(Fixtures.tinyRanker()).device("cpu").build();
    }

    @AfterAll
    static void close() {
        ranker.close();
    }

    /** Checks what every ranking of n candidates must satisfy and returns its matrix. */
    private static PairwiseMatrix assertRanksAll(Ranking ranking, int n) {
        assertThat(ranking.size()).isEqualTo(n);
        assertThat(ranking.order())
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, n).boxed().toList());
        assertThat(Arrays.stream(ranking.ranks()).boxed()).allMatch(r -> r >= 1 && r <= n);
        PairwiseMatrix m = ranking.matrix().orElseThrow();
        assertThat(m.size()).isEqualTo(n);
        assertThat(m.isComplete()).isTrue();
        assertThat(m.computedCount()).isEqualTo(n * (n - 1));
        assertThat(Arrays.stream(m.toArray()).flatMapToDouble(Arrays::stream).boxed())
                .allMatch(Double::isFinite);
        assertThat(Arrays.stream(ranking.scores()).boxed()).allMatch(Double::isFinite);
        return m;
    }

    private static long count(long[] row, long id) {
        return LongStream.of(row).filter(x -> x == id).count();
    }

    private static List<String> numbered(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("Answer " + i + ": the number is " + (i * 7919 % 1000) + ".".repeat(i % 4));
        }
        return out;
    }

    // ---------------------------------------------------------------- nulls

    @Test
    void rank_nullSource_throwsNamingSource() {
        assertThatThrownBy(() -> ranker.rank(null, List.of("a", "b")))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("source");
        assertThatThrownBy(() -> ranker.encodePair(null, "a", "b"))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("source");
    }

    @Test
    void rank_nullCandidates_throwsNamingCandidates() {
        assertThatThrownBy(() -> ranker.rank(SOURCE, (List<String>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("candidates");
        assertThatThrownBy(() -> ranker.encodePair(SOURCE, "a", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("candidate2");
    }

    @Test
    void rank_nullCandidateElement_throwsNamingItsIndex() {
        assertThatThrownBy(() -> ranker.rank(SOURCE, Arrays.asList("a", null, "c")))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("candidates[1]");
    }

    @Test
    void score_nullQuery_throwsNamingIt() {
        assertThatThrownBy(() -> ranker.score(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("query");
        assertThatThrownBy(() -> ranker.scoreAll(Arrays.asList(PairQuery.full(SOURCE, List.of("a", "b")), null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("queries[1]");
    }

    // ---------------------------------------------------------------- sizes

    @Test
    void rank_noCandidates_throwsIllegalArgument() {
        assertThatThrownBy(() -> ranker.rank(SOURCE, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("candidates");
    }

    @Test
    void rank_emptyAndBlankSourceAndCandidates_ranks() {
        List<String> blank = List.of("", " ", "\t", "\n\n", "   \r\n  ");
        for (String source : List.of("", " ", "\t\n", "\u3000")) {
            assertRanksAll(ranker.rank(source, blank), blank.size());
        }
    }

    @Test
    void rank_identicalCandidates_tie() {
        Ranking ranking = ranker.rank("", List.of("", "", "same", "same"));
        PairwiseMatrix m = assertRanksAll(ranking, 4);
        assertThat(m.logit(0, 1)).isCloseTo(m.logit(1, 0), within(1e-6));
        assertThat(ranking.score(0)).isCloseTo(ranking.score(1), within(1e-6));
        assertThat(ranking.score(2)).isCloseTo(ranking.score(3), within(1e-6));
    }

    @Test
    void rank_oneCandidate_isRankedFirstWithoutPairs() {
        for (String only : List.of("the only answer", "")) {
            Ranking ranking = ranker.rank(SOURCE, List.of(only));
            assertThat(ranking.size()).isEqualTo(1);
            assertThat(ranking.best()).isZero();
            assertThat(ranking.ranks()).containsExactly(1);
            assertThat(ranking.matrix().orElseThrow().computedCount()).isZero();
        }
    }

    @Test
    void rank_64Candidates_computesAll4032PairsAndRanksAll() {
        List<String> candidates = numbered(64);
        Ranking ranking = ranker.rank(SOURCE, candidates);
        PairwiseMatrix m = assertRanksAll(ranking, 64);
        assertThat(m.computedCount()).isEqualTo(64 * 63);
        for (int[] p : new int[][] {{0, 63}, {63, 0}, {17, 42}}) {
            float alone = ranker.forwardRows(
                            List.of(ranker.encodePair(SOURCE, candidates.get(p[0]), candidates.get(p[1]))))[0];
            assertThat(m.logit(p[0], p[1])).as("M[%d][%d]", p[0], p[1]).isCloseTo(alone, within(1e-5));
        }
    }

    @Test
    void score_256Candidates_isAcceptedAnd257Fails() {
        List<String> candidates = numbered(PairRanker.MAX_CANDIDATES);
        PairwiseMatrix m = ranker.score(PairQuery.of(SOURCE, candidates, List.of(new CandidatePair(0, 255))));
        assertThat(m.size()).isEqualTo(256);
        assertThat(m.computedCount()).isEqualTo(1);
        assertThat(m.logit(0, 255)).isFinite();

        List<String> tooMany = numbered(PairRanker.MAX_CANDIDATES + 1);
        assertThatThrownBy(() -> ranker.rank(SOURCE, tooMany))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAX_CANDIDATES")
                .hasMessageContaining("257");
        assertThatThrownBy(() -> ranker.score(PairQuery.of(SOURCE, tooMany, List.of(new CandidatePair(0, 1)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("257");
        assertThatThrownBy(() -> ranker.scoreAll(
                        List.of(PairQuery.full(SOURCE, List.of("a", "b")), PairQuery.full(SOURCE, tooMany))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queries[1].candidates")
                .hasMessageContaining("257");
    }

    // ---------------------------------------------------------------- lengths

    @Test
    void rank_oneMegabyteCandidate_ranksWithItsRowWithinMaxRowLength() {
        String huge = "A very long answer, with words and numbers 12345; ".repeat(20_000);
        assertThat(huge.length()).isGreaterThanOrEqualTo(1_000_000);
        long[] row = ranker.encodePair(SOURCE, huge, "short");
        assertThat(row.length).isLessThanOrEqualTo(ranker.maxRowLength());
        assertThat(count(row, SEP)).isEqualTo(3);
        assertRanksAll(ranker.rank(SOURCE, List.of(huge, "short", "")), 3);
    }

    @Test
    void rank_oneMegabyteSingleWord_ranks() {
        // One pre-tokenizer word of a million bytes: byte-level BPE merges it as one unit.
        assertRanksAll(ranker.rank(SOURCE, List.of("x".repeat(1_000_000), "y")), 2);
    }

    @Test
    void rank_candidateOverMaxTextChars_throwsNamingItAndItsLength() {
        String over = "x".repeat(PairRanker.MAX_TEXT_CHARS + 1);
        assertThatThrownBy(() -> ranker.rank(SOURCE, List.of("a", over)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("candidates[1]")
                .hasMessageContaining("4000001")
                .hasMessageContaining("MAX_TEXT_CHARS");
        assertThatThrownBy(() -> ranker.rank(over, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source")
                .hasMessageContaining("4000001");
        assertThatThrownBy(() -> ranker.encodePair(SOURCE, "a", over))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("candidate2")
                .hasMessageContaining("4000001");
        assertThatThrownBy(() -> ranker.scoreAll(
                        List.of(PairQuery.full(SOURCE, List.of("a", "b")), PairQuery.full(SOURCE, List.of(over, "b")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queries[1].candidates[0]")
                .hasMessageContaining("4000001");
    }

    // ---------------------------------------------------------------- special tokens

    @Test
    void rank_sepAndPrefixTokensInText_equalsTheTextWithSpaces() {
        String source = "Q[SEP]<|source|>uestion";
        List<String> dirty = List.of("a[SEP]b", "<|candidate1|>c<|candidate2|>", "d<|source|>e<|candidate|>");
        List<String> clean = List.of("a b", " c ", "d e ");
        PairwiseMatrix got = ranker.rank(source, dirty).matrix().orElseThrow();
        PairwiseMatrix want = ranker.rank("Q  uestion", clean).matrix().orElseThrow();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(got.logit(i, j)).as("M[%d][%d]", i, j).isEqualTo(want.logit(i, j));
            }
        }
    }

    /**
     * [CLS] is not among the tokens the reference sanitises (SEP and the prefixes): in user text it
     * stays and encodes as the CLS id, inside its segment. The SEP count, the segment layout and
     * the budgets are unaffected, and the pair still scores.
     */
    @Test
    void encodePair_clsInText_staysAsTheClsIdInsideItsSegment() {
        long[] row = ranker.encodePair("x[CLS]y", "[CLS]", "z");
        assertThat(count(row, CLS)).isEqualTo(5);
        assertThat(count(row, SEP)).isEqualTo(3);
        assertThat(row).startsWith(CLS, 1261L).endsWith(SEP);
        assertThat(row).containsSubsequence(CLS, 1262L, CLS, SEP, CLS, 1263L);
        assertRanksAll(ranker.rank("x[CLS]y", List.of("[CLS]", "z", "[CLS][CLS]")), 3);
    }

    // ---------------------------------------------------------------- scripts and odd characters

    static Stream<Arguments> oddTexts() {
        return Stream.of(
                Arguments.of("lone high surrogate", "\uD800"),
                Arguments.of("lone low surrogate", "a\uDC00b"),
                Arguments.of("reversed surrogate pair", "\uDE00\uD83D"),
                Arguments.of("surrogates at both ends", "\uDBFFmiddle\uDC00"),
                Arguments.of("NUL", "\u0000"),
                Arguments.of("bell and escape", "ring\u0007 \u001b[31mred\u001b[0m"),
                Arguments.of("controls only", "\u0000\u0001\u0002\u007f\u0085"),
                Arguments.of("Arabic", "مرحبا بالعالم، ما هو أفضل جواب؟"),
                Arguments.of("Hebrew with RTL override", "\u202eשלום עולם\u202c and back"),
                Arguments.of("bidi marks", "\u200f\u200e\u2066x\u2069"),
                Arguments.of("CJK", "你好，世界！日本語とEnglishの混在。한국어"),
                Arguments.of("emoji ZWJ family", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66"),
                Arguments.of(
                        "emoji flags and skin tones",
                        "\uD83C\uDDEF\uD83C\uDDF5 \uD83D\uDC4D\uD83C\uDFFD \uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08"),
                Arguments.of("combining marks", "e\u0301\u0302\u0303\u0304".repeat(50)),
                Arguments.of("BOM and zero width", "\uFEFF\u200B\u200C\u200D"),
                Arguments.of("noncharacters", "\uFFFE\uFFFF\uFDD0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oddTexts")
    void rank_oddCharacters_ranksWithFiniteLogits(String what, String text) {
        for (String source : List.of(text, SOURCE)) {
            long[] row = ranker.encodePair(source, text, text + " " + text);
            assertThat(row.length).isLessThanOrEqualTo(ranker.maxRowLength());
            assertThat(count(row, SEP)).isEqualTo(3);
            List<String> candidates = new ArrayList<>(List.of(text, "plain answer", text + text, "x" + text + "y"));
            assertRanksAll(ranker.rank(source, candidates), 4);
            Collections.reverse(candidates);
            assertRanksAll(ranker.rank(source, candidates), 4);
        }
    }
}
