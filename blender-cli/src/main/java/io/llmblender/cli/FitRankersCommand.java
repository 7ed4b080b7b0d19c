package io.llmblender.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankers;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blender fit-rankers}: fits the weights of a ranker combination ({@link Rankers#combine}) on a multi-LLM
 * dataset with reference scores, by logistic regression on the pairs of answers whose scores differ
 * ({@link Rankers#fitWeights}), and writes them as JSON for {@code --ranker combined:FILE}:
 *
 * <pre>
 * blender fit-rankers --input ../shared/data/arena-bench/train.jsonl --metric gpt4_score \
 *     --rankers default,consensus,length --exclude data/arena-holdout.jsonl --output combined.json
 * </pre>
 *
 * <p>Only answers that carry the metric count; records with fewer than two such answers are skipped; records whose id
 * appears in {@code --exclude} are left out (to report on them afterwards). The file holds
 * {@code {"rankers": [...], "weights": [...], "metric", "input", "records", "l2"}}.
 */
@Command(
        name = "fit-rankers",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Fit the weights of a combination of rankers on a dataset with reference scores (logistic regression on"
                    + " answer pairs) and write them for --ranker combined:FILE."
        })
final class FitRankersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "MixInstruct JSONL with scores.")
    Path input;

    @Option(names = "--metric", required = true, paramLabel = "NAME", description = "The score name, e.g. gpt4_score.")
    String metric;

    @Option(
            names = "--rankers",
            required = true,
            split = ",",
            paramLabel = "NAME",
            description = "The rankers to combine, comma-separated (default, consensus, length, a directory, ...).")
    List<String> rankers;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "Where to write the weights.")
    Path output;

    @Option(names = "--exclude", paramLabel = "FILE", description = "Leave out the records whose id this file holds.")
    Path exclude;

    @Option(names = "--l2", paramLabel = "X", defaultValue = "0.001", description = "Ridge penalty (default 0.001).")
    double l2;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (l2 < 0 || !Double.isFinite(l2)) {
            throw new ParameterException(spec.commandLine(), "--l2 must be zero or more, found " + l2);
        }
        for (String name : rankers) {
            if (name.strip().equals("none") || name.strip().startsWith("combined:")) {
                throw new ParameterException(
                        spec.commandLine(), "--rankers: '" + name + "' cannot be part of a combination");
            }
            ModelOptions.checkRanker(name, "--rankers", false);
        }
        Set<String> excluded = new HashSet<>();
        if (exclude != null) {
            for (Datasets.Line l :
                    Datasets.read(exclude, Datasets.OnBadLine.STOP).lines()) {
                excluded.add(l.record().id());
            }
        }
        List<double[][]> features = new ArrayList<>();
        List<double[]> targets = new ArrayList<>();
        List<AutoCloseable> made = new ArrayList<>();
        try {
            List<Ranker> models = new ArrayList<>();
            for (String name : rankers) {
                models.add(ModelOptions.rankerModel(name, "--rankers", Map.of(), false, made));
            }
            for (Datasets.Line line :
                    Datasets.read(input, Datasets.OnBadLine.STOP).lines()) {
                DatasetRecord r = line.record();
                if (excluded.contains(r.id())) {
                    continue;
                }
                List<String> texts = new ArrayList<>();
                List<Double> gold = new ArrayList<>();
                for (DatasetRecord.Candidate c : r.candidates()) {
                    Double s = c.scores().get(metric);
                    if (s != null) {
                        texts.add(c.text());
                        gold.add(s);
                    }
                }
                if (texts.size() < 2) {
                    continue;
                }
                double[][] f = new double[models.size()][];
                for (int k = 0; k < models.size(); k++) {
                    f[k] = Rankers.standardisedScores(models.get(k), r.instruction() + r.input(), texts);
                }
                features.add(f);
                targets.add(gold.stream().mapToDouble(Double::doubleValue).toArray());
            }
        } finally {
            DatasetCommands.closeAll(made, err);
        }
        if (features.isEmpty()) {
            throw new IllegalArgumentException(
                    "--input " + input + ": no record has two answers with the metric '" + metric + "'");
        }
        double[] w = Rankers.fitWeights(features, targets, l2);
        ObjectNode json = new ObjectMapper().createObjectNode();
        ArrayNode names = json.putArray("rankers");
        ArrayNode weights = json.putArray("weights");
        for (int k = 0; k < w.length; k++) {
            names.add(rankers.get(k).strip());
            weights.add(w[k]);
        }
        json.put("metric", metric);
        json.put("input", input.toString());
        json.put("records", features.size());
        json.put("l2", l2);
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(output.toFile(), json);
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < w.length; k++) {
            line.append(k == 0 ? "" : ", ").append(rankers.get(k).strip()).append(' ');
            line.append(String.format(Locale.ROOT, "%.4f", w[k]));
        }
        out.println("fitted on " + features.size() + " records: " + line + " -> " + output);
        out.flush();
        return 0;
    }
}
