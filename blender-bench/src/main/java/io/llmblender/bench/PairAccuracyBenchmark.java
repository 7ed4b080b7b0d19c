package io.llmblender.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.eval.PairwiseAccuracy;
import io.llmblender.eval.dataset.PreferencePair;
import io.llmblender.eval.dataset.PreferencePairs;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.router.encode.MiniLmEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Pairwise accuracy of rankers on human-judged answer pairs (by default the project's dev set,
 * {@code ../shared/data/preferences/dev.jsonl}, LLMEval2's English part): the shipped ranker
 * ({@link MiniLmRanker}), the tiny random test fixture, any ranker directory given, and the baselines a reader
 * compares with: "the longer answer wins", a coin (always no preference: 0.5 by construction) and zero-shot
 * all-MiniLM-L6-v2 (the answer whose embedding is closer to the prompt's wins). Each ranker scores the ordered pair
 * (A, B) once, through the real Java path; a logit of 0 counts half. Prints a table and writes
 * {@code target/bench/pair-accuracy.json}.
 *
 * <pre>
 * OPT_OUT_TRACKING=true mvn -B -ntp -q -pl blender-bench exec:java@pair-accuracy
 * </pre>
 */
public final class PairAccuracyBenchmark {

    private PairAccuracyBenchmark() {}

    @Command(
            name = "pair-accuracy",
            mixinStandardHelpOptions = true,
            description = "Pairwise accuracy of rankers and baselines on judged answer pairs.")
    static final class Options implements BenchArgs.Checked {
        @Option(names = "--pairs", description = "judged pairs, JSONL or .gz (default: ${DEFAULT-VALUE})")
        Path pairs = BenchArgs.repositoryRoot()
                .resolve("../shared/data/preferences/dev.jsonl")
                .normalize();

        @Option(names = "--ranker", description = "another ranker directory to measure (repeatable)")
        List<Path> rankers = new ArrayList<>();

        @Option(names = "--no-minilm-baseline", description = "skip the zero-shot MiniLM baseline")
        boolean noMiniLm;

        @Option(names = "--out", description = "JSON report (default: ${DEFAULT-VALUE})")
        Path out = Path.of("target", "bench", "pair-accuracy.json");

        @Override
        public void check(CommandLine commandLine) {
            for (Path dir : rankers) {
                BenchArgs.existingDir(commandLine, "--ranker", dir);
            }
        }
    }

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
        List<PreferencePair> pairs = PreferencePairs.read(options.pairs);
        Map<String, PairwiseAccuracy> rows = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        rows.put("coin (no preference)", PairwiseAccuracy.of(pairs, new double[pairs.size()]));
        double[] longer = new double[pairs.size()];
        for (int i = 0; i < longer.length; i++) {
            longer[i] = Integer.signum(
                    pairs.get(i).responseA().length() - pairs.get(i).responseB().length());
        }
        rows.put("longer answer wins", PairwiseAccuracy.of(pairs, longer));
        if (!options.noMiniLm) {
            long t0 = System.nanoTime();
            rows.put("zero-shot all-MiniLM-L6-v2 (cosine to prompt)", PairwiseAccuracy.of(pairs, cosine(pairs)));
            seconds.put("zero-shot all-MiniLM-L6-v2 (cosine to prompt)", (System.nanoTime() - t0) / 1e9);
        }
        Map<String, Path> rankers = new LinkedHashMap<>();
        rankers.put(
                "tiny random fixture (models/pairranker)",
                BenchArgs.repositoryRoot().resolve("models/pairranker"));
        rankers.put(MiniLmRanker.NAME + " (shipped)", MiniLmRanker.directory());
        for (Path dir : options.rankers) {
            rankers.put(dir.toString(), dir);
        }
        for (Map.Entry<String, Path> ranker : rankers.entrySet()) {
            long t0 = System.nanoTime();
            try (PairRanker r = PairRanker.load(ranker.getValue())) {
                rows.put(ranker.getKey(), PairwiseAccuracy.of(pairs, logits(r, pairs)));
            }
            seconds.put(ranker.getKey(), (System.nanoTime() - t0) / 1e9);
        }
        ObjectNode report = new ObjectMapper().createObjectNode();
        report.put("pairs_file", options.pairs.toString());
        report.put("pairs", pairs.size());
        report.put("ties", rows.values().iterator().next().ties());
        ObjectNode results = report.putObject("results");
        System.out.printf(
                Locale.ROOT,
                "%d pairs (%d ties) from %s%n",
                pairs.size(),
                rows.values().iterator().next().ties(),
                options.pairs);
        System.out.printf(
                Locale.ROOT, "%-52s %10s %11s %13s %8s%n", "scorer", "accuracy", "ties half", "shorter won", "seconds");
        for (Map.Entry<String, PairwiseAccuracy> row : rows.entrySet()) {
            PairwiseAccuracy a = row.getValue();
            Double s = seconds.get(row.getKey());
            System.out.printf(
                    Locale.ROOT,
                    "%-52s %10.4f %11.4f %13.4f %8s%n",
                    row.getKey(),
                    a.accuracy(),
                    a.accuracyTiesHalf(),
                    a.accuracyShorterWon(),
                    s == null ? "-" : String.format(Locale.ROOT, "%.1f", s));
            ObjectNode r = results.putObject(row.getKey());
            r.put("accuracy", BenchStats.round(a.accuracy(), 4));
            r.put("accuracy_ties_half", BenchStats.round(a.accuracyTiesHalf(), 4));
            r.put("shorter_won_pairs", a.shorterWonPairs());
            r.put("accuracy_shorter_won", BenchStats.round(a.accuracyShorterWon(), 4));
            if (s != null) {
                r.put("seconds", BenchStats.round(s, 1));
            }
        }
        Files.createDirectories(options.out.toAbsolutePath().getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(options.out.toFile(), report);
        System.out.println("wrote " + options.out);
    }

    /** The ranker's logit of (A, B) for every pair, in batches of queries. */
    static double[] logits(PairRanker ranker, List<PreferencePair> pairs) {
        List<PairQuery> queries = new ArrayList<>(pairs.size());
        for (PreferencePair p : pairs) {
            queries.add(
                    PairQuery.of(p.prompt(), List.of(p.responseA(), p.responseB()), List.of(new CandidatePair(0, 1))));
        }
        double[] out = new double[pairs.size()];
        int at = 0;
        for (int from = 0; from < queries.size(); from += 64) {
            for (PairwiseMatrix m : ranker.scoreAll(queries.subList(from, Math.min(queries.size(), from + 64)))) {
                out[at++] = m.logit(0, 1);
            }
        }
        return out;
    }

    private static double[] cosine(List<PreferencePair> pairs) {
        double[] out = new double[pairs.size()];
        try (MiniLmEncoder encoder = MiniLmEncoder.load()) {
            for (int i = 0; i < out.length; i++) {
                PreferencePair p = pairs.get(i);
                float[][] v = encoder.encode(List.of(p.prompt(), p.responseA(), p.responseB()));
                out[i] = dot(v[0], v[1]) - dot(v[0], v[2]);
            }
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * (double) b[k];
        }
        return s;
    }
}
