package io.llmblender.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.Candidate;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Ranking;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.fuser.GenFuser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blender demo}: the library's main job on what ships with it, without network or keys. Real answers of four
 * real LLMs to each of four Arena-Hard prompts (bundled, Apache-2.0; prompts no shipped model was trained on) are
 * replayed by four clients and blended: the ranker ({@code --ranker}, by default the label-free consensus ranker)
 * scores every ordered pair into the pairwise matrix and the matrix becomes a ranking, shown beside the GPT-4 judge's
 * 1-10 ratings of the same answers, with how often the two agree. Fusion runs only when a fuser is given ({@code --fuser DIR|llm:NAME|test}, {@code llm:NAME} with
 * {@code --llm name=NAME,url=URL,model=M}); the demo says so otherwise.
 *
 * <p>{@code --lang zh} does the same on four Chinese prompts, each with the Chinese answers of three Chinese-Alpaca
 * LLMs and their 1-10 ratings by GPT-4 or ChatGPT (bundled {@code zh-demo.jsonl}, written by
 * {@code models/data/make_zh_demo.py} from ymcui/Chinese-LLaMA-Alpaca, Apache-2.0; its prompts are kept out of the
 * Chinese training corpus). Answers are shortened to a number of terminal columns, a Han character counting two, by
 * whole code points.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Rank real answers of four real LLMs to Arena-Hard prompts (bundled) with the default ranker,"
                    + " beside the GPT-4 judge's ratings. No network, no API key.",
            "--lang zh: Chinese prompts with the Chinese answers of three Chinese-Alpaca LLMs, beside the"
                    + " GPT-4/ChatGPT judge's ratings.",
            "--ranker takes any ranker name (minilm, consensus:token-f1, length, a PairRanker export, ...),"
                    + " --fuser a fuser ('test': the bundled random test models)."
        })
final class DemoCommand implements Callable<Integer> {

    /** How many terminal columns of an answer are shown; a Han or other wide character takes two. */
    static final int SHOWN_COLUMNS = 110;

    /** A language's bundled prompts, answers and judge. */
    private enum Lang {
        EN(
                "en",
                "/io/llmblender/cli/data/arena-demo.jsonl",
                "gpt4_score",
                "GPT-4",
                "Blender demo: real answers of four real LLMs to Arena-Hard prompts, ranked beside the GPT-4 judge's"
                        + " ratings.",
                "  data:   Arena-Hard v1 (lmarena/arena-hard-auto, Apache-2.0), bundled; prompts no shipped model"
                        + " was trained on; answers are replayed, no LLM is called"),
        ZH(
                "zh",
                "/io/llmblender/cli/data/zh-demo.jsonl",
                "gpt4_or_chatgpt_score",
                "GPT-4/ChatGPT",
                "Blender demo (中文): real Chinese answers of three Chinese-Alpaca LLMs to Chinese prompts, ranked beside"
                        + " the GPT-4/ChatGPT judge's ratings.",
                "  data:   Chinese-LLaMA-Alpaca's model comparison (ymcui/Chinese-LLaMA-Alpaca @ 090475f,"
                        + " examples/f16-p7b-p13b-33b, Apache-2.0), bundled; prompts kept out of the Chinese training"
                        + " corpus; answers are replayed, no LLM is called",
                "  judge:  1-10 by GPT-4 or, where its quota ran out, ChatGPT (gpt-3.5-turbo); the source does not say"
                        + " which rated which; scores are relative within one comparison of the three");

        final String code;
        final String data;
        final String judgeKey;
        final String judge;
        /** The header's lines, joined by newlines (an enum's fields must be immutable). */
        final String header;

        Lang(String code, String data, String judgeKey, String judge, String... header) {
            this.code = code;
            this.data = data;
            this.judgeKey = judgeKey;
            this.judge = judge;
            this.header = String.join("\n", header);
        }

        static Lang of(String code) {
            for (Lang l : values()) {
                if (l.code.equals(code)) {
                    return l;
                }
            }
            return null;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = "--lang",
            defaultValue = "en",
            paramLabel = "en|zh",
            description = "The prompts' language: en (Arena-Hard, the GPT-4 judge) or zh (Chinese prompts and"
                    + " Chinese-Alpaca answers, the GPT-4/ChatGPT judge) (default: ${DEFAULT-VALUE}).")
    String lang;

    @Option(names = "--prompts", description = "How many of the 4 bundled prompts to rank (default: all).")
    Integer prompts;

    @Option(
            names = "--ranker",
            defaultValue = ModelOptions.DEFAULT,
            paramLabel = "NAME|DIR",
            description = "The ranker (default: ${DEFAULT-VALUE}, label-free consensus; the longer answer wins below"
                    + " three answers): any name rank accepts but judge:NAME, a PairRanker export directory, or 'test'"
                    + " for the bundled random test model.")
    String ranker;

    @Option(
            names = "--fuser",
            paramLabel = "DIR|llm:NAME|test",
            description = "Fuse the top 2 with a GenFuser export directory, 'llm:NAME' (the LLM given with --llm"
                    + " name=NAME,...), or 'test' for the bundled random test model (default: no fusion).")
    String fuser;

    @Option(
            names = "--llm",
            paramLabel = "name=N,url=URL,model=M[,key-env=VAR]",
            description = "An OpenAI-compatible LLM that --fuser llm:NAME may name (repeatable).")
    List<String> llms = new java.util.ArrayList<>();

    @Option(
            names = "--max-new-tokens",
            defaultValue = "48",
            description = "Longest fused answer, in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Lang language = Lang.of(lang);
        if (language == null) {
            throw new ParameterException(spec.commandLine(), "--lang must be en or zh, found '" + lang + "'");
        }
        List<DatasetRecord> records = records(language.data);
        int shown = prompts == null ? records.size() : prompts;
        if (shown < 1 || shown > records.size()) {
            throw new ParameterException(
                    spec.commandLine(), "--prompts must be between 1 and " + records.size() + ", found " + shown);
        }
        if (maxNewTokens < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--max-new-tokens must be at least 1, found " + maxNewTokens);
        }
        language.header.lines().forEach(out::println);
        out.println("  ranker: " + ModelOptions.describe(ranker));
        if (ranker.equals(ModelOptions.DEFAULT)) {
            out.println("          (chosen as the default because it picked best on held-out prompts; compare:"
                    + " --ranker minilm, --ranker length; README, 'Performance')");
        }
        out.println("  fuser:  "
                + (fuser == null
                        ? "none (give --fuser DIR or --fuser llm:NAME with --llm to fuse the top answers)"
                        : ModelOptions.describe(fuser)));
        if (ModelOptions.TEST.equals(ranker) || ModelOptions.TEST.equals(fuser)) {
            out.println("  NOTE:   " + ModelOptions.TEST_MODEL_NOTE + ".");
        }
        int agreeing = 0;
        int judged = 0;
        int topAgree = 0;
        List<AutoCloseable> resources = new java.util.ArrayList<>();
        try {
            Ranker rankerModel = ModelOptions.rankerModel(ranker, "--ranker", Map.of(), false, resources);
            io.llmblender.core.fuse.Fuser genFuser = fuser == null
                    ? null
                    : FuserOption.open(
                            spec.commandLine(),
                            fuser,
                            llms,
                            dir -> GenFuser.builder(dir)
                                    .maxNewTokens(maxNewTokens)
                                    .build(),
                            resources);
            for (int p = 0; p < shown; p++) {
                DatasetRecord record = records.get(p);
                Blender.Builder builder = Blender.builder().ranker(rankerModel);
                for (DatasetRecord.Candidate c : record.candidates()) {
                    builder.client(replay(c.model(), c.text()));
                }
                if (genFuser != null) {
                    builder.fuser(genFuser).topK(2);
                }
                try (Blender blender = builder.build()) {
                    BlendResult result = blender.blend(Prompt.of(record.instruction()));
                    int[] counts = print(out, p, record, result, language);
                    agreeing += counts[0];
                    judged += counts[1];
                    topAgree += counts[2];
                }
            }
        } finally {
            FuserOption.closeAll(resources);
        }
        out.println();
        out.printf(
                Locale.ROOT,
                "Agreement with the %s judge: %d of %d answer pairs the judge rated differently are"
                        + " ordered the same way (%.0f%%); the ranker's first pick is a best-rated answer for %d of %d"
                        + " prompts.%n",
                language.judge,
                agreeing,
                judged,
                judged == 0 ? 0.0 : 100.0 * agreeing / judged,
                topAgree,
                shown);
        if (language == Lang.EN) {
            out.println("In Chinese: ./blender demo --lang zh (Chinese prompts, the answers of three Chinese-Alpaca"
                    + " LLMs, the same ranker).");
        }
        out.println("Next: ./blender blend --help (your own LLMs), ./blender rank --help (a dataset), models/README.md"
                + " (the MiniLM ranker, PairRM and GenFuser exports).");
        out.flush();
        return 0;
    }

    private static List<DatasetRecord> records(String data) throws IOException {
        List<DatasetRecord> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (InputStream in = DemoCommand.class.getResourceAsStream(data)) {
            if (in == null) {
                throw new IllegalStateException("the tool lacks its bundled demo data " + data + "; rebuild it");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    out.add(DatasetRecord.of((ObjectNode) json.readTree(line)));
                }
            }
        }
        return out;
    }

    private static LlmClient replay(String model, String answer) {
        String text = answer.strip();
        return LlmClient.of(model, prompt -> Generation.of(text));
    }

    /** Prints one prompt's blend; returns {agreeing pairs, pairs the judge rated differently, top pick is best}. */
    private static int[] print(PrintWriter out, int index, DatasetRecord record, BlendResult result, Lang lang) {
        out.println();
        out.println("Prompt " + (index + 1) + ": " + shorten(record.instruction()));
        List<Candidate> answers = result.candidates();
        double[] judge = new double[answers.size()];
        int scoreWidth = 2; // the answers' texts start in one column, whether a score is 9, 10 or 8.5
        for (int i = 0; i < answers.size(); i++) {
            judge[i] = judgeScore(record, answers.get(i).client(), lang.judgeKey);
            scoreWidth = Math.max(scoreWidth, score(judge[i]).length());
        }
        for (int i = 0; i < answers.size(); i++) {
            Candidate c = answers.get(i);
            out.printf(
                    Locale.ROOT,
                    "  [%d] %-38s %s %" + scoreWidth + "s/10: %s%n",
                    i + 1,
                    c.client(),
                    lang.judge,
                    score(judge[i]),
                    shorten(c.text()));
        }
        Ranking ranking = result.ranking().orElseThrow();
        PairwiseMatrix matrix = ranking.matrix().orElseThrow();
        out.println("  pairwise logits from " + result.rankerName().orElse("?")
                + " (row vs column; > 0: the row's answer is better):");
        StringBuilder head = new StringBuilder("         ");
        for (int j = 0; j < matrix.size(); j++) {
            head.append(String.format(Locale.ROOT, "%9s", "[" + (j + 1) + "]"));
        }
        out.println(head);
        for (int i = 0; i < matrix.size(); i++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "     %-4s", "[" + (i + 1) + "]"));
            for (int j = 0; j < matrix.size(); j++) {
                row.append(
                        i == j || !matrix.isComputed(i, j)
                                ? String.format(Locale.ROOT, "%9s", "-")
                                : String.format(Locale.ROOT, "%9.3f", matrix.logit(i, j)));
            }
            out.println(row);
        }
        StringBuilder order = new StringBuilder("  ranking:");
        int place = 1;
        for (int i : ranking.order()) {
            order.append(String.format(Locale.ROOT, " %d. [%d] (%s %s)", place++, i + 1, lang.judge, score(judge[i])));
        }
        out.println(order);
        int agreeing = 0;
        int judged = 0;
        for (int i = 0; i < judge.length; i++) {
            for (int j = i + 1; j < judge.length; j++) {
                if (judge[i] != judge[j]) {
                    judged++;
                    if ((judge[i] > judge[j]) == (ranking.score(i) > ranking.score(j))) {
                        agreeing++;
                    }
                }
            }
        }
        double best = Double.NEGATIVE_INFINITY;
        for (double s : judge) {
            best = Math.max(best, s);
        }
        boolean topIsBest = judge[ranking.order().get(0)] == best;
        out.printf(
                Locale.ROOT,
                "  agreement: %d of %d pairs ordered as the judge orders them; first pick %s%n",
                agreeing,
                judged,
                topIsBest ? "is a best-rated answer" : "is not a best-rated answer");
        Fusion fusion = result.fusion().orElse(null);
        if (fusion != null) {
            out.printf(
                    Locale.ROOT,
                    "  fused by %s from the top %d (stopped: %s): %s%n",
                    fusion.fuserName(),
                    fusion.candidatesUsed(),
                    fusion.finishReason(),
                    shorten(fusion.text()));
        }
        out.printf(
                Locale.ROOT,
                "  time: ranking %d ms%s%n",
                result.timings().ranking().toMillis(),
                fusion == null ? "" : ", fusion " + result.timings().fusion().toMillis() + " ms");
        return new int[] {agreeing, judged, topIsBest ? 1 : 0};
    }

    private static double judgeScore(DatasetRecord record, String model, String key) {
        for (DatasetRecord.Candidate c : record.candidates()) {
            if (c.model().equals(model)) {
                Double s = c.scores().get(key);
                return s == null ? Double.NaN : s;
            }
        }
        return Double.NaN;
    }

    /** A judge's score as printed: whole numbers without a fraction (8), others with one digit (8.5), ? if none. */
    private static String score(double s) {
        if (Double.isNaN(s)) {
            return "?";
        }
        return s == Math.rint(s) ? String.format(Locale.ROOT, "%.0f", s) : String.format(Locale.ROOT, "%.1f", s);
    }

    private static String shorten(String text) {
        return shorten(text, SHOWN_COLUMNS);
    }

    /**
     * The text on one line (whitespace runs as one space), cut to at most {@code columns} terminal columns with
     * "..." when longer. Cut between code points, never inside a surrogate pair; a wide character (Han, kana,
     * Hangul, CJK punctuation, full-width forms) counts two columns, so Chinese shows about as wide as English.
     */
    static String shorten(String text, int columns) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        if (width(oneLine) <= columns) {
            return oneLine;
        }
        StringBuilder cut = new StringBuilder();
        int used = 0;
        for (int i = 0; i < oneLine.length(); ) {
            int cp = oneLine.codePointAt(i);
            int w = width(cp);
            if (used + w > columns - 3) {
                break;
            }
            cut.appendCodePoint(cp);
            used += w;
            i += Character.charCount(cp);
        }
        return cut + "...";
    }

    /** Terminal columns of a text: the sum of {@link #width(int)} over its code points. */
    static int width(String text) {
        return text.codePoints().map(DemoCommand::width).sum();
    }

    private static int width(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        boolean wide = script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.HANGUL
                || (cp >= 0x3000 && cp <= 0x303F) // CJK symbols and punctuation
                || (cp >= 0xFF01 && cp <= 0xFF60) // full-width forms
                || (cp >= 0xFFE0 && cp <= 0xFFE6);
        return wide ? 2 : 1;
    }
}
