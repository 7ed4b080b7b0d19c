package io.llmblender.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.eval.EvalReport;
import io.llmblender.eval.RecordRanking;
import io.llmblender.eval.ReferenceMetric;
import io.llmblender.eval.SelectionMetrics;
import io.llmblender.eval.SelectionMetrics.Item;
import io.llmblender.eval.dataset.DatasetException;
import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.Datasets;
import io.llmblender.eval.dataset.Datasets.Line;
import io.llmblender.eval.dataset.Datasets.OnBadLine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code blender eval}: how well a ranker's top-1 selection does on a dataset with reference scores, next to every
 * LLM alone, random selection and the oracle.
 *
 * <pre>
 * blender eval --input ranked.jsonl [--metric NAME] [--lower-is-better] [--json report.json] [--on-bad-line stop|skip]
 * </pre>
 *
 * <p><b>Input</b>: a MixInstruct-format JSONL file ({@link DatasetRecord}), usually the output of {@code blender rank},
 * which adds {@code "ranking": {"ranker", "aggregation", "ranks", "scores"}} to each record ({@link RecordRanking}).
 * Either every record carries a ranking, all from the same ranker and aggregation, or none does; a record that breaks
 * this is a bad line. Without rankings the command still compares the LLMs, random and the oracle, and says on
 * standard error why the selection row and the correlations are missing.
 *
 * <p><b>Reference</b> ({@link ReferenceMetric}): {@code --metric NAME} takes {@code candidates[i].scores[NAME]}
 * (default: the first score name in the first record); {@code --metric gpt-rank} derives LLM-Blender's GPT-Rank from
 * the record's ChatGPT comparisons {@code cmp_results} (see {@link io.llmblender.eval.GptRank}), which is
 * a rank and so always lower-is-better. {@code --lower-is-better} marks a loss. A record where some candidate lacks
 * the metric is a bad line; the message gives {@code file:line}, the metric and the metrics that record has. Under
 * {@code --on-bad-line stop}, lines that are no record at all (not JSON, fields missing) are caught first, while the
 * file is read; then the records are checked in file order.
 *
 * <p><b>Definitions</b> ({@link SelectionMetrics} has them in full): reference ranks average ties (values
 * {@code [0.8, 0.8, 0.2]} rank {@code [1.5, 1.5, 3]}); a candidate is "first" when none is better, so all
 * candidates tied for best count as first; random is the exact expectation of a uniform pick; the oracle takes a best
 * candidate of each record (its mean rank is above 1 when best candidates tie); the selection is the candidate with
 * the smallest ranking rank (the first of them in candidate order on a tie); Spearman's rho and Kendall's tau-b are
 * computed per record between the ranking's scores and the reference (oriented so that 1 is agreement) and averaged
 * over the records where they are defined, counting the others.
 *
 * <p><b>Output</b>: on standard output a table with one row per LLM, then {@code random}, {@code oracle} and
 * {@code selection (RANKER)}, with the columns count, mean metric, share first and mean rank, and a line with the
 * mean correlations ({@link EvalReport#table}). With {@code --json FILE}, the same as JSON ({@link EvalReport#json})
 * plus {@code input} and {@code skipped_lines}. Skipped bad lines are reported on standard error.
 *
 * <p>Exit codes as {@link BlenderCli}: 0, 1 (a bad line under {@code --on-bad-line stop}, no records, an unreadable
 * file), 2 (usage).
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate a ranker's top-1 selection against reference scores: a row per LLM, random, oracle and"
                    + " the selection (mean metric, share ranked first by the reference, mean reference rank), and the mean"
                    + " Spearman and Kendall tau-b between the ranker's scores and the reference.",
            "Ties: reference ranks are averaged; every candidate tied for best counts as first."
        })
final class EvalCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "MixInstruct-format JSONL, usually written by `blender rank` (records with \"ranking\").")
    Path input;

    @Option(
            names = "--metric",
            paramLabel = "NAME",
            description = "The reference: candidates[i].scores[NAME], or gpt-rank for LLM-Blender's GPT-Rank derived"
                    + " from cmp_results (lower is better). Default: the first score name of the first record.")
    String metric;

    @Option(names = "--lower-is-better", description = "Smaller reference values are better (a loss).")
    boolean lowerIsBetter;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    Path json;

    @Option(
            names = "--on-bad-line",
            paramLabel = "stop|skip",
            defaultValue = "stop",
            description = "On a bad line (not a record, metric missing, malformed ranking): stop with an error"
                    + " (default) or report it on standard error and go on without it.")
    OnBadLine onBadLine;

    private int skipped;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Datasets.Contents contents = Datasets.read(input, onBadLine);
        for (String s : contents.skipped()) {
            err.println("skipped " + s);
        }
        skipped = contents.skipped().size();
        List<Line> lines = contents.lines();
        if (lines.isEmpty()) {
            throw new DatasetException(
                    input,
                    DatasetException.WHOLE_FILE,
                    input + ": no records to evaluate"
                            + (skipped > 0 ? " (all " + skipped + " lines were skipped)" : ""));
        }
        ReferenceMetric reference = ReferenceMetric.of(metricName(lines.get(0), err), lowerIsBetter);
        boolean ranked = lines.stream().anyMatch(l -> l.record().json().hasNonNull(RecordRanking.FIELD));

        List<Item> items = new ArrayList<>();
        RecordRanking firstRanking = null;
        int firstRankedLine = 0;
        for (Line line : lines) {
            DatasetRecord record = line.record();
            try {
                List<Double> values = reference.values(record);
                Optional<RecordRanking> ranking = RecordRanking.of(record);
                if (ranked && ranking.isEmpty()) {
                    throw new IllegalArgumentException("the record has no 'ranking', but other records of the file"
                            + " do; rank every record, or evaluate unranked records apart");
                }
                if (firstRanking != null && !sameRanker(ranking.orElseThrow(), firstRanking)) {
                    throw new IllegalArgumentException("ranked by " + describe(ranking.get()) + ", but line "
                            + firstRankedLine + " by " + describe(firstRanking) + "; evaluate one ranker at a time");
                }
                List<String> models = record.candidates().stream()
                        .map(DatasetRecord.Candidate::model)
                        .toList();
                items.add(new Item(models, values, ranking));
                if (ranked && firstRanking == null) {
                    firstRanking = ranking.get();
                    firstRankedLine = line.number();
                }
            } catch (IllegalArgumentException e) {
                bad(line, e.getMessage(), err);
            }
        }
        if (items.isEmpty()) {
            throw new DatasetException(
                    input,
                    DatasetException.WHOLE_FILE,
                    input + ": no records left to evaluate: all " + skipped + " were skipped");
        }
        if (!ranked) {
            err.println("no record of " + input + " carries a 'ranking' (blender rank adds one), so there is no"
                    + " selection to evaluate and no correlation: showing the LLMs, random and the oracle only");
        }
        SelectionMetrics metrics = SelectionMetrics.compute(reference.name(), reference.lowerIsBetter(), items);
        for (String l : EvalReport.table(metrics)) {
            out.println(l);
        }
        out.flush();
        if (skipped > 0) {
            err.println("skipped " + skipped + (skipped == 1 ? " bad line" : " bad lines") + " of " + input);
        }
        if (json != null) {
            writeJson(metrics);
        }
        err.flush();
        return 0;
    }

    private String metricName(Line first, PrintWriter err) {
        if (metric != null) {
            return metric;
        }
        String name = ReferenceMetric.defaultName(first.record())
                .orElseThrow(() -> new DatasetException(
                        input,
                        first.number(),
                        input + ":"
                                + first.number()
                                + ": the first record has neither scores nor cmp_results to take a default metric"
                                + " from; name one with --metric"));
        err.println("metric: " + name + " (the first in the first record; --metric picks another)");
        return name;
    }

    private void bad(Line line, String what, PrintWriter err) {
        String message = input + ":" + line.number() + ": " + what;
        if (onBadLine == OnBadLine.STOP) {
            throw new DatasetException(
                    input, line.number(), message + " (--on-bad-line skip goes on without such lines)");
        }
        err.println("skipped " + message);
        skipped++;
    }

    private void writeJson(SelectionMetrics metrics) {
        ObjectNode report = JSON.createObjectNode();
        report.put("input", input.toString());
        report.put("skipped_lines", skipped);
        report.setAll(EvalReport.json(metrics));
        try {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(
                    json,
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + json + ": " + e.getMessage(), e);
        }
    }

    private static boolean sameRanker(RecordRanking a, RecordRanking b) {
        return a.ranker().equals(b.ranker()) && a.aggregation().equals(b.aggregation());
    }

    private static String describe(RecordRanking r) {
        return "\"" + r.ranker() + "\"" + (r.aggregation().isEmpty() ? "" : " (" + r.aggregation() + ")");
    }
}
