package io.llmblender.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.cli.Version;
import io.llmblender.core.route.ConfidenceCalibration;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.eval.dataset.Gsm8kData;
import io.llmblender.eval.dataset.Gsm8kData.Question;
import io.llmblender.eval.dataset.Gsm8kData.Table;
import io.llmblender.eval.routing.CostAxis;
import io.llmblender.eval.routing.CostCurve;
import io.llmblender.eval.routing.CurvePoint;
import io.llmblender.eval.routing.Folds;
import io.llmblender.eval.routing.GapRecovery;
import io.llmblender.ranker.PairRanker;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.CachingEncoder;
import io.llmblender.router.encode.MiniLmEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.head.TrainingMetrics;
import io.llmblender.router.label.ClusterTagger;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.RewardRecords;
import io.llmblender.router.label.SoftLabels;
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
import picocli.CommandLine.ParameterException;

/**
 * Evaluates the reward-guided router on real data: the 1,319 GSM8K questions answered by GPT-4
 * (gpt-4-1106-preview) and Mixtral-8x7B-Instruct, with rewards = correctness of each answer (1 or
 * 0), under k-fold cross-validation over the questions. Prints a table and writes
 * {@code target/bench/router-gsm8k.json}.
 *
 * <p><b>What it reports.</b> Accuracy of always-GPT-4, always-Mixtral, random (the mean of the
 * two), the oracle (a correct answer whenever either model has one), and of two routers trained
 * on the other folds and asked about each held-out question: without tags (beta 1) and with
 * tags from k-means clusters of the query embeddings ({@link ClusterTagger}, beta 0.3, the paper's
 * setting). For each router, the curve of accuracy against the share of questions sent to
 * Mixtral (the cheaper model) as its threshold moves: the questions with the highest router
 * probability for Mixtral go to Mixtral, the rest to GPT-4 (RouteLLM's evaluation), beside random
 * routing at the same share; the performance gap recovered
 * {@code PGR = (acc - acc_mixtral) / (acc_gpt4 - acc_mixtral)}, its average over the curve
 * (APGR) and the share of GPT-4 calls needed for 50% and 80% PGR (RouteLLM's CPT). Then the
 * adaptive mode's bound: answer alone when the router's confidence reaches a threshold
 * calibrated for a share of single calls ({@link ConfidenceCalibration}), otherwise call both and
 * keep a correct answer if either has one (a perfect ranker), against the calls paid. The curves
 * pool the held-out predictions of all folds and place thresholds on quantiles of them.
 *
 * <p>The general evaluation over any dataset with N LLMs (ranker selection, routers on the ranker's own rewards, the
 * adaptive mode with the real ranker, prices) is {@code blender eval-routing}, built on the same public API of
 * {@code io.llmblender.eval.routing} ({@link Folds}, {@link GapRecovery}) that this two-model report uses; this class
 * keeps RouteLLM's share-to-cheap view of GSM8K and the timing below.
 *
 * <p><b>Routing cost.</b> The last fold's router is saved and loaded over a plain (uncached)
 * MiniLM encoder; for {@code --latency-queries} questions it routes the question and ranks the
 * question's two answers with a {@link PairRanker} (one full pass: both ordered pairs), in turn,
 * and reports the median of each and their ratio, for each ranker present: the committed tiny
 * fixture ({@code models/pairranker}) and the base-sized model when made
 * ({@code models/build/pairranker-base}, see {@link RankerBenchmark}).
 *
 * <p>Run from the repository root (a minute or two on 2 cores):
 * <pre>
 * mvn -B -ntp -q install -DskipTests
 * OPT_OUT_TRACKING=true mvn -B -ntp -q -pl blender-bench exec:java@router-eval
 * </pre>
 *
 * <p>Options (all optional): {@code --data FILE} (a CSV with the bundled data's columns; default
 * the bundled copy), {@code --folds K} (5), {@code --limit N} (the first N questions only; 0 for
 * all), {@code --seed S} (0: fold assignment, head initialisation, clusters), {@code --clusters K}
 * (8), {@code --beta B} (0.3), {@code --epochs E} (50), {@code --latency-queries Q} (50, 0 to
 * skip), {@code --rankers DIR,DIR|none} (default the two above, skipping a missing base model),
 * {@code --minilm-cache DIR} (where MiniLM's files are unpacked; default the encoder's own) and
 * {@code --out FILE}. {@code --help} lists them with their defaults.
 */
public final class RouterEvaluation {

    private static final int CURVE_STEPS = 10;

    private RouterEvaluation() {}

    /**
     * Runs the evaluation, writes the JSON report and prints the table. {@code --help} prints the
     * usage instead; an unknown option, or a malformed or out-of-range value, prints a message that
     * names the option and the value, and the usage, on standard error and exits with status 2.
     *
     * @param args the options described in the class documentation
     * @throws IOException if the data cannot be read or the report cannot be written
     * @throws IllegalArgumentException if the data has fewer than two questions per fold
     */
    public static void main(String[] args) throws IOException {
        Options options = BenchArgs.parseOrExit(new Options(), args);
        if (options == null) {
            return;
        }
        ObjectNode report = run(options);
        Files.createDirectories(options.out.toAbsolutePath().getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(options.out.toFile(), report);
        print(report);
        System.out.println("wrote " + options.out);
    }

    // ---------------------------------------------------------------- the evaluation

    static ObjectNode run(Options options) throws IOException {
        Table table = Gsm8kData.read(options.data);
        List<Question> questions = table.questions();
        if (options.limit > 0 && options.limit < questions.size()) {
            questions = questions.subList(0, options.limit);
        }
        if (questions.size() < options.folds * 2) {
            throw new IllegalArgumentException("--folds " + options.folds + " needs at least " + options.folds * 2
                    + " questions, found " + questions.size());
        }
        boolean cheapIsA = table.modelA().toLowerCase(Locale.ROOT).contains("mixtral");
        String cheap = cheapIsA ? table.modelA() : table.modelB();
        String strong = cheapIsA ? table.modelB() : table.modelA();
        int n = questions.size();
        boolean[] strongRight = new boolean[n];
        boolean[] cheapRight = new boolean[n];
        List<RewardRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Question q = questions.get(i);
            strongRight[i] = cheapIsA ? q.correctB() : q.correctA();
            cheapRight[i] = cheapIsA ? q.correctA() : q.correctB();
            Map<String, Double> rewards = new LinkedHashMap<>();
            rewards.put(strong, strongRight[i] ? 1.0 : 0.0);
            rewards.put(cheap, cheapRight[i] ? 1.0 : 0.0);
            records.add(RewardRecord.of(q.prompt(), rewards));
        }
        int[] fold = folds(n, options.folds, options.seed);

        ObjectNode report = new ObjectMapper().createObjectNode();
        ObjectNode settings = report.putObject("settings");
        settings.put("data", table.source());
        settings.put("questions", n);
        settings.put("strong_model", strong);
        settings.put("cheap_model", cheap);
        settings.put("folds", options.folds);
        settings.put("seed", options.seed);
        settings.put("encoder", MiniLmEncoder.ID);
        settings.put("clusters", options.clusters);
        settings.put("beta_with_tags", options.beta);
        settings.put("epochs", options.epochs);
        settings.put("rewards", "correctness: 1 if the model's answer was correct, else 0");

        ObjectNode baselines = report.putObject("baselines");
        double accStrong = mean(strongRight);
        double accCheap = mean(cheapRight);
        baselines.put("always_strong", round(accStrong));
        baselines.put("always_cheap", round(accCheap));
        baselines.put("random", round((accStrong + accCheap) / 2));
        boolean[] either = new boolean[n];
        for (int i = 0; i < n; i++) {
            either[i] = strongRight[i] || cheapRight[i];
        }
        baselines.put("oracle", round(mean(either)));

        HeadConfig head =
                HeadConfig.builder().epochs(options.epochs).seed(options.seed).build();
        ObjectNode h = settings.putObject("head");
        h.put("hidden", head.hidden());
        h.put("dropout", head.dropout());
        h.put("learning_rate", head.learningRate());
        h.put("weight_decay", head.weightDecay());
        h.put("epochs", head.epochs());
        h.put("batch_size", head.batchSize());
        h.put("validation_share", head.validationShare());
        h.put("patience", head.patience());
        // The router's outputs, in this order: strong model first (as in each record's rewards).
        List<String> llms = List.of(strong, cheap);
        ArrayNode routers = report.putArray("routers");
        Path saved = Files.createTempDirectory("router-eval");
        try (MiniLmEncoder minilm =
                        options.minilmCache == null ? MiniLmEncoder.load() : MiniLmEncoder.load(options.minilmCache);
                CachingEncoder encoder = CachingEncoder.wrap(minilm, n + 16)) {
            List<String> queries = new ArrayList<>(n);
            records.forEach(r -> queries.add(r.query()));
            long t0 = System.nanoTime();
            encoder.encode(queries);
            settings.put("encode_all_queries_s", round((System.nanoTime() - t0) * 1e-9));

            Variant[] variants = {
                new Variant("router", "no tags (beta 1)", 0, 1.0),
                new Variant(
                        "router_cluster_tags",
                        options.clusters + " embedding clusters as tags (beta " + options.beta + ")",
                        options.clusters,
                        options.beta)
            };
            for (Variant variant : variants) {
                long start = System.nanoTime();
                double[] pCheap = new double[n];
                double[] confidence = new double[n];
                boolean[] choseCheap = new boolean[n];
                ArrayNode foldReports = new ArrayNode(null);
                for (int f = 0; f < options.folds; f++) {
                    List<RewardRecord> train = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        if (fold[i] != f) {
                            train.add(records.get(i));
                        }
                    }
                    if (variant.clusters > 0) {
                        List<String> trainQueries = new ArrayList<>();
                        train.forEach(r -> trainQueries.add(r.query()));
                        ClusterTagger tagger = ClusterTagger.fit(encoder, trainQueries, variant.clusters, options.seed);
                        train = RewardRecords.withTags(train, tagger);
                    }
                    SoftLabels labels = SoftLabels.builder().beta(variant.beta).build();
                    try (ZooterRouter router = ZooterRouter.train(encoder, train, llms, labels, head)) {
                        for (int i = 0; i < n; i++) {
                            if (fold[i] == f) {
                                RouteDecision d = router.route(records.get(i).query());
                                pCheap[i] = d.probability(cheap);
                                confidence[i] = d.confidence();
                                choseCheap[i] = d.chosen().equals(cheap);
                            }
                        }
                        foldReports.add(foldReport(f, train.size(), router.metrics()));
                        if (f == options.folds - 1 && variant.clusters == 0) {
                            router.save(saved);
                        }
                    }
                }
                ObjectNode v = routers.addObject();
                v.put("name", variant.name);
                v.put("labels", variant.description);
                v.put("train_and_route_all_folds_s", round((System.nanoTime() - start) * 1e-9));
                evaluate(v, pCheap, confidence, choseCheap, strongRight, cheapRight, accStrong, accCheap);
                v.set("folds", foldReports);
            }
            if (options.latencyQueries > 0) {
                latency(report.putArray("routing_cost"), saved, minilm, questions, strong, cheap, options);
            }
        } finally {
            deleteTree(saved);
        }
        return report;
    }

    private record Variant(String name, String description, int clusters, double beta) {}

    /** Fold of each question: a seeded shuffle dealt round-robin into {@code k} folds ({@link Folds#assign}). */
    static int[] folds(int n, int k, long seed) {
        return Folds.assign(n, k, seed);
    }

    private static ObjectNode foldReport(int f, int trainRows, TrainingMetrics m) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("fold", f);
        o.put("train_records", trainRows);
        o.put("epochs_run", m.epochsRun());
        o.put("best_epoch", m.bestEpoch());
        o.put("train_loss", round(m.trainLoss()));
        if (!Double.isNaN(m.validationLoss())) {
            o.put("validation_loss", round(m.validationLoss()));
            o.put("validation_accuracy", round(m.validationAccuracy()));
        }
        return o;
    }

    /** Accuracy of the router's choice, the cost curve, PGR, CPT and the adaptive bound. */
    static void evaluate(
            ObjectNode out,
            double[] pCheap,
            double[] confidence,
            boolean[] choseCheap,
            boolean[] strongRight,
            boolean[] cheapRight,
            double accStrong,
            double accCheap) {
        int n = pCheap.length;
        int right = 0;
        int toCheap = 0;
        for (int i = 0; i < n; i++) {
            right += (choseCheap[i] ? cheapRight[i] : strongRight[i]) ? 1 : 0;
            toCheap += choseCheap[i] ? 1 : 0;
        }
        out.put("accuracy", round((double) right / n));
        out.put("share_to_cheap", round((double) toCheap / n));

        // Questions by router preference for the cheap model, most preferred first (ties by index).
        List<Integer> byPreference = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byPreference.add(i);
        }
        byPreference.sort((a, b) -> a.equals(b)
                ? 0
                : pCheap[a] != pCheap[b] ? Double.compare(pCheap[b], pCheap[a]) : Integer.compare(a, b));
        // accuracyAt[k]: the k most cheap-leaning questions go to the cheap model.
        double[] accuracyAt = new double[n + 1];
        int correct = 0;
        for (boolean r : strongRight) {
            correct += r ? 1 : 0;
        }
        accuracyAt[0] = (double) correct / n;
        for (int k = 1; k <= n; k++) {
            int i = byPreference.get(k - 1);
            correct += (cheapRight[i] ? 1 : 0) - (strongRight[i] ? 1 : 0);
            accuracyAt[k] = (double) correct / n;
        }
        double gap = accStrong - accCheap;
        ArrayNode curve = out.putArray("curve");
        List<CurvePoint> points = new ArrayList<>();
        for (int step = 0; step <= CURVE_STEPS; step++) {
            double share = (double) step / CURVE_STEPS;
            int k = (int) Math.round(share * n);
            double acc = accuracyAt[k];
            double pgr = gap == 0 ? 0 : GapRecovery.pgr(acc, accCheap, accStrong);
            // cost axis: the share of calls to the strong model
            points.add(new CurvePoint(1, 1 - share, acc, "share to cheap " + share));
            ObjectNode point = curve.addObject();
            point.put("share_to_cheap", round(share));
            point.put("accuracy", round(acc));
            point.put("random_accuracy", round((1 - share) * accStrong + share * accCheap));
            point.put("pgr", round(pgr));
        }
        // RouteLLM's APGR: the mean PGR over the evenly spaced thresholds, the trapezoid area of the curve
        double apgr = gap == 0
                ? 0
                : GapRecovery.of(new CostCurve("router", CostAxis.COST, points), accCheap, accStrong)
                        .apgr();
        out.put("apgr", round(apgr));
        out.put("strong_share_for_50pct_pgr", round(strongShareFor(0.5, accuracyAt, accCheap, gap)));
        out.put("strong_share_for_80pct_pgr", round(strongShareFor(0.8, accuracyAt, accCheap, gap)));
        int bestK = 0;
        for (int k = 1; k <= n; k++) {
            if (accuracyAt[k] > accuracyAt[bestK]) {
                bestK = k;
            }
        }
        out.put("best_accuracy_on_curve", round(accuracyAt[bestK]));
        out.put("share_to_cheap_at_best", round((double) bestK / n));

        ArrayNode adaptive = out.putArray("adaptive_with_perfect_ranker");
        for (int step = 0; step <= CURVE_STEPS; step++) {
            double target = (double) step / CURVE_STEPS;
            ConfidenceCalibration c = ConfidenceCalibration.forSingleCallShare(confidence, target);
            int ok = 0;
            int calls = 0;
            for (int i = 0; i < n; i++) {
                if (confidence[i] >= c.threshold()) {
                    calls += 1;
                    ok += (choseCheap[i] ? cheapRight[i] : strongRight[i]) ? 1 : 0;
                } else {
                    calls += 2;
                    ok += strongRight[i] || cheapRight[i] ? 1 : 0;
                }
            }
            ObjectNode point = adaptive.addObject();
            point.put("target_single_share", round(target));
            point.put("threshold", round(c.threshold()));
            point.put("single_share", round(c.achievedShare()));
            point.put("calls_per_query", round((double) calls / n));
            point.put("accuracy", round((double) ok / n));
        }
    }

    /** The smallest share of strong-model calls at which the curve reaches the given PGR. */
    private static double strongShareFor(double pgr, double[] accuracyAt, double accCheap, double gap) {
        int n = accuracyAt.length - 1;
        for (int k = n; k >= 0; k--) { // k questions to the cheap model: n - k to the strong one
            if (gap != 0 && (accuracyAt[k] - accCheap) / gap >= pgr) {
                return (double) (n - k) / n;
            }
        }
        return 1.0;
    }

    /** Router latency per query against one PairRanker full pass over the query's two answers. */
    private static void latency(
            ArrayNode out,
            Path savedRouter,
            MiniLmEncoder minilm,
            List<Question> questions,
            String strong,
            String cheap,
            Options options) {
        List<Path> rankers = new ArrayList<>(options.rankers);
        if (rankers.isEmpty()) {
            return;
        }
        try (ZooterRouter router = ZooterRouter.load(savedRouter, minilm, List.of(strong, cheap))) {
            for (Path dir : rankers) {
                try (PairRanker ranker = PairRanker.load(dir)) {
                    int q = Math.min(options.latencyQueries, questions.size());
                    for (int w = 0; w < Math.min(3, q); w++) {
                        Question question = questions.get(w);
                        router.route(question.prompt());
                        ranker.rank(question.prompt(), List.of(question.answerA(), question.answerB()));
                    }
                    long[] routeNanos = new long[q];
                    long[] rankNanos = new long[q];
                    for (int i = 0; i < q; i++) {
                        Question question = questions.get(i);
                        long t0 = System.nanoTime();
                        router.route(question.prompt());
                        long t1 = System.nanoTime();
                        ranker.rank(question.prompt(), List.of(question.answerA(), question.answerB()));
                        long t2 = System.nanoTime();
                        routeNanos[i] = t1 - t0;
                        rankNanos[i] = t2 - t1;
                    }
                    long route = BenchStats.median(routeNanos);
                    long rank = BenchStats.median(rankNanos);
                    ObjectNode o = out.addObject();
                    o.put("ranker", dir.toString());
                    o.put("ranker_max_row_tokens", ranker.maxRowLength());
                    o.put("queries", q);
                    o.put("router_ms_median", BenchStats.round(route * 1e-6, 2));
                    o.put("ranker_full_pass_ms_median", BenchStats.round(rank * 1e-6, 2));
                    o.put("router_over_ranker", BenchStats.round((double) route / rank, 3));
                }
            }
        }
    }

    // ---------------------------------------------------------------- output

    private static void print(ObjectNode report) {
        ObjectNode s = (ObjectNode) report.get("settings");
        ObjectNode b = (ObjectNode) report.get("baselines");
        System.out.printf(
                Locale.ROOT,
                "GSM8K routing, %d questions, %d-fold cross-validation, %s vs %s%n",
                s.get("questions").asInt(),
                s.get("folds").asInt(),
                s.get("strong_model").asText(),
                s.get("cheap_model").asText());
        System.out.printf(Locale.ROOT, "%-34s %8s %14s%n", "system", "accuracy", "share to cheap");
        System.out.printf(
                Locale.ROOT,
                "%-34s %8.3f %14s%n",
                "always strong",
                b.get("always_strong").asDouble(),
                "0.00");
        System.out.printf(
                Locale.ROOT,
                "%-34s %8.3f %14s%n",
                "always cheap",
                b.get("always_cheap").asDouble(),
                "1.00");
        System.out.printf(
                Locale.ROOT, "%-34s %8.3f %14s%n", "random", b.get("random").asDouble(), "0.50");
        System.out.printf(
                Locale.ROOT, "%-34s %8.3f %14s%n", "oracle", b.get("oracle").asDouble(), "-");
        for (var r : report.get("routers")) {
            System.out.printf(
                    Locale.ROOT,
                    "%-34s %8.3f %14.2f   APGR %.3f, strong calls for 50%%/80%% PGR: %.2f/%.2f%n",
                    r.get("name").asText() + " (argmax)",
                    r.get("accuracy").asDouble(),
                    r.get("share_to_cheap").asDouble(),
                    r.get("apgr").asDouble(),
                    r.get("strong_share_for_50pct_pgr").asDouble(),
                    r.get("strong_share_for_80pct_pgr").asDouble());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-15s", "share to cheap");
        for (var p : report.get("routers").get(0).get("curve")) {
            System.out.printf(Locale.ROOT, " %5.1f", p.get("share_to_cheap").asDouble());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-15s", "random");
        for (var p : report.get("routers").get(0).get("curve")) {
            System.out.printf(Locale.ROOT, " %5.3f", p.get("random_accuracy").asDouble());
        }
        System.out.println();
        for (var r : report.get("routers")) {
            System.out.printf(
                    Locale.ROOT, "%-15s", r.get("name").asText().replace("router_cluster_tags", "router+tags"));
            for (var p : r.get("curve")) {
                System.out.printf(Locale.ROOT, " %5.3f", p.get("accuracy").asDouble());
            }
            System.out.println();
        }
        System.out.println();
        System.out.println("adaptive (router without tags; unsure -> both LLMs, perfect ranker: an upper bound)");
        System.out.printf(Locale.ROOT, "%-15s", "single share");
        for (var p : report.get("routers").get(0).get("adaptive_with_perfect_ranker")) {
            System.out.printf(Locale.ROOT, " %5.2f", p.get("single_share").asDouble());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-15s", "calls/query");
        for (var p : report.get("routers").get(0).get("adaptive_with_perfect_ranker")) {
            System.out.printf(Locale.ROOT, " %5.2f", p.get("calls_per_query").asDouble());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-15s", "accuracy");
        for (var p : report.get("routers").get(0).get("adaptive_with_perfect_ranker")) {
            System.out.printf(Locale.ROOT, " %5.3f", p.get("accuracy").asDouble());
        }
        System.out.println();
        if (report.has("routing_cost")) {
            System.out.println();
            for (var c : report.get("routing_cost")) {
                System.out.printf(
                        Locale.ROOT,
                        "routing %.2f ms vs one full PairRanker pass over 2 answers %.2f ms"
                                + " (%s, rows of %d tokens): ratio %.3f%n",
                        c.get("router_ms_median").asDouble(),
                        c.get("ranker_full_pass_ms_median").asDouble(),
                        c.get("ranker").asText(),
                        c.get("ranker_max_row_tokens").asInt(),
                        c.get("router_over_ranker").asDouble());
            }
        }
    }

    private static double mean(boolean[] values) {
        int t = 0;
        for (boolean v : values) {
            t += v ? 1 : 0;
        }
        return (double) t / values.length;
    }

    private static double round(double v) {
        return BenchStats.round(v, 4);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---------------------------------------------------------------- options

    /** The command line: the options described in the class documentation. */
    @Command(
            name = "RouterEvaluation",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            sortOptions = false,
            usageHelpAutoWidth = true,
            description = {
                "Evaluates the reward-guided router on GSM8K answers of GPT-4 and Mixtral under k-fold"
                        + " cross-validation, and times routing against one PairRanker pass; writes a JSON report and prints"
                        + " a table.",
                "Default paths resolve against the repository root (found by walking up from the working"
                        + " directory); paths given as options resolve against the working directory."
            })
    static final class Options implements BenchArgs.Checked {
        private static final Path ROOT = BenchArgs.repositoryRoot();

        @Option(
                names = "--data",
                paramLabel = "FILE",
                description = "A CSV with the bundled data's columns (default: the bundled GSM8K answers).")
        Path data;

        @Option(
                names = "--folds",
                paramLabel = "K",
                description = "Cross-validation folds, at least 2 (default: ${DEFAULT-VALUE}).")
        int folds = 5;

        @Option(
                names = "--limit",
                paramLabel = "N",
                description = "The first N questions only; 0 for all (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(
                names = "--seed",
                paramLabel = "S",
                description = "Seed of the fold assignment, the heads' initialisation and the clusters"
                        + " (default: ${DEFAULT-VALUE}).")
        int seed;

        @Option(
                names = "--clusters",
                paramLabel = "K",
                description = "Embedding clusters used as tags (default: ${DEFAULT-VALUE}).")
        int clusters = 8;

        @Option(
                names = "--beta",
                paramLabel = "B",
                description = "Soft-label beta of the router with tags, in [0, 1] (default: ${DEFAULT-VALUE}).")
        double beta = SoftLabels.DEFAULT_BETA;

        @Option(
                names = "--epochs",
                paramLabel = "E",
                description = "Training epochs of each router head (default: ${DEFAULT-VALUE}).")
        int epochs = 50;

        @Option(
                names = "--latency-queries",
                paramLabel = "Q",
                description = "Questions timed for the routing cost; 0 to skip (default: ${DEFAULT-VALUE}).")
        int latencyQueries = 50;

        @Option(
                names = "--rankers",
                paramLabel = "DIR",
                split = "\\s*,\\s*",
                splitSynopsisLabel = ",",
                description = "Rankers the routing is timed against, comma-separated, or none (default: the tiny"
                        + " fixture and the base-sized model when made: ${DEFAULT-VALUE}).")
        List<Path> rankers = defaultRankers();

        @Option(
                names = "--minilm-cache",
                paramLabel = "DIR",
                description = "Where MiniLM's files are unpacked (default: the encoder's own).")
        Path minilmCache;

        @Option(names = "--out", paramLabel = "FILE", description = "The JSON report (default: ${DEFAULT-VALUE}).")
        Path out = ROOT.resolve("target/bench/router-gsm8k.json");

        private static List<Path> defaultRankers() {
            List<Path> rankers = new ArrayList<>();
            rankers.add(ROOT.resolve("models/pairranker"));
            Path base = ROOT.resolve("models/build/pairranker-base");
            if (Files.isRegularFile(base.resolve("ranker_config.json"))) {
                rankers.add(base);
            }
            return rankers;
        }

        /**
         * Parses and checks a command line.
         *
         * @throws ParameterException on an unknown option, a malformed value or a value out of range
         */
        static Options parse(String... args) {
            return BenchArgs.parse(new Options(), args);
        }

        @Override
        public void check(CommandLine cl) {
            BenchArgs.atLeast(cl, "--folds", folds, 2);
            BenchArgs.nonNegative(cl, "--limit", limit);
            BenchArgs.positive(cl, "--clusters", clusters);
            BenchArgs.fraction(cl, "--beta", beta);
            BenchArgs.positive(cl, "--epochs", epochs);
            BenchArgs.nonNegative(cl, "--latency-queries", latencyQueries);
            if (rankers.size() == 1 && BenchArgs.noneToNull(rankers.get(0)) == null) {
                rankers = new ArrayList<>();
            } else if (BenchArgs.given(cl, "--rankers")) {
                for (Path dir : rankers) {
                    BenchArgs.existingDir(cl, "--rankers", dir);
                }
            }
        }
    }
}
