package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of {@link FusionPrompt} over random instructions, inputs and 1 to 8 candidates mixing
 * any UTF-16 char (lone surrogates included), the special tokens, near-misses of them, whitespace
 * runs, other scripts, emoji and very long words: building never throws, the prompt stays within
 * max_source_length, every candidate within its token budget, the template's sentinel and
 * end-of-sequence ids are the only ones, and the head and the final instruction line survive
 * whenever they fit. Expected token counts come from a second tokenizer over the same file.
 */
class PromptPropertiesTest {

    private static final String SUMMARIZE = FusionPrompt.SUMMARIZE;
    /** The specification's sanitising, written independently of FusionPrompt's. */
    private static final Pattern SPECIAL = Pattern.compile("</s>|<pad>|<unk>|<extra_id_[0-9]+>");

    private static final List<String> SPECIALS = List.of(
            "</s>",
            "<pad>",
            "<unk>",
            "<extra_id_0>",
            "<extra_id_1>",
            "<extra_id_7>",
            "<extra_id_99>",
            "<extra_id_100>");
    private static final List<String> NEAR_MISSES = List.of(
            "<",
            "/s>",
            "</s",
            "<extra_id_",
            ">",
            "<pad",
            "unk>",
            "<\u4e00/s>",
            "<\uD83D\uDE00/s>",
            "<extra_id_\u00e9>");
    private static final List<String> SCRIPTS = List.of(
            "你好，世界",
            "天气很好",
            "مرحبا بالعالم",
            "\u202eשלום\u202c",
            "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66",
            "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08",
            "\uD83D\uDC4D\uD83C\uDFFD",
            "\u0000",
            "\u0007",
            "\u001b[31m",
            "\uD800",
            "\uDFFF",
            "e\u0301",
            "\uFEFF");
    private static final List<String> WHITESPACE =
            List.of(" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", " \n\t ", "\u2028");

    private static FuserConfig config;
    private static HuggingFaceTokenizer tokenizer;
    private static HuggingFaceTokenizer independent;
    private static FusionPrompt prompts;
    private static long eos;
    private static long pad;
    private static long[] sentinels;
    private static long lowestSentinel;
    private static long[] summarizeIds;

    @BeforeContainer
    static void load() throws IOException {
        config = FuserConfig.read(GoldenDecodingTest.DIR);
        tokenizer = tokenizer();
        independent = tokenizer();
        prompts = new FusionPrompt(tokenizer, config.candidateMaxLength(), config.maxSourceLength(), 0);
        eos = config.eosId();
        pad = config.padId();
        sentinels = new long[100];
        for (int i = 0; i < sentinels.length; i++) {
            long[] ids = encode("<extra_id_" + i + ">");
            assertThat(ids).hasSize(1);
            sentinels[i] = ids[0];
        }
        lowestSentinel = LongStream.of(sentinels).min().orElseThrow();
        summarizeIds = encode(SUMMARIZE);
        assertThat(config.candidateMaxLength()).isEqualTo(128);
        assertThat(config.maxSourceLength()).isEqualTo(1024);
    }

    private static HuggingFaceTokenizer tokenizer() throws IOException {
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(GoldenDecodingTest.DIR.resolve(config.tokenizerFile()))
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
    }

    @AfterContainer
    static void close() {
        tokenizer.close();
        independent.close();
    }

    private static long[] encode(String text) {
        return independent.encode(text, false, false).getIds();
    }

    private static String clean(String text) {
        return SPECIAL.matcher(text).replaceAll(" ");
    }

    private static long count(long[] ids, int from, int to, long id) {
        return Arrays.stream(ids, from, to).filter(x -> x == id).count();
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- generators

    /** One piece of text; texts are runs of pieces. */
    static Arbitrary<String> piece() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().all().ofMaxLength(12)),
                Tuple.of(
                        6,
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .ofMinLength(1)
                                .ofMaxLength(10)
                                .map(w -> w + " ")),
                Tuple.of(
                        3,
                        Arbitraries.of(WHITESPACE)
                                .list()
                                .ofMinSize(1)
                                .ofMaxSize(6)
                                .map(ws -> String.join("", ws))),
                Tuple.of(3, Arbitraries.of(SPECIALS)),
                Tuple.of(2, Arbitraries.of(NEAR_MISSES)),
                Tuple.of(3, Arbitraries.of(SCRIPTS)),
                Tuple.of(1, Arbitraries.integers().between(100, 4000).map("x"::repeat)),
                Tuple.of(
                        1,
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .ofMinLength(100)
                                .ofMaxLength(3000)));
    }

    /** A text of a few pieces, of some more, or of many (up to about 20k chars), in the given weights. */
    static Arbitrary<String> text(int few, int some, int many) {
        return Arbitraries.frequencyOf(
                Tuple.of(few, piece().list().ofMaxSize(12).map(p -> String.join("", p))),
                Tuple.of(some, piece().list().ofMinSize(12).ofMaxSize(40).map(p -> String.join("", p))),
                Tuple.of(many, piece().list().ofMinSize(40).ofMaxSize(120).map(p -> String.join("", p))));
    }

    static Arbitrary<String> text() {
        return text(6, 2, 1);
    }

    @Provide
    Arbitrary<String> texts() {
        return text(10, 4, 1);
    }

    /** Mostly any 1 to 8 candidates; sometimes 5 to 8 mostly long ones, which overflow 1024 tokens together. */
    @Provide
    Arbitrary<List<String>> candidateLists() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, text().list().ofMinSize(1).ofMaxSize(8)),
                Tuple.of(1, text(1, 2, 1).list().ofMinSize(5).ofMaxSize(8)));
    }

    // ---------------------------------------------------------------- properties

    /** The template's tail with every candidate at budget 0: the shortest prompt the builder tries. */
    private static String minimalTail(List<String> candidates) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < candidates.size(); i++) {
            String c = clean(candidates.get(i));
            b.append("Candidate ")
                    .append(i)
                    .append(": <extra_id_")
                    .append(i)
                    .append(">:")
                    .append(encode(c).length == 0 ? c : "...")
                    .append("</s>");
        }
        return b.append(SUMMARIZE).toString();
    }

    private static String fullTail(List<String> candidates) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < candidates.size(); i++) {
            b.append("Candidate ")
                    .append(i)
                    .append(": <extra_id_")
                    .append(i)
                    .append(">:")
                    .append(clean(candidates.get(i)))
                    .append("</s>");
        }
        return b.append(SUMMARIZE).toString();
    }

    @Property(tries = 200, seed = "6434947682717878439") // a fixed seed keeps CI reproducible; drop it to explore
    void build_randomTexts_staysWithinBudgetsAndKeepsTheTemplate(
            @ForAll("texts") String instruction,
            @ForAll("texts") String input,
            @ForAll("candidateLists") List<String> candidates) {
        // Every branch of the builder must be reached, or the property is vacuous on it.
        Statistics.label("prompt").coverage(coverage -> {
            for (String branch : List.of("all whole", "cut to 128", "cut below 128", "head cut")) {
                coverage.check(branch).count(n -> n > 0);
            }
        });
        FusionPrompt.Built built = prompts.build(instruction, input, candidates);
        long[] ids = built.ids();
        int k = candidates.size();

        assertThat(ids.length).isLessThanOrEqualTo(config.maxSourceLength());
        assertThat(built.candidateBudget()).isBetween(0, config.candidateMaxLength());
        assertThat(ids).endsWith(summarizeIds);
        assertThat(ids).doesNotContain(pad);
        // Sentinels: exactly <extra_id_0> .. <extra_id_K-1>, once each, in order; nothing else from that range.
        long[] sentinelIds =
                LongStream.of(ids).filter(id -> id >= lowestSentinel).toArray();
        assertThat(sentinelIds).containsExactly(Arrays.copyOf(sentinels, k));
        // EOS: exactly one closing each candidate, at most the two of the head before the candidates.
        int[] at = new int[k + 1];
        for (int i = 0; i < k; i++) {
            at[i] = indexOf(ids, sentinels[i]);
        }
        at[k] = ids.length;
        for (int i = 0; i < k; i++) {
            assertThat(count(ids, at[i], at[i + 1], eos))
                    .as("EOS after candidate %d", i)
                    .isEqualTo(1);
        }
        assertThat(count(ids, 0, at[0], eos)).as("EOS in the head").isLessThanOrEqualTo(2);

        String head = "Instruction: " + clean(instruction) + "</s>Input: " + clean(input) + "</s>";
        // The builder tries budgets from 128 down and cuts the head only when none fits. Tokenizing is not
        // monotone in the budget: a one-token candidate kept whole can be shorter than its "..." at budget 0,
        // so a larger budget may fit where the smallest does not; a head cut therefore implies that the
        // smallest tail does not fit, not the other way round.
        boolean headCut = !built.text().startsWith(head);
        if (headCut) {
            assertThat(encode(head + minimalTail(candidates)).length).isGreaterThan(config.maxSourceLength());
            // Only the head is cut, on the right: the kept head tokens, then the whole tail.
            long[] tail = encode(minimalTail(candidates));
            assertThat(built.candidateBudget()).isZero();
            assertThat(ids).hasSize(config.maxSourceLength()).endsWith(tail);
            assertThat(ids).startsWith(Arrays.copyOf(encode(head), ids.length - tail.length));
            Statistics.label("prompt").collect("head cut");
            return;
        }
        String text = built.text();
        assertThat(text).startsWith(head + "Candidate 0: <extra_id_0>:").endsWith("</s>" + SUMMARIZE);
        assertThat(ids).containsExactly(encode(text));
        assertThat(count(ids, 0, at[0], eos)).as("EOS in the head").isEqualTo(2);
        int budget = built.candidateBudget();
        boolean allWhole = true;
        for (int i = 0; i < k; i++) {
            String marker = "Candidate " + i + ": <extra_id_" + i + ">:";
            int start = text.indexOf(marker) + marker.length();
            String part = text.substring(start, text.indexOf("</s>", start));
            String c = clean(candidates.get(i));
            if (encode(c).length <= budget) {
                assertThat(part).as("candidate %d, budget %d", i, budget).isEqualTo(c);
            } else {
                allWhole = false;
                assertThat(part).as("candidate %d", i).endsWith("...");
                String kept = part.substring(0, part.length() - 3);
                assertThat(encode(kept).length)
                        .as("candidate %d kept tokens, budget %d", i, budget)
                        .isLessThanOrEqualTo(budget);
            }
        }
        Statistics.label("prompt")
                .collect(
                        allWhole ? "all whole" : budget < config.candidateMaxLength() ? "cut below 128" : "cut to 128");
        if (allWhole && budget == config.candidateMaxLength()) {
            assertThat(text).isEqualTo(head + fullTail(candidates));
        }
        if (encode(head + fullTail(candidates)).length <= config.maxSourceLength()
                && candidates.stream().allMatch(c -> encode(clean(c)).length <= config.candidateMaxLength())) {
            assertThat(budget).as("nothing to cut").isEqualTo(config.candidateMaxLength());
            assertThat(text).isEqualTo(head + fullTail(candidates));
        }
    }

    /**
     * The bug the property above found (shrunk to a candidate "&lt;一/s&gt;" followed by some
     * hundred "x"), kept as a regression: "&lt;", a character the vocabulary lacks and "/s&gt;"
     * are no special token, but decoding the cut candidate skipped the {@code <unk>} and gave a
     * literal "&lt;/s&gt;" (or "&lt;extra_id_3&gt;"), which the prompt then encoded as EOS (or as
     * a sentinel). FusionPrompt now sanitises the decoded cut as well.
     */
    @Example
    void build_cutCandidateWhoseDecodingSpellsEos_getsNoEosFromUserText() {
        for (String unknown : List.of("\uD83D\uDE00", "\u4e00", "\r")) {
            long unk = 2;
            assertThat(encode("<" + unknown + "/s>"))
                    .as("the fixture lacks %s", unknown)
                    .contains(unk);
            String candidate = "<" + unknown + "/s>" + " word".repeat(200);
            for (String forged : List.of(candidate, "<" + unknown + "extra_id_3>" + " word".repeat(200))) {
                FusionPrompt.Built built = prompts.build("Go", "", List.of(forged, "short"));
                assertThat(built.candidateBudget()).isEqualTo(128);
                long[] ids = built.ids();
                int first = indexOf(ids, sentinels[0]);
                int second = indexOf(ids, sentinels[1]);
                assertThat(count(ids, first, second, eos))
                        .as(forged.substring(0, 12))
                        .isEqualTo(1);
                assertThat(LongStream.of(ids).filter(id -> id >= lowestSentinel).toArray())
                        .containsExactly(sentinels[0], sentinels[1]);
            }
        }
    }

    @Example
    void generators_produceTheHardCases() {
        // Not a property of FusionPrompt: a guard that the generators above still reach what they claim.
        List<String> sample = text().sampleStream().limit(400).toList();
        String all = sample.stream().collect(Collectors.joining());
        assertThat(all).contains("</s>").contains("<extra_id_").contains("\u202e");
        assertThat(all.chars().anyMatch(ch -> Character.isSurrogate((char) ch))).isTrue();
        assertThat(sample.stream().mapToInt(String::length).max().orElse(0)).isGreaterThan(5000);
    }
}
