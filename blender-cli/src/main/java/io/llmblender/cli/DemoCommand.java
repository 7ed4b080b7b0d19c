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
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Rank real answers of four real LLMs to Arena-Hard prompts (bundled) with the default ranker,"
                    + " beside the GPT-4 judge's ratings. No network, no API key.",
            "--ranker takes any ranker name (minilm, consensus:token-f1, length, a PairRanker export, ...),"
                    + " --fuser a fuser ('test': the bundled random test models)."
        })
final class DemoCommand implements Callable<Integer> {

    private static final int SHOWN_CHARS = 110;
    private static final String DATA = "/io/llmblender/cli/data/arena-demo.jsonl";
    private static final String JUDGE = "gpt4_score";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--prompts",
            defaultValue = "4",
            description = "How many of the 4 bundled prompts to rank (default: ${DEFAULT-VALUE}).")
    int prompts;

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
        List<DatasetRecord> records = records();
        if (prompts < 1 || prompts > records.size()) {
            throw new ParameterException(
                    spec.commandLine(), "--prompts must be between 1 and " + records.size() + ", found " + prompts);
        }
        if (maxNewTokens < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--max-new-tokens must be at least 1, found " + maxNewTokens);
        }
        out.println(
                "Blender demo: real answers of four real LLMs to Arena-Hard prompts, ranked beside the GPT-4 judge's"
                        + " ratings.");
        out.println("  data:   Arena-Hard v1 (lmarena/arena-hard-auto, Apache-2.0), bundled; prompts no shipped model"
                + " was trained on; answers are replayed, no LLM is called");
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
            for (int p = 0; p < prompts; p++) {
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
                    int[] counts = print(out, p, record, result);
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
                "Agreement with the GPT-4 judge: %d of %d answer pairs the judge rated differently are"
                        + " ordered the same way (%.0f%%); the ranker's first pick is a best-rated answer for %d of %d"
                        + " prompts.%n",
                agreeing,
                judged,
                judged == 0 ? 0.0 : 100.0 * agreeing / judged,
                topAgree,
                prompts);
        out.println("Next: ./blender blend --help (your own LLMs), ./blender rank --help (a dataset), models/README.md"
                + " (the MiniLM ranker, PairRM and GenFuser exports).");
        out.flush();
        return 0;
    }

    private static List<DatasetRecord> records() throws IOException {
        List<DatasetRecord> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (InputStream in = DemoCommand.class.getResourceAsStream(DATA)) {
            if (in == null) {
                throw new IllegalStateException("the tool lacks its bundled demo data " + DATA + "; rebuild it");
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
    private static int[] print(PrintWriter out, int index, DatasetRecord record, BlendResult result) {
        out.println();
        out.println("Prompt " + (index + 1) + ": " + shorten(record.instruction()));
        List<Candidate> answers = result.candidates();
        double[] judge = new double[answers.size()];
        for (int i = 0; i < answers.size(); i++) {
            Candidate c = answers.get(i);
            judge[i] = judgeScore(record, c.client());
            out.printf(
                    Locale.ROOT, "  [%d] %-38s GPT-4 %2.0f/10: %s%n", i + 1, c.client(), judge[i], shorten(c.text()));
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
            order.append(String.format(Locale.ROOT, " %d. [%d] (GPT-4 %.0f)", place++, i + 1, judge[i]));
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

    private static double judgeScore(DatasetRecord record, String model) {
        for (DatasetRecord.Candidate c : record.candidates()) {
            if (c.model().equals(model)) {
                Double s = c.scores().get(JUDGE);
                return s == null ? Double.NaN : s;
            }
        }
        return Double.NaN;
    }

    private static String shorten(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= SHOWN_CHARS ? oneLine : oneLine.substring(0, SHOWN_CHARS - 3) + "...";
    }
}
