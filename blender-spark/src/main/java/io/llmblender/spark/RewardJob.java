package io.llmblender.spark;

import io.llmblender.core.rank.ReferenceMode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A job for {@code spark-submit}: labels a MixInstruct JSONL dataset with router rewards ({@link SparkRewards}) and
 * writes them as the reward records {@code blender train-router --records} reads.
 *
 * <pre>
 * spark-submit --class io.llmblender.spark.RewardJob blender-spark-job.jar \
 *     --input IN --output OUT_DIR [--errors DIR] [--ranker NAME|DIR] [--batch 8] [--mode longest]
 *     [--llms a,b,...] [--threads 1] [--partitions N] [--chunk RECORDS] [--overwrite] [--merge FILE]
 * </pre>
 *
 * <p><b>Options.</b> {@code --input}: a JSONL file, directory or glob. {@code --output}: the reward records'
 * directory ({@code part-*} files, each valid reward-record JSONL). {@code --errors}: where the records that could not
 * be labelled go, with {@code id}, {@code query} and {@code error} (default {@code OUTPUT/_errors}, which Spark's
 * readers of {@code OUTPUT} skip). {@code --ranker}, {@code --batch}, {@code --threads}, {@code --partitions},
 * {@code --chunk} and {@code --overwrite} as in {@link RankJob}. {@code --mode}: the reference answer, one of {@link ReferenceMode}
 * (default {@code longest}). {@code --llms}: the LLMs in reward order, comma-separated (default: the candidate models
 * most records have, computed once over the whole input). {@code --merge}: also concatenate the records' part files,
 * in order, into this one JSONL file (any Hadoop file system; replaced if it exists), ready for
 * {@code blender train-router --records FILE}. Errors and exit codes as in {@link RankJob}.
 *
 * <p><b>Thread-safety.</b> Stateless; {@link #run(SparkSession, String...)} may be called concurrently with different
 * outputs.
 */
public final class RewardJob {

    private static final Set<String> VALUED = Set.of(
            "--input",
            "--output",
            "--errors",
            "--ranker",
            "--batch",
            "--mode",
            "--llms",
            "--partitions",
            "--chunk",
            "--threads",
            "--merge");
    private static final Set<String> FLAGS = Set.of("--overwrite");

    private RewardJob() {}

    /**
     * Checks the options (a bad one: its message on standard error, exit code 2, before Spark starts), runs the job
     * with the session {@code spark-submit} configured, prints how many records it wrote where, then stops the
     * session.
     *
     * @param args the options in the class comment
     */
    public static void main(String[] args) {
        JobMain.run(args, "blender-rewards", "labelled", a -> plan(a).output(), RewardJob::run);
    }

    /**
     * Runs the job on a session and waits until the output is written.
     *
     * @param spark the session
     * @param args the options in the class comment
     * @return how many input records there were (labelled or not)
     * @throws IllegalArgumentException if an option is unknown, lacks its value or has a bad one
     */
    public static long run(SparkSession spark, String... args) {
        Plan plan = plan(args);
        JobArgs parsed = plan.parsed();
        String input = plan.input();
        String output = plan.output();
        String errors = plan.errors();
        ReferenceMode mode = plan.mode();
        SparkRewards.Options options = plan.options();
        boolean overwrite = parsed.flag("--overwrite");
        Dataset<Row> records = SparkDatasets.readJsonl(spark, input);
        if (options.llms() == null) {
            // Once over the whole input, so that every partition and chunk lists the same LLMs in the same order.
            options = options.withLlms(SparkRewards.commonLlms(records));
        }
        SparkRewards.Options chosen = options;
        long count;
        if (parsed.has("--chunk")) {
            if (overwrite) {
                ChunkedOutput.delete(spark, output);
            }
            String job = "blender rewards\ninput " + input + "\nerrors " + errors + "\nranker "
                    + (options.ranker() == null ? RankerHolder.DEFAULT : options.ranker()) + "\nmode " + mode
                    + "\nllms " + options.llms();
            int tasks = parsed.positive("--partitions", spark.sparkContext().defaultParallelism());
            count = ChunkedOutput.write(
                            spark, records, parsed.positive("--chunk", 1), tasks, output, job, (rows, c) -> {
                                Dataset<Row> labelled =
                                        SparkRewards.label(rows, chosen).cache();
                                try {
                                    SparkRewards.write(
                                            labelled,
                                            ChunkedOutput.chunkDir(output, c),
                                            ChunkedOutput.chunkDir(errors, c),
                                            SaveMode.Overwrite);
                                } finally {
                                    labelled.unpersist();
                                }
                            })
                    .records();
        } else {
            if (parsed.has("--partitions")) {
                records = records.repartition(parsed.positive("--partitions", 1));
            }
            Dataset<Row> labelled = SparkRewards.label(records, chosen).cache();
            try {
                SaveMode saveMode = overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
                SparkRewards.write(labelled, output, errors, saveMode);
                count = labelled.count();
            } finally {
                labelled.unpersist();
            }
        }
        if (parsed.has("--merge")) {
            merge(spark, output, parsed.required("--merge"));
        }
        return count;
    }

    /** The checked options of one run. */
    private record Plan(
            JobArgs parsed,
            String input,
            String output,
            String errors,
            ReferenceMode mode,
            SparkRewards.Options options) {}

    private static Plan plan(String[] args) {
        JobArgs parsed = JobArgs.parse(args, VALUED, FLAGS);
        String input = parsed.required("--input");
        String output = parsed.required("--output");
        String errors = parsed.get("--errors", output + "/_errors");
        String modeName = parsed.get("--mode", "longest");
        ReferenceMode mode;
        try {
            mode = ReferenceMode.valueOf(modeName.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--mode must be one of "
                            + Arrays.toString(ReferenceMode.values()).toLowerCase(Locale.ROOT) + ", got " + modeName,
                    e);
        }
        List<String> llms = null;
        if (parsed.has("--llms")) {
            llms = new ArrayList<>();
            String value = parsed.required("--llms");
            for (String name : value.split(",", -1)) {
                if (name.isBlank()) {
                    throw new IllegalArgumentException("--llms '" + value + "': an empty name");
                }
                llms.add(name.strip());
            }
        }
        SparkRewards.Options options = new SparkRewards.Options(
                parsed.get("--ranker", null),
                parsed.positive("--batch", 8),
                mode,
                llms,
                parsed.positive("--threads", 1));
        for (String number : new String[] {"--chunk", "--partitions"}) {
            if (parsed.has(number)) {
                parsed.positive(number, 1);
            }
        }
        RankerHolder.check(options.ranker(), options.threads());
        JobArgs.requireLocalInput("--input", input);
        if (!parsed.flag("--overwrite") && !parsed.has("--chunk")) {
            JobArgs.requireAbsentOutput(
                    "--output", output, "give --overwrite to replace it, or --chunk N to resume a chunked output");
        }
        return new Plan(parsed, input, output, errors, mode, options);
    }

    /**
     * Concatenates the JSON part files under a directory (and its {@code chunk=NNNNN} subdirectories), in path order,
     * into one file; see {@link SparkDatasets#mergeParts}.
     *
     * @param spark the session, for the Hadoop configuration
     * @param dir the directory Spark wrote
     * @param file the file to write, replaced if it exists
     * @return how many part files were merged
     * @throws UncheckedIOException if a file cannot be read or written
     */
    public static int merge(SparkSession spark, String dir, String file) {
        return SparkDatasets.mergeParts(spark, dir, file);
    }
}
