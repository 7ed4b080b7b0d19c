package io.llmblender.cli;

import io.llmblender.core.llm.Prompt;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.CachingEncoder;
import io.llmblender.router.encode.QueryEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.head.TrainingMetrics;
import io.llmblender.router.label.ClusterTagger;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.RewardRecords;
import io.llmblender.router.label.SoftLabels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blender train-router}: trains a Zooter router (MiniLM query encoder, MLP head, KL to tag-enhanced soft
 * labels of the rewards) and saves it to a directory that {@code blender route} and {@code blender blend --router}
 * load. Rewards come from reward records ({@code --records}: JSONL of {@code {"query", "rewards": {llm: reward},
 * "tags"}}) or from a MixInstruct-format dataset's reference scores ({@code --dataset} with {@code --metric}: each
 * candidate's model is an LLM, its score the reward). The router's LLM order is {@code --llms} when given, else the
 * order of the first record's rewards as written in the file. A thin front over {@link ZooterRouter#train}.
 */
@Command(
        name = "train-router",
        mixinStandardHelpOptions = true,
        description = "Train a reward-guided router (Zooter) in Java and save it to a directory.")
final class TrainRouterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where the rewards come from: exactly one of the two. */
    static final class Source {
        @Option(
                names = "--records",
                paramLabel = "FILE",
                required = true,
                description = "Reward records, JSONL: {\"query\": ..., \"rewards\": {\"llm\": 1.0}, \"tags\": [...]}.")
        Path records;

        @Option(
                names = "--dataset",
                paramLabel = "FILE",
                required = true,
                description = "A MixInstruct-format JSONL; rewards are the candidates' --metric scores.")
        Path dataset;
    }

    @Option(names = "--metric", paramLabel = "NAME", description = "With --dataset: the score to use as reward.")
    String metric;

    @Option(
            names = {"--out", "-o"},
            required = true,
            paramLabel = "DIR",
            description = "Where to save the router.")
    Path out;

    @Option(
            names = "--llms",
            paramLabel = "NAME",
            split = "\\s*,\\s*",
            splitSynopsisLabel = ",",
            description = "The LLMs in the order of the router's outputs (default: the order of the first record's"
                    + " rewards, or of the first dataset line's candidates).")
    List<String> llms;

    @Option(
            names = "--encoder",
            defaultValue = ModelOptions.MINILM,
            paramLabel = "minilm|DIR",
            description = "Query encoder: the bundled all-MiniLM-L6-v2 (default) or a TorchScript encoder directory.")
    String encoderOption;

    @Option(
            names = "--tags",
            defaultValue = "records",
            paramLabel = "records|none|clusters:K",
            description = "Tags for label enhancement: those in the records (default), none, or K clusters of query"
                    + " embeddings.")
    String tags;

    @Option(
            names = "--beta",
            defaultValue = "0.3",
            description = "Weight of a query's own label against its tags' (default ${DEFAULT-VALUE}).")
    double beta;

    @Option(
            names = "--temperature",
            defaultValue = "1.0",
            description = "Softmax temperature over rewards (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(
            names = "--epochs",
            defaultValue = "50",
            description = "At most this many epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--hidden",
            defaultValue = "256",
            description = "Hidden units of the head (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(
            names = "--learning-rate",
            defaultValue = "0.001",
            description = "AdamW learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of initialisation, shuffling, split and clusters (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--on-bad-line",
            defaultValue = "STOP",
            paramLabel = "stop|skip",
            description = "With --dataset: stop at a bad line (default) or skip it.")
    Datasets.OnBadLine onBadLine;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SoftLabels labels;
        HeadConfig config;
        try {
            labels = SoftLabels.builder().beta(beta).temperature(temperature).build();
            config = HeadConfig.builder()
                    .epochs(epochs)
                    .hidden(hidden)
                    .learningRate(learningRate)
                    .seed(seed)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        int clusters = clusters();
        List<RewardRecord> records = source.records != null ? RewardRecords.read(source.records) : fromDataset(err);
        if (records.size() < 2) {
            throw new IllegalArgumentException("training needs at least 2 records, found " + records.size());
        }
        if (tags.equals("none")) {
            List<RewardRecord> bare = new ArrayList<>();
            records.forEach(r -> bare.add(RewardRecord.of(r.query(), r.rewards())));
            records = bare;
        }
        // The router's output order, explicit: never left to the iteration order of a map.
        List<String> order = llms != null ? List.copyOf(llms) : RewardRecords.llmNames(records);
        try (QueryEncoder base = ModelOptions.encoder(encoderOption, "--encoder");
                CachingEncoder encoder = CachingEncoder.wrap(base, records.size() + 16)) {
            if (clusters > 0) {
                List<String> queries = new ArrayList<>();
                records.forEach(r -> queries.add(r.query()));
                records = RewardRecords.withTags(records, ClusterTagger.fit(encoder, queries, clusters, seed));
            }
            long start = System.nanoTime();
            try (ZooterRouter router = ZooterRouter.train(encoder, records, order, labels, config)) {
                router.save(out);
                TrainingMetrics m = router.metrics();
                o.printf(
                        Locale.ROOT,
                        "trained a router for %s on %d records in %.1f s%n",
                        router.llmNames(),
                        records.size(),
                        (System.nanoTime() - start) / 1e9);
                o.printf(
                        Locale.ROOT,
                        "  epochs %d (best %d%s), train loss %.4f, validation loss %.4f, validation"
                                + " accuracy %.3f on %d records%n",
                        m.epochsRun(),
                        m.bestEpoch(),
                        m.stoppedEarly() ? ", stopped early" : "",
                        m.trainLoss(),
                        m.validationLoss(),
                        m.validationAccuracy(),
                        m.validationRows());
                printThresholds(o, router, records);
                o.println("saved to " + out);
            }
        }
        o.flush();
        return 0;
    }

    /**
     * What an adaptive threshold means for this router: its confidence is a softmax over rewards in [0, 1], so with N
     * LLMs it stays below e/(e+N-1) (0.576 for three); a threshold is only meaningful as the share of queries it
     * routes to one LLM, measured here on the training queries (ConfidenceCalibration).
     */
    private static void printThresholds(PrintWriter o, ZooterRouter router, List<RewardRecord> records) {
        List<io.llmblender.core.route.RouteDecision> decisions = new ArrayList<>(records.size());
        double max = 0;
        for (RewardRecord r : records) {
            io.llmblender.core.route.RouteDecision d = router.route(r.query());
            decisions.add(d);
            max = Math.max(max, d.confidence());
        }
        o.printf(
                Locale.ROOT,
                "  confidence on the training queries: at most %.3f; an adaptive threshold answers this share of"
                        + " queries with one LLM:%n",
                max);
        for (double share : new double[] {0.25, 0.5, 0.75}) {
            io.llmblender.core.route.ConfidenceCalibration c =
                    io.llmblender.core.route.ConfidenceCalibration.forSingleCallShare(decisions, share);
            o.printf(
                    Locale.ROOT,
                    "    %.0f%% routed: --threshold %.4f (adaptive-%.4f)%n",
                    share * 100,
                    c.threshold(),
                    c.threshold());
        }
    }

    private int clusters() {
        if (tags.equals("records") || tags.equals("none")) {
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
                spec.commandLine(), "--tags must be records, none or clusters:K with K >= 1, found '" + tags + "'");
    }

    private List<RewardRecord> fromDataset(PrintWriter err) {
        if (metric == null) {
            throw new ParameterException(
                    spec.commandLine(), "--dataset needs --metric NAME (a key of the candidates' scores)");
        }
        Datasets.Contents contents = Datasets.read(source.dataset, onBadLine);
        contents.skipped().forEach(m -> err.println("skipped " + m));
        List<RewardRecord> out = new ArrayList<>();
        for (Datasets.Line line : contents.lines()) {
            DatasetRecord r = line.record();
            Map<String, Double> rewards = new LinkedHashMap<>();
            for (DatasetRecord.Candidate c : r.candidates()) {
                Double score = c.scores().get(metric);
                String problem = score == null
                        ? "candidate of '" + c.model() + "' has no score '" + metric + "' (it has "
                                + c.scores().keySet() + ")"
                        : rewards.containsKey(c.model()) ? "model '" + c.model() + "' has two candidates" : null;
                if (problem != null) {
                    String message = source.dataset + ":" + line.number() + ": " + problem;
                    if (onBadLine == Datasets.OnBadLine.STOP) {
                        throw new IllegalArgumentException(message);
                    }
                    err.println("skipped " + message);
                    rewards = null;
                    break;
                }
                rewards.put(c.model(), score);
            }
            if (rewards != null && !rewards.isEmpty()) {
                out.add(RewardRecord.of(Prompt.of(r.instruction(), r.input()).source(), rewards));
            }
        }
        return out;
    }
}
