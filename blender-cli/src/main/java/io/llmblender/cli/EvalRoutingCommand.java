package io.llmblender.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.error.FileContentException;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Rankings;
import io.llmblender.core.rank.ReferenceMode;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.eval.ReferenceMetric;
import io.llmblender.eval.dataset.DatasetException;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import io.llmblender.eval.dataset.Gsm8kData;
import io.llmblender.eval.dataset.Progress;
import io.llmblender.eval.routing.CostAxis;
import io.llmblender.eval.routing.CostCurve;
import io.llmblender.eval.routing.CostCurveSvg;
import io.llmblender.eval.routing.Folds;
import io.llmblender.eval.routing.Prices;
import io.llmblender.eval.routing.RankerMatrices;
import io.llmblender.eval.routing.RouterPredictions;
import io.llmblender.eval.routing.RoutingEvaluation;
import io.llmblender.eval.routing.RoutingReport;
import io.llmblender.eval.routing.RoutingReportFormat;
import io.llmblender.eval.routing.RoutingTable;
import io.llmblender.eval.routing.SystemRow;
import io.llmblender.ranker.PairRanker;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.CachingEncoder;
import io.llmblender.router.encode.QueryEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.label.ClusterTagger;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.RewardRecords;
import io.llmblender.router.label.SoftLabels;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blender eval-routing}: cross-validated routing evaluation of a dataset with N LLMs and a reference score,
 * with routers trained per fold and a pairwise ranker choosing among answers.
 *
 * <pre>
 * blender eval-routing --input DATA --metric NAME --json OUT [--folds K] [--prices FILE] [--ranker default|test|DIR|none]
 *     [--select-on FILE] [--top-k 2,3] [--ranker-cache FILE] [--llms A,B,..] [--tags none|clusters:K] [--epochs E]
 * </pre>
 *
 * <p><b>Input</b>: a MixInstruct JSONL ({@link DatasetRecord}; the routed LLMs are {@code --llms} or every model that
 * carries the metric on at least {@code --min-coverage} of the records, default 0.9, and records missing any of them
 * are left out and counted), or a CSV in RouteLLM's GSM8K layout ({@link Gsm8kData}, the metric then being each
 * answer's correctness, 1 or 0). The query is {@code instruction + input}.
 *
 * <p><b>What runs</b>: the queries are dealt into {@code --folds} folds by a seeded shuffle ({@link Folds}); for each
 * fold two Zooter routers ({@link ZooterRouter}, MiniLM encoder, {@code --epochs}, seed {@code --seed}) train on the
 * other folds and route the fold's queries: {@code router (reference scores)} on the dataset's scores as rewards
 * (negated for {@code --lower-is-better}), and {@code router (ranker rewards)} on the ranker's rank-with-reference
 * rewards (reference = the longest answer, LLM-Blender's default: {@code -(M[ref][c] - M[c][ref])}, the rewards of
 * {@link io.llmblender.router.label.RewardPipeline}), no judge needed. The ranker ({@code --ranker}, default the
 * shipped one) scores the 2(N-1) reference pairs of every query, and the full N(N-1) pairs of the queries whose ids
 * appear in {@code --select-on} (default: every query), on which the ranker's pick among all N, the router's top-k
 * with the ranker choosing and the adaptive mode are evaluated. {@code --ranker none} skips the ranker and its router.
 * {@code --ranker-cache FILE} keeps every scored matrix (JSONL, appended as it goes), so a stopped or repeated run
 * scores only what is missing. Then {@link RoutingEvaluation} compares the systems.
 *
 * <p><b>Thresholds</b>: every router calibrates its confidence on its fold's training records
 * ({@link ZooterRouter#confidenceTemperature()}, cross-fitted on {@code --calibration-folds} folds of them, default 5); for each {@code --thresholds} value and each {@code --shares} share
 * (turned into a threshold by {@link ZooterRouter#thresholdForShare} on the fold's training queries) a table gives,
 * out of fold, the share of queries routed (confidence at or above the threshold), how often the pick was a best LLM
 * and its mean score on the routed queries, and, with a ranker, the adaptive mode over the fully ranked queries with
 * the first {@code --top-k} (routed: the router's pick, one call; else the ranker's pick among the top-k): calls per
 * query and mean score. In the JSON report under {@code thresholds}.
 *
 * <p><b>Output</b>: the tables of {@link RoutingReportFormat#table} on standard output; {@code --json OUT} the report
 * ({@link RoutingReportFormat#json}) with {@code settings}; beside it, {@code OUT} with {@code .svg} for {@code .json},
 * the adaptive curves (calls per query against mean score) with the best single LLM, the oracle and the ranker's pick
 * as dashed lines, and, with {@code --prices}, a second chart ({@code -cost.svg}) of the price-weighted routing curves
 * with every LLM as a point. Progress goes to standard error.
 *
 * <p>Exit codes as {@link BlenderCli}: 0; 1 for a bad input, prices or cache line (naming file and line) or too few
 * queries; 2 for a usage error.
 */
@Command(
        name = "eval-routing",
        mixinStandardHelpOptions = true,
        description = {
            "Cross-validated routing evaluation over a dataset with N LLMs and a reference score: each LLM"
                    + " alone, random, oracle, routers trained per fold on the reference scores and on the ranker's own"
                    + " rewards, the ranker's pick, the router's top-k with the ranker choosing, the adaptive mode; cost curves"
                    + " with APGR and the cost of 50%%/80%% of the gap; JSON and SVG."
        })
final class EvalRoutingCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The name of the router trained on the dataset's scores. */
    static final String JUDGE_ROUTER = "router (reference scores)";

    /** The name of the router trained on the ranker's rewards. */
    static final String RANKER_ROUTER = "router (ranker rewards)";

    @Spec
    CommandSpec spec;

    /** The loaded ranker's name, set when it loads. */
    private String rankerName = "";

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "MixInstruct JSONL, or a CSV in RouteLLM's GSM8K layout (metric: correct).")
    Path input;

    @Option(
            names = "--metric",
            paramLabel = "NAME",
            description = "The reference score: candidates[i].scores[NAME] (required for JSONL; a CSV's is 'correct').")
    String metric;

    @Option(names = "--lower-is-better", description = "Smaller reference values are better (a loss).")
    boolean lowerIsBetter;

    @Option(
            names = "--json",
            required = true,
            paramLabel = "OUT",
            description = "The JSON report; the SVG goes beside it.")
    Path json;

    @Option(
            names = "--folds",
            defaultValue = "5",
            paramLabel = "K",
            description = "Cross-validation folds (default ${DEFAULT-VALUE}).")
    int folds;

    @Option(
            names = "--seed",
            defaultValue = "0",
            paramLabel = "S",
            description = "Seed of folds, heads and clusters (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--prices", paramLabel = "FILE", description = "model,price per line: cost in money besides calls.")
    Path prices;

    @Option(
            names = "--price-unit",
            defaultValue = "price per call",
            paramLabel = "TEXT",
            description = "What the prices count, for the report (default: ${DEFAULT-VALUE}).")
    String priceUnit;

    @Option(
            names = "--ranker",
            defaultValue = ModelOptions.DEFAULT,
            paramLabel = "default|test|DIR|none",
            description =
                    "The pairwise ranker, a PairRanker (default: the zero-shot MiniLM ranker); none for routers on"
                            + " reference scores only.")
    String ranker;

    @Option(
            names = "--select-on",
            paramLabel = "FILE",
            description = "A JSONL whose records' ids pick the queries"
                    + " the ranker scores fully (all N(N-1) pairs); default: every query.")
    Path selectOn;

    @Option(
            names = "--top-k",
            split = ",",
            paramLabel = "K",
            description = "Fan-out sizes of the adaptive mode, each in [2, N] (default: 2,3, those up to N).")
    List<Integer> topK;

    @Option(names = "--ranker-cache", paramLabel = "FILE", description = "Keep and reuse the ranker's matrices here.")
    Path rankerCache;

    @Option(
            names = "--llms",
            split = "\\s*,\\s*",
            paramLabel = "NAME",
            description = "The LLMs to route between"
                    + " (default: every model scored on at least --min-coverage of the records).")
    List<String> llms;

    @Option(
            names = "--min-coverage",
            defaultValue = "0.9",
            paramLabel = "SHARE",
            description = "See --llms (default ${DEFAULT-VALUE}).")
    double minCoverage;

    @Option(
            names = "--tags",
            defaultValue = "none",
            paramLabel = "none|clusters:K",
            description = "Label enhancement"
                    + " tags of the routers: none (default, beta 1) or K clusters of query embeddings (beta --beta).")
    String tags;

    @Option(
            names = "--beta",
            defaultValue = "0.3",
            description = "Soft-label beta with tags (default ${DEFAULT-VALUE}).")
    double beta;

    @Option(
            names = "--epochs",
            defaultValue = "50",
            description = "At most this many epochs per router (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--steps",
            defaultValue = "20",
            description = "Points of each adaptive curve minus one (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--thresholds",
            split = ",",
            defaultValue = "0.5,0.62,0.75,0.9",
            paramLabel = "P",
            description = "Adaptive confidence thresholds to report, each in [0, 1] (default ${DEFAULT-VALUE}).")
    List<Double> thresholds;

    @Option(
            names = "--shares",
            split = ",",
            defaultValue = "0.25,0.5,0.75",
            paramLabel = "S",
            description = "Shares of queries to route, each in [0, 1], turned into a threshold on each fold's training"
                    + " queries (default ${DEFAULT-VALUE}).")
    List<Double> shares;

    @Option(
            names = "--calibration-folds",
            defaultValue = "5",
            paramLabel = "K",
            description = "Each router cross-fits its confidence calibration on K folds of its training records, or 0"
                    + " to fit it on them directly (default ${DEFAULT-VALUE}).")
    int calibrationFolds;

    @Option(
            names = "--batch",
            defaultValue = "4",
            description = "Queries per ranker request (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--encoder",
            defaultValue = "minilm",
            description = "The routers' query encoder: minilm, bge-zh or a TorchScriptEncoder directory (default"
                    + " ${DEFAULT-VALUE}).")
    String encoderOption;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        check();
        RoutingTable table = table();
        int n = table.llms().size();
        if (topK == null) {
            topK = n >= 3 ? List.of(2, 3) : List.of(2);
        }
        for (int k : topK) {
            if (k < 2 || k > n) {
                throw new ParameterException(
                        spec.commandLine(), "--top-k must be in [2, " + n + "] for the " + n + " LLMs, found " + k);
            }
        }
        if (table.size() < folds * 2) {
            throw new IllegalArgumentException("--folds " + folds + " needs at least " + 2 * folds + " queries, "
                    + input + " has " + table.size() + " usable");
        }
        err.println("routing " + table.size() + " queries between " + n + " LLMs"
                + (table.dropped() > 0 ? " (" + table.dropped() + " records left out: some LLM lacks the metric)" : "")
                + ": " + table.llms());
        Prices price = prices == null
                ? Prices.calls(table.llms())
                : Prices.read(prices, priceUnit).requireAll(table.llms());

        boolean useRanker = !ranker.equals("none");
        Set<Integer> full = fullQueries(table);
        Map<Integer, PairwiseMatrix> matrices = useRanker ? score(table, full, err) : Map.of();

        int[] fold = Folds.assign(table.size(), folds, seed);
        List<RouterPredictions> routers = new ArrayList<>();
        List<CrossValidated> validated = new ArrayList<>();
        List<RewardRecord> judge = new ArrayList<>();
        List<RewardRecord> rewarded = new ArrayList<>();
        for (int q = 0; q < table.size(); q++) {
            Map<String, Double> r = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                r.put(table.llms().get(i), table.good(q, i));
            }
            judge.add(RewardRecord.of(table.queries().get(q), r));
            if (useRanker) {
                double[] rw = rewards(table, q, matrices.get(q));
                Map<String, Double> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    m.put(table.llms().get(i), rw[i]);
                }
                rewarded.add(RewardRecord.of(table.queries().get(q), m));
            }
        }
        SoftLabels labels =
                SoftLabels.builder().beta(clusters() > 0 ? beta : 1.0).build();
        HeadConfig head = HeadConfig.builder().epochs(epochs).seed(seed).build();
        try (QueryEncoder base = ModelOptions.encoder(encoderOption, "--encoder");
                CachingEncoder encoder = CachingEncoder.wrap(base, table.size() + 16)) {
            long t0 = System.nanoTime();
            encoder.encode(table.queries());
            err.printf(Locale.ROOT, "encoded %d queries in %.1f s%n", table.size(), (System.nanoTime() - t0) / 1e9);
            validated.add(crossValidate(JUDGE_ROUTER, judge, table, fold, encoder, labels, head, err));
            if (useRanker) {
                validated.add(crossValidate(RANKER_ROUTER, rewarded, table, fold, encoder, labels, head, err));
            }
        }
        for (CrossValidated v : validated) {
            routers.add(v.predictions());
        }
        Optional<RankerMatrices> ranked = Optional.empty();
        if (useRanker && !full.isEmpty()) {
            Map<Integer, double[][]> logits = new LinkedHashMap<>();
            for (int q : full) {
                logits.put(q, matrices.get(q).toArray());
            }
            ranked = Optional.of(RankerMatrices.of(rankerName, logits));
        }
        RoutingReport report = RoutingEvaluation.evaluate(table, price, routers, ranked, topK, steps);
        for (String line : RoutingReportFormat.table(report)) {
            out.println(line);
        }
        List<ThresholdRow> thresholdRows = thresholdRows(table, validated, ranked, topK.get(0));
        out.println();
        printThresholds(out, thresholdRows, topK.get(0), ranked.isPresent());
        ObjectNode o = JSON.createObjectNode();
        ObjectNode settings = o.putObject("settings");
        settings.put("input", input.toString());
        settings.put("queries", table.size());
        settings.put("records_left_out", table.dropped());
        settings.put("folds", folds);
        settings.put("seed", seed);
        settings.put("ranker", useRanker ? rankerName + " (" + ModelOptions.describe(ranker) + ")" : "none");
        settings.put("ranker_fully_scored_queries", useRanker ? full.size() : 0);
        settings.put("select_on", selectOn == null ? "every query" : selectOn.toString());
        settings.put("ranker_rewards", "rank-with-reference, reference = the longest answer");
        settings.put("encoder", "all-MiniLM-L6-v2");
        settings.put("tags", tags);
        settings.put("beta", clusters() > 0 ? beta : 1.0);
        settings.put("epochs", epochs);
        settings.put("calibration_folds", calibrationFolds);
        settings.put("prices", prices == null ? "none (cost = calls)" : prices.toString());
        ArrayNode ks = settings.putArray("top_k");
        topK.forEach(ks::add);
        ArrayNode ts = settings.putArray("thresholds");
        thresholds.forEach(ts::add);
        ArrayNode ss = settings.putArray("shares");
        shares.forEach(ss::add);
        settings.put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
        o.setAll(RoutingReportFormat.json(report));
        o.set("thresholds", thresholdsJson(thresholdRows, validated, topK.get(0)));
        write(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
        Path svg = sibling(json, ".svg");
        write(svg, adaptiveChart(report, n));
        out.println();
        out.println("wrote " + json + " and " + svg);
        if (prices != null) {
            Path cost = sibling(json, "-cost.svg");
            write(cost, costChart(report));
            out.println("wrote " + cost);
        }
        out.flush();
        err.flush();
        return 0;
    }

    private void check() {
        if (folds < 2) {
            throw new ParameterException(spec.commandLine(), "--folds must be at least 2, found " + folds);
        }
        if (epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs must be at least 1, found " + epochs);
        }
        if (steps < 1) {
            throw new ParameterException(spec.commandLine(), "--steps must be at least 1, found " + steps);
        }
        if (batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be at least 1, found " + batch);
        }
        if (!(minCoverage >= 0 && minCoverage <= 1)) {
            throw new ParameterException(spec.commandLine(), "--min-coverage must be in [0, 1], found " + minCoverage);
        }
        if (!(beta >= 0 && beta <= 1)) {
            throw new ParameterException(spec.commandLine(), "--beta must be in [0, 1], found " + beta);
        }
        if (calibrationFolds < 0 || calibrationFolds == 1) {
            throw new ParameterException(
                    spec.commandLine(), "--calibration-folds must be 0 or at least 2, found " + calibrationFolds);
        }
        for (double t : thresholds) {
            if (!(t >= 0 && t <= 1)) {
                throw new ParameterException(spec.commandLine(), "--thresholds must each be in [0, 1], found " + t);
            }
        }
        for (double s : shares) {
            if (!(s >= 0 && s <= 1)) {
                throw new ParameterException(spec.commandLine(), "--shares must each be in [0, 1], found " + s);
            }
        }
        clusters();
    }

    private int clusters() {
        if (tags.equals("none")) {
            return 0;
        }
        if (tags.startsWith("clusters:")) {
            try {
                int k = Integer.parseInt(tags.substring("clusters:".length()));
                if (k >= 1) {
                    return k;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new ParameterException(
                spec.commandLine(), "--tags must be none or clusters:K with K >= 1, found '" + tags + "'");
    }

    private RoutingTable table() throws IOException {
        if (input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            Gsm8kData.Table t = Gsm8kData.read(input);
            int m = t.questions().size();
            List<String> ids = new ArrayList<>();
            List<String> queries = new ArrayList<>();
            String[][] answers = new String[m][];
            double[][] scores = new double[m][];
            for (int q = 0; q < m; q++) {
                Gsm8kData.Question x = t.questions().get(q);
                ids.add(String.valueOf(q));
                queries.add(x.prompt());
                answers[q] = new String[] {x.answerA(), x.answerB()};
                scores[q] = new double[] {x.correctA() ? 1 : 0, x.correctB() ? 1 : 0};
            }
            return RoutingTable.of("correct", false, ids, queries, List.of(t.modelA(), t.modelB()), answers, scores);
        }
        if (metric == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--metric NAME is required for a JSONL input (a key of the candidates' scores)");
        }
        Datasets.Contents contents = Datasets.read(input, Datasets.OnBadLine.STOP);
        List<DatasetRecord> records = new ArrayList<>();
        contents.lines().forEach(l -> records.add(l.record()));
        if (records.isEmpty()) {
            throw new DatasetException(input, DatasetException.WHOLE_FILE, input + ": no records to evaluate");
        }
        try {
            return RoutingTable.from(
                    records, ReferenceMetric.of(metric, lowerIsBetter), llms == null ? List.of() : llms, minCoverage);
        } catch (IllegalArgumentException e) {
            throw new DatasetException(input, DatasetException.WHOLE_FILE, input + ": " + e.getMessage(), e);
        }
    }

    private Set<Integer> fullQueries(RoutingTable table) {
        Set<Integer> full = new java.util.TreeSet<>();
        if (selectOn == null) {
            for (int q = 0; q < table.size(); q++) {
                full.add(q);
            }
            return full;
        }
        Set<String> ids = new HashSet<>();
        Datasets.read(selectOn, Datasets.OnBadLine.STOP)
                .lines()
                .forEach(l -> ids.add(l.record().id()));
        for (int q = 0; q < table.size(); q++) {
            if (ids.contains(table.ids().get(q))) {
                full.add(q);
            }
        }
        return full;
    }

    /** The pairs a query needs: all of them, or the reference's row and column. */
    private static List<CandidatePair> needed(RoutingTable table, int q, boolean full) {
        int n = table.llms().size();
        int ref = Rankings.referenceIndex(table.answers(q), ReferenceMode.LONGEST);
        List<CandidatePair> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && (full || i == ref || j == ref)) {
                    pairs.add(new CandidatePair(i, j));
                }
            }
        }
        return pairs;
    }

    /** Rank-with-reference rewards, as {@link Rankings#rewardsAll} computes them, from a matrix. */
    static double[] rewards(RoutingTable table, int q, PairwiseMatrix m) {
        int ref = Rankings.referenceIndex(table.answers(q), ReferenceMode.LONGEST);
        double[] r = new double[table.llms().size()];
        for (int c = 0; c < r.length; c++) {
            r[c] = c == ref ? 0.0 : -(m.logit(ref, c) - m.logit(c, ref));
        }
        return r;
    }

    private Map<Integer, PairwiseMatrix> score(RoutingTable table, Set<Integer> full, PrintWriter err) {
        Map<String, PairwiseMatrix> cached = readCache(table);
        Map<Integer, PairwiseMatrix> out = new HashMap<>();
        List<Integer> todo = new ArrayList<>();
        int pairs = 0;
        try (PairRanker model = PairRanker.load(ModelOptions.ranker(ranker, "--ranker"))) {
            rankerName = model.name();
            for (int q = 0; q < table.size(); q++) {
                PairwiseMatrix c = cached.get(table.ids().get(q));
                List<CandidatePair> need = needed(table, q, full.contains(q));
                if (c != null && need.stream().allMatch(p -> c.isComputed(p.first(), p.second()))) {
                    out.put(q, c);
                } else {
                    todo.add(q);
                    pairs += need.size();
                }
            }
            err.println("ranker " + rankerName + ": " + (table.size() - todo.size()) + " queries from the cache, "
                    + todo.size() + " to score (" + pairs + " pairs)");
            if (todo.isEmpty()) {
                return out;
            }
            DatasetCommands.noteTestModel(err, ranker);
            long t0 = System.nanoTime();
            try (Progress progress = Progress.start("rank", todo.size(), err)) {
                for (int s = 0; s < todo.size(); s += batch) {
                    List<Integer> slice = todo.subList(s, Math.min(todo.size(), s + batch));
                    List<PairQuery> queries = new ArrayList<>();
                    for (int q : slice) {
                        // the table's query is instruction + input, what the rank command ranks against
                        queries.add(PairQuery.of(
                                table.queries().get(q), table.answers(q), needed(table, q, full.contains(q))));
                    }
                    List<PairwiseMatrix> got = model.scoreAll(queries);
                    for (int k = 0; k < slice.size(); k++) {
                        out.put(slice.get(k), got.get(k));
                        appendCache(table, slice.get(k), got.get(k));
                    }
                    progress.step(slice.size());
                }
            }
            err.printf(
                    Locale.ROOT,
                    "scored %d pairs in %.0f s (%.1f pairs/s)%n",
                    pairs,
                    (System.nanoTime() - t0) / 1e9,
                    pairs / ((System.nanoTime() - t0) / 1e9));
        }
        return out;
    }

    private Map<String, PairwiseMatrix> readCache(RoutingTable table) {
        Map<String, PairwiseMatrix> cached = new HashMap<>();
        if (rankerCache == null || !Files.exists(rankerCache)) {
            return cached;
        }
        int n = table.llms().size();
        List<String> lines;
        try {
            lines = Files.readAllLines(rankerCache, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FileContentException(
                    rankerCache,
                    FileContentException.WHOLE_FILE,
                    "cannot read " + rankerCache + ": " + e.getMessage(),
                    e);
        }
        String wanted = ranker;
        for (int k = 0; k < lines.size(); k++) {
            if (lines.get(k).isBlank()) {
                continue;
            }
            String where = rankerCache + ":" + (k + 1) + ": ";
            try {
                JsonNode o = JSON.readTree(lines.get(k));
                JsonNode logits = o.get("logits");
                if (!o.path("id").isTextual() || logits == null || !logits.isArray()) {
                    throw new IllegalArgumentException("expected {\"id\", \"ranker\", \"llms\", \"logits\"}");
                }
                if (!o.path("ranker_option").asText().equals(wanted)
                        || !JSON.convertValue(o.get("llms"), List.class).equals(table.llms())) {
                    continue; // another ranker or other LLMs: not usable here
                }
                if (logits.size() != n) {
                    throw new IllegalArgumentException(
                            "field 'logits' must have " + n + " rows, found " + logits.size());
                }
                PairwiseMatrix.Builder b = PairwiseMatrix.builder(n);
                for (int i = 0; i < n; i++) {
                    JsonNode row = logits.get(i);
                    if (!row.isArray() || row.size() != n) {
                        throw new IllegalArgumentException(
                                "field 'logits[" + i + "]' must have " + n + " entries, found " + row);
                    }
                    for (int j = 0; j < n; j++) {
                        if (i != j && row.get(j).isNumber()) {
                            b.set(i, j, row.get(j).asDouble());
                        } else if (i != j && !row.get(j).isNull()) {
                            throw new IllegalArgumentException("field 'logits[" + i + "][" + j + "]' must be a number"
                                    + " or null, found " + row.get(j));
                        }
                    }
                }
                cached.put(o.get("id").asText(), b.build());
            } catch (IOException | IllegalArgumentException e) {
                throw new FileContentException(rankerCache, k + 1, where + e.getMessage(), e);
            }
        }
        return cached;
    }

    private void appendCache(RoutingTable table, int q, PairwiseMatrix m) {
        if (rankerCache == null) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("id", table.ids().get(q));
        o.put("ranker", rankerName);
        o.put("ranker_option", ranker);
        ArrayNode names = o.putArray("llms");
        table.llms().forEach(names::add);
        ArrayNode rows = o.putArray("logits");
        for (int i = 0; i < m.size(); i++) {
            ArrayNode row = rows.addArray();
            for (int j = 0; j < m.size(); j++) {
                if (i != j && m.isComputed(i, j)) {
                    row.add(m.logit(i, j));
                } else {
                    row.addNull();
                }
            }
        }
        try {
            Path parent = rankerCache.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter w = Files.newBufferedWriter(
                    rankerCache, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                w.write(JSON.writeValueAsString(o));
                w.newLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + rankerCache + ": " + e.getMessage(), e);
        }
    }

    /**
     * A router's out-of-fold predictions, the confidence temperature each fold's router fitted, and for each of
     * {@code --shares} the threshold each query's fold router gives that share on its training queries.
     */
    @SuppressWarnings("ArrayRecordComponent") // private to this command, built once and only read
    private record CrossValidated(RouterPredictions predictions, double[] temperatures, double[][] shareThresholds) {}

    private CrossValidated crossValidate(
            String name,
            List<RewardRecord> records,
            RoutingTable table,
            int[] fold,
            CachingEncoder encoder,
            SoftLabels labels,
            HeadConfig head,
            PrintWriter err) {
        long t0 = System.nanoTime();
        double[][] p = new double[table.size()][];
        double[] temperatures = new double[folds];
        double[][] shareThresholds = new double[shares.size()][table.size()];
        for (int f = 0; f < folds; f++) {
            List<RewardRecord> train = new ArrayList<>();
            for (int q = 0; q < table.size(); q++) {
                if (fold[q] != f) {
                    train.add(records.get(q));
                }
            }
            if (clusters() > 0) {
                List<String> trainQueries = new ArrayList<>();
                train.forEach(r -> trainQueries.add(r.query()));
                train = RewardRecords.withTags(train, ClusterTagger.fit(encoder, trainQueries, clusters(), seed));
            }
            try (ZooterRouter router =
                    ZooterRouter.train(encoder, train, table.llms(), labels, head, calibrationFolds)) {
                temperatures[f] = router.confidenceTemperature();
                double[] foldThresholds = new double[shares.size()];
                for (int s = 0; s < foldThresholds.length; s++) {
                    foldThresholds[s] = router.thresholdForShare(shares.get(s)).threshold();
                }
                for (int q = 0; q < table.size(); q++) {
                    if (fold[q] == f) {
                        for (int s = 0; s < foldThresholds.length; s++) {
                            shareThresholds[s][q] = foldThresholds[s];
                        }
                        RouteDecision d = router.route(table.queries().get(q));
                        double[] row = new double[table.llms().size()];
                        for (int i = 0; i < row.length; i++) {
                            row[i] = d.probability(table.llms().get(i));
                        }
                        p[q] = row;
                    }
                }
            }
        }
        StringBuilder ts = new StringBuilder();
        for (double t : temperatures) {
            ts.append(String.format(Locale.ROOT, " %.3f", t));
        }
        err.printf(
                Locale.ROOT,
                "%s: %d folds trained and routed in %.1f s; confidence temperature per fold:%s%n",
                name,
                folds,
                (System.nanoTime() - t0) / 1e9,
                ts);
        return new CrossValidated(RouterPredictions.of(name, p), temperatures, shareThresholds);
    }

    /**
     * One line of the thresholds table: a router at a confidence threshold or a share, out of fold.
     *
     * @param router the router's name
     * @param share the share asked for, or NaN for a confidence threshold
     * @param threshold the threshold, or for a share the mean of the folds' thresholds
     * @param routed the share of queries whose confidence reached their threshold
     * @param pickBest how often the pick was a best LLM on the routed queries (NaN when none was routed)
     * @param routedScore the mean score of the pick on the routed queries (NaN when none was routed)
     * @param adaptiveCalls calls per query of the adaptive mode over the ranked queries (NaN without a ranker)
     * @param adaptiveScore its mean score (NaN without a ranker)
     */
    record ThresholdRow(
            String router,
            double share,
            double threshold,
            double routed,
            double pickBest,
            double routedScore,
            double adaptiveCalls,
            double adaptiveScore) {}

    private List<ThresholdRow> thresholdRows(
            RoutingTable table, List<CrossValidated> validated, Optional<RankerMatrices> ranked, int k) {
        List<ThresholdRow> rows = new ArrayList<>();
        for (CrossValidated v : validated) {
            for (double t : thresholds) {
                double[] perQuery = new double[table.size()];
                java.util.Arrays.fill(perQuery, t);
                rows.add(thresholdRow(table, v.predictions(), ranked, k, Double.NaN, t, perQuery));
            }
            for (int s = 0; s < shares.size(); s++) {
                double mean = 0;
                for (double t : v.shareThresholds()[s]) {
                    mean += t / table.size();
                }
                rows.add(thresholdRow(table, v.predictions(), ranked, k, shares.get(s), mean, v.shareThresholds()[s]));
            }
        }
        return rows;
    }

    private static ThresholdRow thresholdRow(
            RoutingTable table,
            RouterPredictions r,
            Optional<RankerMatrices> ranked,
            int k,
            double share,
            double shown,
            double[] threshold) {
        int routed = 0;
        int best = 0;
        double score = 0;
        for (int q = 0; q < table.size(); q++) {
            if (r.confidence(q) >= threshold[q]) {
                routed++;
                best += table.first(q, r.chosen(q)) ? 1 : 0;
                score += table.score(q, r.chosen(q));
            }
        }
        double calls = Double.NaN;
        double adaptive = Double.NaN;
        if (ranked.isPresent() && !ranked.get().queries().isEmpty()) {
            RankerMatrices m = ranked.get();
            calls = 0;
            adaptive = 0;
            for (int q : m.queries()) {
                boolean route = r.confidence(q) >= threshold[q];
                int pick = route ? r.chosen(q) : m.select(q, r.topK(q, k));
                calls += route ? 1 : r.topK(q, k).length;
                adaptive += table.score(q, pick);
            }
            calls /= m.queries().size();
            adaptive /= m.queries().size();
        }
        return new ThresholdRow(
                r.name(),
                share,
                shown,
                (double) routed / table.size(),
                routed == 0 ? Double.NaN : (double) best / routed,
                routed == 0 ? Double.NaN : score / routed,
                calls,
                adaptive);
    }

    private static void printThresholds(PrintWriter out, List<ThresholdRow> rows, int k, boolean ranker) {
        out.println("Adaptive thresholds, out of fold (confidence calibrated on each fold's training records; a share"
                + " becomes each fold's threshold on its training queries' calibrated confidences):");
        out.printf(
                Locale.ROOT,
                "%-28s %-20s %7s %10s %8s%s%n",
                "router",
                "threshold",
                "routed",
                "pick best",
                "score",
                ranker ? String.format(Locale.ROOT, " %13s %8s", "top-" + k + " calls", "score") : "");
        out.printf(
                Locale.ROOT,
                "%-28s %-20s %7s %10s %8s%s%n",
                "",
                "",
                "",
                "(routed)",
                "(routed)",
                ranker ? String.format(Locale.ROOT, " %13s %8s", "(adaptive)", "") : "");
        for (ThresholdRow r : rows) {
            String threshold = Double.isNaN(r.share())
                    ? String.format(Locale.ROOT, "%.2f", r.threshold())
                    : String.format(Locale.ROOT, "share %.2f (%.3f)", r.share(), r.threshold());
            out.printf(
                    Locale.ROOT,
                    "%-28s %-20s %7.3f %10s %8s%s%n",
                    r.router(),
                    threshold,
                    r.routed(),
                    number(r.pickBest()),
                    number(r.routedScore()),
                    ranker
                            ? String.format(
                                    Locale.ROOT, " %13s %8s", number(r.adaptiveCalls()), number(r.adaptiveScore()))
                            : "");
        }
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static ArrayNode thresholdsJson(List<ThresholdRow> rows, List<CrossValidated> validated, int k) {
        ArrayNode a = JSON.createArrayNode();
        for (ThresholdRow r : rows) {
            ObjectNode o = a.addObject();
            o.put("router", r.router());
            if (Double.isNaN(r.share())) {
                o.put("threshold", r.threshold());
            } else {
                o.put("share", r.share());
                o.put("mean_threshold", r.threshold());
            }
            o.put("routed_share", r.routed());
            putNumber(o, "pick_best_routed", r.pickBest());
            putNumber(o, "mean_score_routed", r.routedScore());
            o.put("adaptive_top_k", k);
            putNumber(o, "adaptive_calls_per_query", r.adaptiveCalls());
            putNumber(o, "adaptive_mean_score", r.adaptiveScore());
            for (CrossValidated v : validated) {
                if (v.predictions().name().equals(r.router())) {
                    ArrayNode t = o.putArray("confidence_temperatures");
                    for (double x : v.temperatures()) {
                        t.add(x);
                    }
                }
            }
        }
        return a;
    }

    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    private static String adaptiveChart(RoutingReport report, int n) {
        List<CostCurve> curves = new ArrayList<>();
        for (CostCurve c : report.curves()) {
            if (c.axis() == CostAxis.CALLS) {
                curves.add(c);
            }
        }
        List<CostCurveSvg.Mark> marks = new ArrayList<>();
        List<SystemRow> rows = report.rankedRows().isEmpty() ? report.rows() : report.rankedRows();
        SystemRow best = null;
        for (SystemRow r : rows.subList(0, n)) {
            if (best == null
                    || (report.lowerIsBetter() ? r.meanScore() < best.meanScore() : r.meanScore() > best.meanScore())) {
                best = r;
            }
        }
        marks.add(new CostCurveSvg.Mark("best single: " + best.name(), Double.NaN, best.meanScore()));
        for (SystemRow r : rows) {
            if (r.name().equals("oracle")
                    || r.name().equals("random")
                    || r.name().startsWith("ranker pick")) {
                marks.add(new CostCurveSvg.Mark(
                        r.name() + (r.name().startsWith("ranker pick") ? " (" + n + " calls)" : ""),
                        Double.NaN,
                        r.meanScore()));
            }
            if (r.name().equals(JUDGE_ROUTER) || r.name().equals(RANKER_ROUTER)) {
                marks.add(new CostCurveSvg.Mark(r.name(), 1.0, r.meanScore()));
            }
        }
        return CostCurveSvg.render(
                "Adaptive routing on " + report.rankedQueries() + " queries, " + n + " LLMs",
                "LLM calls per query",
                "mean " + report.metric(),
                curves,
                marks);
    }

    private static String costChart(RoutingReport report) {
        List<CostCurve> curves = new ArrayList<>();
        for (CostCurve c : report.curves()) {
            if (c.axis() == CostAxis.COST) {
                curves.add(c);
            }
        }
        List<CostCurveSvg.Mark> marks = new ArrayList<>();
        for (SystemRow r : report.rows()) {
            if (r.name().endsWith(" alone")) {
                marks.add(new CostCurveSvg.Mark(
                        r.name().substring(0, r.name().length() - 6), r.costPerQuery(), r.meanScore()));
            } else if (r.name().equals("oracle")) {
                marks.add(new CostCurveSvg.Mark("oracle", Double.NaN, r.meanScore()));
            }
        }
        return CostCurveSvg.render(
                "Price-weighted routing, " + report.rows().get(0).queries() + " queries",
                "cost per query (" + report.costUnit() + ")",
                "mean " + report.metric(),
                curves,
                marks);
    }

    private static Path sibling(Path json, String suffix) {
        String name = json.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(stem + suffix);
    }

    private static void write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
