package io.llmblender.cli;

import io.llmblender.core.llm.Prompt;
import io.llmblender.core.route.ConfidenceCalibration;
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
            names = "--calibration-folds",
            defaultValue = "5",
            paramLabel = "K",
            description = "Cross-fit the confidence calibration on K folds of the records (K more head trainings), or 0"
                    + " to fit it on the training records themselves (default ${DEFAULT-VALUE}).")
    int calibrationFolds;

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
        if (calibrationFolds < 0 || calibrationFolds == 1) {
            throw new ParameterException(
                    spec.commandLine(), "--calibration-folds must be 0 or at least 2, found " + calibrationFolds);
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
            try (ZooterRouter router = ZooterRouter.train(encoder, records, order, labels, config, calibrationFolds)) {
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
                printThresholds(o, router);
                o.println("saved to " + out);
            }
        }
        o.flush();
        return 0;
    }

    /**
     * What an adaptive threshold means for this router. Its confidence is calibrated when it is trained (a softmax
     * temperature, {@link ZooterRouter#confidenceTemperature()}, fitted by default on cross-fitted distributions of
     * the training queries), so that it reads as how often the pick was a best LLM. Printed: the temperature, the share
     * of (cross-fitted) training queries a few thresholds route ({@link ZooterRouter#shareRoutedAt}), and the threshold
     * that routes 25%, 50% and 75% of them ({@link ZooterRouter#thresholdForShare}, the server's
     * {@code adaptive-share-S}).
     */
    private static void printThresholds(PrintWriter o, ZooterRouter router) {
        o.printf(
                Locale.ROOT,
                "  confidence temperature %.4f (%s)%n",
                router.confidenceTemperature(),
                router.calibrationFolds() > 0
                        ? "cross-fitted on " + router.calibrationFolds() + " folds of the training records"
                        : "fitted on the training records themselves");
        StringBuilder routed = new StringBuilder("  share of the training queries an adaptive threshold routes:");
        for (double t : new double[] {0.5, 0.62, 0.75, 0.9}) {
            routed.append(String.format(Locale.ROOT, " %.2f -> %.0f%%;", t, 100 * router.shareRoutedAt(t)));
        }
        o.println(routed.substring(0, routed.length() - 1));
        o.println("  to route a share of queries (on new queries, as far as they resemble these):");
        for (double share : new double[] {0.25, 0.5, 0.75}) {
            ConfidenceCalibration c = router.thresholdForShare(share);
            o.printf(
                    Locale.ROOT,
                    "    %.0f%% routed: --threshold %.4f (server model adaptive-%.4f or adaptive-share-%.2f)%n",
                    share * 100,
                    c.threshold(),
                    c.threshold(),
                    share);
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
