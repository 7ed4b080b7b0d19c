package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pair encoding against spec section 1: three {@code [CLS] prefix text [SEP]} segments, the
 * source cut to source_max, each candidate to {@code candidate_max + (source_max - Ls) / 2}, SEP and
 * prefix strings in user text replaced by a space. Untruncated lengths come from a separate plain
 * tokenizer over the same tokenizer.json, so the budgets are checked against an independent count.
 */
class PairEncoderTest {

    // The fixture's ids (models/make_tiny_pairranker.py); checked against the tokenizer once below.
    private static final long PAD = 0;
    private static final long CLS = 1;
    private static final long SEP = 2;
    private static final long UNK = 3;
    private static final long MASK = 4;
    private static final long SRC = 1261;
    private static final long C1 = 1262;
    private static final long C2 = 1263;
    private static final long CAND = 1264;
    private static final int VOCAB = 1265;
    private static final int SOURCE_MAX = 48;
    private static final int CANDIDATE_MAX = 40;

    private static RankerConfig config;
    private static PairEncoder encoder;
    private static PairRanker ranker;
    private static HuggingFaceTokenizer plain;

    @BeforeAll
    static void load() throws IOException {
        Path dir = Fixtures.tinyRanker();
        config = RankerConfig.read(dir);
        encoder = PairEncoder.load(dir, config);
        ranker = PairRanker.builder(dir).device("cpu").build();
        plain = HuggingFaceTokenizer.builder()
                .optTokenizerPath(dir.resolve("tokenizer.json"))
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
    }

    @AfterAll
    static void close() {
        plain.close();
        ranker.close();
        encoder.close();
    }

    /** The untruncated length of a segment {@code [CLS] prefix text [SEP]}, counted independently. */
    private static int fullSegmentLength(String prefix, String text) {
        return plain.encode(prefix + text, false, false).getIds().length + 2;
    }

    /** The untruncated ids of {@code prefix text} (prefix id first), counted independently. */
    private static long[] fullBody(String prefix, String text) {
        return plain.encode(prefix + text, false, false).getIds();
    }

    /** Splits a row at its SEP ids, checking the three-segment PairRM structure on the way. */
    private static long[][] segments(long[] row) {
        long[][] out = new long[3][];
        int start = 0;
        long[] prefixes = {SRC, C1, C2};
        for (int s = 0; s < 3; s++) {
            int end = start;
            while (end < row.length && row[end] != SEP) {
                end++;
            }
            assertThat(end).as("segment %d has a closing SEP", s).isLessThan(row.length);
            out[s] = Arrays.copyOfRange(row, start, end + 1);
            assertThat(out[s][0]).as("segment %d opens with CLS", s).isEqualTo(CLS);
            assertThat(out[s][1]).as("segment %d prefix", s).isEqualTo(prefixes[s]);
            start = end + 1;
        }
        assertThat(start).as("nothing after the third segment").isEqualTo(row.length);
        return out;
    }

    private static long count(long[] row, long id) {
        return Arrays.stream(row).filter(x -> x == id).count();
    }

    /** Checks a row's structure, special-id counts, id range and budgets. */
    private static long[][] assertWellFormed(long[] row) {
        long[][] seg = segments(row);
        assertThat(count(row, CLS)).isEqualTo(3);
        assertThat(count(row, SEP)).isEqualTo(3);
        assertThat(count(row, SRC)).isEqualTo(1);
        assertThat(count(row, C1)).isEqualTo(1);
        assertThat(count(row, C2)).isEqualTo(1);
        assertThat(count(row, CAND)).isZero();
        assertThat(count(row, PAD)).isZero();
        assertThat(count(row, UNK)).isZero();
        assertThat(Arrays.stream(row).boxed()).allMatch(id -> id >= 0 && id < VOCAB);
        assertThat(seg[0].length).isLessThanOrEqualTo(SOURCE_MAX);
        int cap = CANDIDATE_MAX + (SOURCE_MAX - seg[0].length) / 2;
        assertThat(seg[1].length).isLessThanOrEqualTo(cap);
        assertThat(seg[2].length).isLessThanOrEqualTo(cap);
        assertThat(row.length).isLessThanOrEqualTo(SOURCE_MAX + 2 * CANDIDATE_MAX);
        return seg;
    }

    /** The first text {@code grow(n)} whose untruncated segment has exactly {@code length} tokens. */
    private static String textWithSegmentLength(String prefix, int length, IntFunction<String> grow) {
        for (int n = 0; n < 2000; n++) {
            String text = grow.apply(n);
            if (fullSegmentLength(prefix, text) == length) {
                return text;
            }
        }
        throw new AssertionError("no text with a " + length + "-token segment");
    }

    private static String words(int n) {
        StringBuilder b = new StringBuilder();
        String[] pool = {"Janet", " sells", " 16", " eggs", " at", " $", "2", " each", ",", " so", " she"};
        for (int i = 0; i < n; i++) {
            b.append(pool[i % pool.length]);
        }
        return b.toString();
    }

    private static String chars(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + (i * 7) % 26));
            if (i % 5 == 4) {
                b.append(' ');
            }
        }
        return b.toString();
    }

    @Test
    void fixture_idsAreTheOnesTheScriptWrites() {
        assertThat(encoder.clsId()).isEqualTo(CLS);
        assertThat(encoder.sepId()).isEqualTo(SEP);
        assertThat(encoder.padId()).isEqualTo(PAD);
        assertThat(encoder.prefixIds()).containsExactly((int) SRC, (int) C1, (int) C2);
        assertThat(encoder.maxTokenId()).isEqualTo(VOCAB - 1);
        assertThat(config.layout()).isEqualTo(RankerConfig.Layout.PAIRRM);
        assertThat(config.sourceMaxLength()).isEqualTo(SOURCE_MAX);
        assertThat(config.candidateMaxLength()).isEqualTo(CANDIDATE_MAX);
        assertThat(ranker.maxRowLength()).isEqualTo(SOURCE_MAX + 2 * CANDIDATE_MAX);
    }

    @Test
    void encodePair_shortTexts_threeSegmentsEachWithItsPrefix() {
        String[][] examples = {
            {"hello!", "hi!", "f**k off!"},
            {"What is 2 + 2?", "2 + 2 = 4", "It is 5."},
            {"Translate: chat", "cat", "le chat est un animal"},
            {"  leading and trailing spaces  ", "\ttab\nnewline", "x"},
        };
        for (String[] e : examples) {
            long[] row = ranker.encodePair(e[0], e[1], e[2]);
            long[][] seg = assertWellFormed(row);
            // Short texts are not truncated: each segment is CLS + the full prefixed text + SEP.
            assertThat(Arrays.copyOfRange(seg[0], 1, seg[0].length - 1)).containsExactly(fullBody("<|source|>", e[0]));
            assertThat(Arrays.copyOfRange(seg[1], 1, seg[1].length - 1))
                    .containsExactly(fullBody("<|candidate1|>", e[1]));
            assertThat(Arrays.copyOfRange(seg[2], 1, seg[2].length - 1))
                    .containsExactly(fullBody("<|candidate2|>", e[2]));
        }
    }

    @Test
    void encodePair_sameCandidateInEitherSlot_hasTheSameBody() {
        long[][] ab = segments(ranker.encodePair("q", "first answer", "second answer"));
        long[][] ba = segments(ranker.encodePair("q", "second answer", "first answer"));
        assertThat(Arrays.copyOfRange(ab[1], 2, ab[1].length))
                .containsExactly(Arrays.copyOfRange(ba[2], 2, ba[2].length));
        assertThat(Arrays.copyOfRange(ab[2], 2, ab[2].length))
                .containsExactly(Arrays.copyOfRange(ba[1], 2, ba[1].length));
    }

    @Test
    void sourceSegment_exactlyAtBudget_isKeptWhole() {
        String text = textWithSegmentLength("<|source|>", SOURCE_MAX, PairEncoderTest::words);
        long[][] seg = assertWellFormed(ranker.encodePair(text, "a", "b"));
        assertThat(seg[0]).hasSize(SOURCE_MAX);
        assertThat(Arrays.copyOfRange(seg[0], 1, SOURCE_MAX - 1)).containsExactly(fullBody("<|source|>", text));
    }

    @Test
    void sourceSegment_oneTokenOverBudget_isCutKeepingClsAndSep() {
        String text = textWithSegmentLength("<|source|>", SOURCE_MAX + 1, PairEncoderTest::words);
        long[][] seg = assertWellFormed(ranker.encodePair(text, "a", "b"));
        assertThat(seg[0]).hasSize(SOURCE_MAX);
        assertThat(seg[0][SOURCE_MAX - 1]).isEqualTo(SEP);
        long[] full = fullBody("<|source|>", text);
        assertThat(Arrays.copyOfRange(seg[0], 1, SOURCE_MAX - 1)).containsExactly(Arrays.copyOf(full, full.length - 1));
    }

    @Test
    void candidateCap_followsFormulaWithIntegerDivision() {
        for (int ls = 3; ls <= SOURCE_MAX; ls++) {
            assertThat(encoder.candidateCap(ls)).as("Ls=%d", ls).isEqualTo(CANDIDATE_MAX + (SOURCE_MAX - ls) / 2);
        }
        assertThat(encoder.candidateCap(SOURCE_MAX)).isEqualTo(CANDIDATE_MAX);
        assertThat(encoder.candidateCap(3)).isEqualTo(CANDIDATE_MAX + 22);
        assertThat(encoder.candidateCap(4)).isEqualTo(CANDIDATE_MAX + 22);
    }

    @Test
    void candidateSegment_shortSource_getsBiggerBudgetThanLongSource() {
        String longCandidate = words(400);
        int previousCap = Integer.MAX_VALUE;
        for (String source : List.of("", "hi", "What is 2 + 2?", words(15), words(200))) {
            long[][] seg = assertWellFormed(ranker.encodePair(source, longCandidate, longCandidate));
            int ls = seg[0].length;
            int cap = CANDIDATE_MAX + (SOURCE_MAX - ls) / 2;
            assertThat(seg[1]).as("source %s", source).hasSize(cap);
            assertThat(seg[2]).as("source %s", source).hasSize(cap);
            assertThat(cap).isLessThanOrEqualTo(previousCap);
            previousCap = cap;
        }
        assertThat(previousCap)
                .as("a truncated source leaves exactly candidate_max")
                .isEqualTo(CANDIDATE_MAX);
    }

    @Test
    void candidateSegment_capIsPerExample_notTheLongestSourceInTheBatch() {
        int[][] together = encoder.sourceSegments(List.of("hi", words(200)));
        assertThat(together[0]).containsExactly(encoder.sourceSegments(List.of("hi"))[0]);
        assertThat(together[0]).hasSizeLessThan(together[1].length);
        String candidate = words(400);
        PairQuery shortQuery = PairQuery.full("hi", List.of(candidate, "x"));
        PairQuery longQuery = PairQuery.full(words(200), List.of(candidate, "x"));
        List<PairwiseMatrix> batched = ranker.scoreAll(List.of(shortQuery, longQuery));
        PairwiseMatrix alone = ranker.score(shortQuery);
        assertThat(batched.get(0).logit(0, 1)).isCloseTo(alone.logit(0, 1), within(1e-5));
    }

    @Test
    void candidateSegment_exactlyAtCap_isKeptWhole() {
        String source = "hi";
        int cap = CANDIDATE_MAX + (SOURCE_MAX - fullSegmentLength("<|source|>", source)) / 2;
        String text = textWithSegmentLength("<|candidate1|>", cap, PairEncoderTest::chars);
        long[][] seg = assertWellFormed(ranker.encodePair(source, text, text));
        assertThat(seg[1]).hasSize(cap);
        assertThat(seg[2]).hasSize(cap);
        assertThat(Arrays.copyOfRange(seg[1], 1, cap - 1)).containsExactly(fullBody("<|candidate1|>", text));
    }

    @Test
    void candidateSegment_onePastCap_isCutKeepingClsPrefixAndSep() {
        String source = "hi";
        int cap = CANDIDATE_MAX + (SOURCE_MAX - fullSegmentLength("<|source|>", source)) / 2;
        String text = textWithSegmentLength("<|candidate1|>", cap + 1, PairEncoderTest::chars);
        long[][] seg = assertWellFormed(ranker.encodePair(source, text, "short"));
        assertThat(seg[1]).hasSize(cap);
        assertThat(seg[1][cap - 1]).isEqualTo(SEP);
        long[] full = fullBody("<|candidate1|>", text);
        assertThat(Arrays.copyOfRange(seg[1], 1, cap - 1)).containsExactly(Arrays.copyOf(full, full.length - 1));
    }

    @Test
    void sanitize_replacesSepAndEveryPrefixBySpace() {
        assertThat(encoder.sanitize("a[SEP]b<|source|>c<|candidate1|>d<|candidate2|>e<|candidate|>f"))
                .isEqualTo("a b c d e f");
        assertThat(encoder.sanitize("plain text")).isEqualTo("plain text");
    }

    @Test
    void encodePair_textWithSepOrPrefixTokens_equalsSpaceReplacedText() {
        for (String token : List.of("[SEP]", "<|source|>", "<|candidate1|>", "<|candidate2|>", "<|candidate|>")) {
            String dirty = "a " + token + " b";
            String clean = "a   b";
            long[] row = ranker.encodePair(dirty, "x" + token, token + "y");
            assertWellFormed(row);
            assertThat(row).as(token).containsExactly(ranker.encodePair(clean, "x ", " y"));
        }
    }

    @Test
    void encodePair_emptyCandidates_areClsPrefixSep() {
        long[][] seg = assertWellFormed(ranker.encodePair("a question", "", ""));
        assertThat(seg[1]).containsExactly(CLS, C1, SEP);
        assertThat(seg[2]).containsExactly(CLS, C2, SEP);
    }

    @Test
    void encodePair_emptySource_isClsPrefixSepAndWidestCandidateBudget() {
        long[][] seg = assertWellFormed(ranker.encodePair("", words(400), ""));
        assertThat(seg[0]).containsExactly(CLS, SRC, SEP);
        assertThat(seg[1]).hasSize(CANDIDATE_MAX + (SOURCE_MAX - 3) / 2);
    }

    @Test
    void candidateBodies_cjkAndEmoji_haveNoUnknownAndStayInVocabulary() {
        List<String> texts =
                List.of("你好，世界！今天天气很好。", "😀🎉👍🏽 family: 👨‍👩‍👧‍👦", "日本語とEnglishの混在 🇯🇵", "𝕳𝖊𝖑𝖑𝖔 𠀀𠀁");
        int[][] bodies = encoder.candidateBodies(texts);
        for (int i = 0; i < texts.size(); i++) {
            // Byte-level BPE: at least one token per UTF-8 byte group, never [UNK] or a special id.
            assertThat(bodies[i]).as(texts.get(i)).isNotEmpty();
            assertThat(Arrays.stream(bodies[i]).boxed()).as(texts.get(i)).allMatch(id -> id > MASK && id < SRC);
        }
    }

    @Test
    void encodePair_longCjkAndEmoji_respectsBudgets() {
        String cjk = "天气很好".repeat(50);
        String emoji = "😀🎉👍🏽".repeat(50);
        long[][] seg = assertWellFormed(ranker.encodePair(cjk, emoji, cjk + emoji));
        assertThat(seg[0]).hasSize(SOURCE_MAX);
        assertThat(seg[1]).hasSize(CANDIDATE_MAX);
        assertThat(seg[2]).hasSize(CANDIDATE_MAX);
    }

    @Test
    void encodePair_randomTextsWithSurrogatePairs_neverExceedMaxRow() {
        Random random = new Random(20240611);
        int[][] ranges = {{0x20, 0x7e}, {0x4e00, 0x9fff}, {0x1f300, 0x1faff}, {0x20000, 0x2a6df}, {0xa0, 0x24f}};
        String[] inserts = {"[SEP]", "<|source|>", "<|candidate1|>", "<|candidate2|>", "<|candidate|>", "\n", " "};
        for (int trial = 0; trial < 60; trial++) {
            String[] texts = new String[3];
            for (int t = 0; t < 3; t++) {
                StringBuilder b = new StringBuilder();
                int length = random.nextInt(trial % 3 == 0 ? 20 : 600);
                for (int i = 0; i < length; i++) {
                    if (random.nextInt(40) == 0) {
                        b.append(inserts[random.nextInt(inserts.length)]);
                    } else {
                        int[] r = ranges[random.nextInt(ranges.length)];
                        b.appendCodePoint(r[0] + random.nextInt(r[1] - r[0] + 1));
                    }
                }
                texts[t] = b.toString();
            }
            long[] row = ranker.encodePair(texts[0], texts[1], texts[2]);
            assertWellFormed(row);
            assertThat(row.length).isLessThanOrEqualTo(ranker.maxRowLength());
        }
    }

    @Test
    void candidateBodies_veryLongText_isNotTruncatedByTheTokenizer() {
        String huge = chars(50_000); // 60,000 characters, under LongTexts.PRECUT_MIN_CHARS: tokenized whole
        int[] body = encoder.candidateBodies(List.of(huge))[0];
        assertThat(body.length).isGreaterThan(1000);
        assertThat(body.length).isEqualTo(fullBody("", huge).length);
        long[][] seg = assertWellFormed(ranker.encodePair("q", huge, huge));
        assertThat(seg[1]).hasSize(encoder.candidateCap(seg[0].length));
    }

    @Test
    void candidateBodies_textOverThePrecutThreshold_keepsEveryIdARowCanRead() {
        String huge = chars(300_000);
        int[] body = encoder.candidateBodies(List.of(huge))[0];
        long[] full = fullBody("", huge);
        int reads = encoder.candidateCap(2);
        long[] kept = new long[reads];
        for (int i = 0; i < reads; i++) {
            kept[i] = body[i];
        }

        assertThat(body.length).isGreaterThan(reads).isLessThan(full.length);
        assertThat(kept).containsExactly(Arrays.copyOf(full, reads));
    }

    @Test
    void plainLayout_hasOneClsAndScores(@TempDir Path dir) throws IOException {
        try (Stream<Path> files = Files.list(Fixtures.tinyRanker())) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName().toString()));
            }
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json =
                (ObjectNode) mapper.readTree(dir.resolve("ranker_config.json").toFile());
        json.put("layout", "plain");
        mapper.writeValue(dir.resolve("ranker_config.json").toFile(), json);
        try (PairRanker plainRanker = PairRanker.builder(dir).device("cpu").build()) {
            long[] row = plainRanker.encodePair("src", "one", "two");
            long[] src = fullBody("<|source|>", "src");
            long[] one = fullBody("<|candidate1|>", "one");
            long[] two = fullBody("<|candidate2|>", "two");
            long[] expected = new long[1 + src.length + 1 + one.length + 1 + two.length + 1];
            int at = 0;
            expected[at++] = CLS;
            for (long[] part : new long[][] {src, one, two}) {
                System.arraycopy(part, 0, expected, at, part.length);
                at += part.length;
                expected[at++] = SEP;
            }
            assertThat(row).containsExactly(expected);
            assertThat(count(row, CLS)).isEqualTo(1);
            assertThat(row[1]).isEqualTo(SRC);
            PairwiseMatrix m = plainRanker.score(PairQuery.full("src", List.of("one", "two")));
            assertThat(m.logit(0, 1)).isFinite();
            assertThat(m.logit(1, 0)).isFinite();
        }
    }
}
