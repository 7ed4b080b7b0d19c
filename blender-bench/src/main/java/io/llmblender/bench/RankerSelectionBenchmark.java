package io.llmblender.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.rank.ConsensusRanker;
import io.llmblender.core.rank.LlmJudgeRanker;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankers;
import io.llmblender.core.rank.Rankings;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.ranker.minilm.MiniLmRewardRanker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Top-1 selection of rankers that need no labels or cheap ones, on multi-LLM data with reference scores: the mean
 * reference score of the answer each one picks, beside random (the expected score of a uniform pick), the longest
 * answer, the best single LLM (the LLM with the highest mean score on the records it answered) and the oracle. Rows:
 * the zero-shot MiniLM ranker ({@link MiniLmRanker}), lexical consensus ({@link ConsensusRanker}: coverage, token F1,
 * ROUGE-L, final-answer voting), the trained reward ranker ({@link MiniLmRewardRanker}), the default ranker
 * ({@link MiniLmRewardRanker#defaultRanker()}) and the model-free one ({@link Rankers#defaultRanker()}), and a
 * combination of MiniLM +
 * consensus + length fitted ({@link Rankers#fitWeights}) on the train file's prompts that are not in the holdout and
 * reported on the holdout only; and the same rankers on Chinese answers ({@code data/zh-routing.jsonl}). A tie for the
 * top counts as a uniform pick among the tied. Each file is measured with
 * all its answers and without the GPT-4 models' answers (models whose name contains {@code gpt-4}); only answers
 * with the metric count. Prints a table and writes {@code target/bench/ranker-selection.json}.
 *
 * <pre>
 * OPT_OUT_TRACKING=true mvn -B -ntp -q -pl blender-bench exec:java@ranker-selection
 * </pre>
 */
public final class RankerSelectionBenchmark {

    private RankerSelectionBenchmark() {}

    @Command(
            name = "ranker-selection",
            mixinStandardHelpOptions = true,
            description = "Mean score of the answer each ranker picks: consensus, MiniLM, combined, baselines.")
    static final class Options implements BenchArgs.Checked {
        @Option(names = "--train", description = "multi-LLM records with scores (default: ${DEFAULT-VALUE})")
        Path train = BenchArgs.repositoryRoot()
                .resolve("../shared/data/arena-bench/train.jsonl")
                .normalize();

        @Option(names = "--holdout", description = "held-out records (default: ${DEFAULT-VALUE})")
        Path holdout = BenchArgs.repositoryRoot().resolve("data/arena-holdout.jsonl");

        @Option(names = "--gsm8k", description = "math records, metric 'correct' (default: ${DEFAULT-VALUE})")
        Path gsm8k = BenchArgs.repositoryRoot().resolve("data/gsm8k-100.jsonl");

        @Option(
                names = "--chinese",
                description = "Chinese records, metric 'gpt4_or_chatgpt_score' (default: ${DEFAULT-VALUE})")
        Path chinese = BenchArgs.repositoryRoot().resolve("data/zh-routing.jsonl");

        @Option(names = "--out", description = "JSON report (default: ${DEFAULT-VALUE})")
        Path out = Path.of("target", "bench", "ranker-selection.json");

        @Override
        public void check(picocli.CommandLine commandLine) {}
    }

    /** One record reduced to the answers that carry the metric, with every ranker's scores. */
    @SuppressWarnings("ArrayRecordComponent") // internal, never compared
    record Item(
            String id,
            String source,
            List<String> models,
            List<String> texts,
            double[] gold,
            Map<String, double[]> scores) {}

    /** The scorers measured, by row name; each gives per-candidate scores (higher is better). */
    static final String SHIPPED = "zero-shot MiniLM ranker (" + MiniLmRanker.NAME + ")";

    static final String COVERAGE = "consensus: coverage, ties below 3 answers";
    static final String DEFAULT = "default ranker: coverage, reward ranker below 3 (--ranker default)";
    static final String CORE_DEFAULT = "model-free default: coverage, longer answer below 3 (Rankers.defaultRanker)";
    static final String REWARD = "trained reward ranker (" + MiniLmRewardRanker.NAME + ", --ranker reward)";
    static final String F1 = "consensus: token F1 (words+bigrams)";
    static final String ROUGE = "consensus: ROUGE-L";
    static final String VOTE = "consensus: final-answer vote";
    static final String EMBEDDING = "consensus: embedding (MiniLM encoder, mean cosine)";
    static final String FALLBACK = "consensus with the MiniLM ranker below 3 answers";
    static final String LENGTH = "longest";
    static final String COMBINED = "combined (MiniLM+coverage+F1+length, fitted on train minus holdout)";

    /**
     * Runs the measurement.
     *
     * @param args see {@link Options}
     * @throws IOException if the report cannot be written
     */
    public static void main(String[] args) throws IOException {
        Options options = BenchArgs.parseOrExit(new Options(), args);
        if (options == null) {
            return;
        }
        ObjectNode report = new ObjectMapper().createObjectNode();
        ArrayNode tables = report.putArray("tables");
        Predicate<String> all = m -> true;
        Predicate<String> noGpt4 = m -> !m.toLowerCase(Locale.ROOT).contains("gpt-4");
        try (PairRanker shipped = MiniLmRanker.load();
                PairRanker reward = MiniLmRewardRanker.load();
                Ranker trainedDefault = MiniLmRewardRanker.defaultRanker();
                ConsensusRanker coverage = ConsensusRanker.lexical();
                ConsensusRanker f1 = ConsensusRanker.builder()
                        .similarity(ConsensusRanker.Similarity.TOKEN_F1)
                        .build();
                ConsensusRanker rouge = ConsensusRanker.builder()
                        .similarity(ConsensusRanker.Similarity.ROUGE_L)
                        .build();
                ConsensusRanker vote =
                        ConsensusRanker.builder().finalAnswer(true).build()) {
            Map<String, Ranker> rankers = new LinkedHashMap<>();
            rankers.put(SHIPPED, shipped);
            rankers.put(COVERAGE, coverage);
            rankers.put(DEFAULT, trainedDefault);
            rankers.put(CORE_DEFAULT, Rankers.defaultRanker());
            rankers.put(REWARD, reward);
            rankers.put(F1, f1);
            rankers.put(ROUGE, rouge);
            rankers.put(VOTE, vote);
            rankers.put(EMBEDDING, shipped.embeddingConsensus());
            rankers.put(FALLBACK, ConsensusRanker.builder().fallback(shipped).build());
            rankers.put(LENGTH, Rankers.lengthPrior());
            Set<String> holdoutIds = new HashSet<>();
            for (Datasets.Line l :
                    Datasets.read(options.holdout, Datasets.OnBadLine.STOP).lines()) {
                holdoutIds.add(l.record().id());
            }
            for (Predicate<String> pool : List.of(all, noGpt4)) {
                String poolName = pool == all ? "all LLMs" : "without GPT-4 models";
                List<Item> train = items(options.train, "gpt4_score", pool, rankers);
                List<Item> fitOn =
                        train.stream().filter(i -> !holdoutIds.contains(i.id())).toList();
                double[] w = fit(fitOn);
                List<Item> holdout = items(options.holdout, "gpt4_score", pool, rankers);
                List<Item> gsm = items(options.gsm8k, "correct", pool, rankers);
                table(
                        tables,
                        "arena-bench train (240 prompts; MiniLM ranker zero-shot, step 0 of a run on 200 of them)",
                        poolName,
                        train,
                        null);
                table(tables, "arena-holdout (40 prompts no ranker saw)", poolName, holdout, w);
                if (pool == all) {
                    table(tables, "gsm8k-100 (2 answers per question)", poolName, gsm, null);
                    table(
                            tables,
                            "zh-routing (168 Chinese prompts, 3 Chinese-Alpaca answers, GPT-4/ChatGPT 1-10)",
                            poolName,
                            items(options.chinese, "gpt4_or_chatgpt_score", pool, rankers),
                            null);
                }
                ObjectNode weights = report.putObject("combined_weights_" + (pool == all ? "all" : "no_gpt4"));
                weights.put("shipped", w[0]);
                weights.put("consensus_coverage", w[1]);
                weights.put("consensus_token_f1", w[2]);
                weights.put("length", w[3]);
                weights.put("fitted_on_prompts", fitOn.size());
                System.out.printf(
                        Locale.ROOT,
                        "combined weights (%s): MiniLM %.3f, coverage %.3f, token F1 %.3f, length %.3f; fitted on %d"
                                + " prompts%n%n",
                        poolName,
                        w[0],
                        w[1],
                        w[2],
                        w[3],
                        fitOn.size());
            }
        }
        ObjectNode calls = report.putObject("judge_calls_per_ranking");
        System.out.printf(Locale.ROOT, "judge calls per ranking (computed, not measured: no live LLM here)%n");
        System.out.printf(Locale.ROOT, "%-40s %6s %6s %6s%n", "mode", "N=4", "N=8", "N=12");
        for (String[] mode : JUDGE_MODES) {
            ArrayNode row = calls.putArray(mode[0]);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-40s", mode[0]));
            for (int n : new int[] {4, 8, 12}) {
                int c = judgeCalls(mode[1], n);
                row.add(c);
                line.append(String.format(Locale.ROOT, " %6d", c));
            }
            System.out.println(line);
        }
        Files.createDirectories(options.out.toAbsolutePath().getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(options.out.toFile(), report);
        System.out.println("wrote " + options.out);
    }

    static final String[][] JUDGE_MODES = {
        {"pairwise, full, both orders", "full2"},
        {"pairwise, full, one order", "full1"},
        {"pairwise, bubble, both orders", "bubble2"},
        {"pairwise, bubble, one order", "bubble1"},
        {"single-answer grading (1-10)", "grade"},
        {"listwise (one call ranks all)", "list"},
    };

    static int judgeCalls(String mode, int n) {
        return switch (mode) {
            case "full2" -> LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.PAIRWISE, true, false, n);
            case "full1" -> LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.PAIRWISE, false, false, n);
            case "bubble2" -> LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.PAIRWISE, true, true, n);
            case "bubble1" -> LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.PAIRWISE, false, true, n);
            case "grade" -> LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.GRADE, true, false, n);
            default -> LlmJudgeRanker.plannedCalls(LlmJudgeRanker.Mode.LISTWISE, true, false, n);
        };
    }

    private static List<Item> items(Path file, String metric, Predicate<String> pool, Map<String, Ranker> rankers) {
        List<Item> out = new ArrayList<>();
        for (Datasets.Line line : Datasets.read(file, Datasets.OnBadLine.STOP).lines()) {
            DatasetRecord r = line.record();
            List<String> models = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            List<Double> gold = new ArrayList<>();
            for (DatasetRecord.Candidate c : r.candidates()) {
                Double s = c.scores().get(metric);
                if (s != null && pool.test(c.model())) {
                    models.add(c.model());
                    texts.add(c.text());
                    gold.add(s);
                }
            }
            if (texts.size() < 2) {
                continue;
            }
            String source = r.instruction() + r.input();
            Map<String, double[]> scores = new LinkedHashMap<>();
            for (Map.Entry<String, Ranker> e : rankers.entrySet()) {
                scores.put(
                        e.getKey(), Rankings.rank(e.getValue(), source, texts).scores());
            }
            out.add(new Item(
                    r.id(),
                    source,
                    models,
                    texts,
                    gold.stream().mapToDouble(Double::doubleValue).toArray(),
                    scores));
        }
        return out;
    }

    /** Features of the combination, standardised: shipped, consensus coverage, consensus token F1, length. */
    private static double[][] features(Item item) {
        return new double[][] {
            Rankers.standardise(item.scores().get(SHIPPED)),
            Rankers.standardise(item.scores().get(COVERAGE)),
            Rankers.standardise(item.scores().get(F1)),
            Rankers.standardise(item.scores().get(LENGTH)),
        };
    }

    private static double[] fit(List<Item> items) {
        List<double[][]> f = new ArrayList<>();
        List<double[]> t = new ArrayList<>();
        for (Item i : items) {
            f.add(features(i));
            t.add(i.gold());
        }
        return Rankers.fitWeights(f, t, 1e-3);
    }

    private static double[] combined(Item item, double[] w) {
        double[][] f = features(item);
        double[] s = new double[item.gold().length];
        for (int k = 0; k < w.length; k++) {
            for (int i = 0; i < s.length; i++) {
                s[i] += w[k] * f[k][i];
            }
        }
        return s;
    }

    /** The expected gold score of picking uniformly among the candidates with the top score. */
    static double pick(double[] scores, double[] gold) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        int count = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] >= max - 1e-12) {
                sum += gold[i];
                count++;
            }
        }
        return sum / count;
    }

    private static void table(ArrayNode tables, String dataset, String pool, List<Item> items, double[] w) {
        Map<String, Double> rows = new LinkedHashMap<>();
        double random = 0;
        double oracle = 0;
        Map<String, double[]> perModel = new LinkedHashMap<>();
        for (Item i : items) {
            double sum = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < i.gold().length; c++) {
                sum += i.gold()[c];
                max = Math.max(max, i.gold()[c]);
                perModel.computeIfAbsent(i.models().get(c), k -> new double[2])[0] += i.gold()[c];
                perModel.get(i.models().get(c))[1]++;
            }
            random += sum / i.gold().length;
            oracle += max;
        }
        String bestModel = null;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[]> e : perModel.entrySet()) {
            double mean = e.getValue()[0] / e.getValue()[1];
            if (mean > bestMean) {
                bestMean = mean;
                bestModel = e.getKey();
            }
        }
        rows.put("random (expected)", random / items.size());
        rows.put("best single LLM: " + bestModel, bestMean);
        rows.put("oracle", oracle / items.size());
        for (String name : items.get(0).scores().keySet()) {
            double sum = 0;
            for (Item i : items) {
                sum += pick(i.scores().get(name), i.gold());
            }
            rows.put(name, sum / items.size());
        }
        if (w != null) {
            double sum = 0;
            for (Item i : items) {
                sum += pick(combined(i, w), i.gold());
            }
            rows.put(COMBINED, sum / items.size());
        }
        System.out.printf(Locale.ROOT, "%s, %s: %d prompts%n", dataset, pool, items.size());
        ObjectNode t = tables.addObject();
        t.put("dataset", dataset);
        t.put("pool", pool);
        t.put("prompts", items.size());
        ObjectNode r = t.putObject("mean_score_of_pick");
        for (Map.Entry<String, Double> e : rows.entrySet()) {
            System.out.printf(Locale.ROOT, "  %-72s %7.3f%n", e.getKey(), e.getValue());
            r.put(e.getKey(), BenchStats.round(e.getValue(), 4));
        }
        System.out.println();
    }
}
