package io.llmblender.cli;

import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.Candidate;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranking;
import io.llmblender.eval.dataset.Gsm8kData;
import io.llmblender.eval.dataset.Gsm8kData.Question;
import io.llmblender.eval.dataset.Gsm8kData.Table;
import io.llmblender.fuser.GenFuser;
import io.llmblender.ranker.PairRanker;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blender demo}: the library's main job on what ships with it, without network or keys. Real answers of two
 * real LLMs (gpt-4-1106-preview and Mixtral-8x7B-Instruct) to GSM8K questions, from the bundled RouteLLM data, are
 * replayed by two clients and blended: PairRanker scores both ordered pairs into the pairwise matrix, the matrix
 * becomes a ranking, and GenFuser fuses the top answers. By default the bundled test models rank and fuse (at random:
 * their weights are random), which the output says; {@code --ranker} and {@code --fuser} take real exports.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Blend real answers of two real LLMs to GSM8K questions (bundled data) with PairRanker and"
            + " GenFuser. No network, no API key.",
            "By default the bundled test models (random weights) rank and fuse; give real exports with --ranker and"
                + " --fuser."})
final class DemoCommand implements Callable<Integer> {

    private static final int SHOWN_CHARS = 160;

    @Spec
    CommandSpec spec;

    @Option(names = "--questions", defaultValue = "2", description = "How many questions to blend (default: ${DEFAULT-VALUE}).")
    int questions;

    @Option(names = "--first", defaultValue = "0",
            description = "Index of the first question in the data, 0 to 1318 (default: ${DEFAULT-VALUE}).")
    int first;

    @Option(names = "--ranker", defaultValue = ModelOptions.TEST, paramLabel = "DIR|test",
            description = "PairRanker export directory, or 'test' for the bundled test model (default).")
    String ranker;

    @Option(names = "--fuser", defaultValue = ModelOptions.TEST, paramLabel = "DIR|test",
            description = "GenFuser export directory, or 'test' for the bundled test model (default).")
    String fuser;

    @Option(names = "--max-new-tokens", defaultValue = "48",
            description = "Longest fused answer, in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Table table = Gsm8kData.read(null);
        if (questions < 1) {
            throw new ParameterException(spec.commandLine(), "--questions must be at least 1, found " + questions);
        }
        if (first < 0 || first + questions > table.questions().size()) {
            throw new ParameterException(spec.commandLine(), "--first and --questions must stay within the "
                    + table.questions().size() + " questions, found --first " + first + " --questions " + questions);
        }
        if (maxNewTokens < 1) {
            throw new ParameterException(spec.commandLine(), "--max-new-tokens must be at least 1, found " + maxNewTokens);
        }
        boolean testModels = ranker.equals(ModelOptions.TEST) || fuser.equals(ModelOptions.TEST);
        out.println("Blender demo: real answers of two real LLMs to GSM8K questions, ranked by PairRanker and fused by"
                + " GenFuser.");
        out.println("  data:   RouteLLM's GSM8K answers (Apache-2.0), bundled; answers are replayed, no LLM is called");
        out.println("  LLMs:   " + table.modelA() + ", " + table.modelB());
        out.println("  ranker: " + describe(ranker));
        out.println("  fuser:  " + describe(fuser));
        if (testModels) {
            out.println("  NOTE:   " + ModelOptions.TEST_MODEL_NOTE + ".");
        }
        try (PairRanker pairRanker = PairRanker.load(ModelOptions.ranker(ranker, "--ranker"));
                GenFuser genFuser = GenFuser.builder(ModelOptions.fuser(fuser, "--fuser"))
                        .maxNewTokens(maxNewTokens).build()) {
            for (int q = first; q < first + questions; q++) {
                Question question = table.questions().get(q);
                LlmClient a = replay(table.modelA(), question.answerA());
                LlmClient b = replay(table.modelB(), question.answerB());
                try (Blender blender = Blender.builder().client(a).client(b).ranker(pairRanker).fuser(genFuser)
                        .topK(2).build()) {
                    BlendResult result = blender.blend(Prompt.of(question.prompt()));
                    print(out, q, question, result);
                }
            }
        }
        out.println();
        out.println("Next: ./blender blend --help (your own LLMs), ./blender rank --help (a dataset), models/README.md"
                + " (export the real PairRM and GenFuser).");
        out.flush();
        return 0;
    }

    private static LlmClient replay(String model, String answer) {
        String text = answer.strip();
        return LlmClient.of(model, prompt -> Generation.of(text));
    }

    private static String describe(String option) {
        return option.equals(ModelOptions.TEST) ? "bundled test model (random weights)" : option;
    }

    private static void print(PrintWriter out, int index, Question question, BlendResult result) {
        out.println();
        out.println("Question " + index + ": " + shorten(question.prompt()));
        List<Candidate> answers = result.candidates();
        boolean[] correct = {question.correctA(), question.correctB()};
        for (int i = 0; i < answers.size(); i++) {
            Candidate c = answers.get(i);
            out.printf(Locale.ROOT, "  [%d] %s (%s in the data): %s%n", i + 1, c.client(),
                    correct[i] ? "correct" : "wrong", shorten(c.text()));
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
                row.append(i == j || !matrix.isComputed(i, j) ? String.format(Locale.ROOT, "%9s", "-")
                        : String.format(Locale.ROOT, "%9.4f", matrix.logit(i, j)));
            }
            out.println(row);
        }
        StringBuilder order = new StringBuilder("  ranking:");
        int place = 1;
        for (int i : ranking.order()) {
            order.append(String.format(Locale.ROOT, " %d. [%d] %s (score %.4f)", place++, i + 1,
                    answers.get(i).client(), ranking.score(i)));
        }
        out.println(order);
        Fusion fusion = result.fusion().orElse(null);
        if (fusion != null) {
            out.printf(Locale.ROOT, "  fused by %s from the top %d (stopped: %s): %s%n", fusion.fuserName(),
                    fusion.candidatesUsed(), fusion.finishReason(), shorten(fusion.text()));
        } else {
            out.println("  no fusion: " + result.fusionFailure().map(Object::toString).orElse("one answer only"));
        }
        out.printf(Locale.ROOT, "  time: ranking %d ms, fusion %d ms%n", result.timings().ranking().toMillis(),
                result.timings().fusion().toMillis());
    }

    private static String shorten(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= SHOWN_CHARS ? oneLine : oneLine.substring(0, SHOWN_CHARS - 3) + "...";
    }
}
