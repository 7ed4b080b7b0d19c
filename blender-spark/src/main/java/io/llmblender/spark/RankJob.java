package io.llmblender.spark;

import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A job for {@code spark-submit}: ranks a MixInstruct JSONL dataset with {@link SparkRanking}, optionally fuses each
 * record's top K with {@link SparkFusion}, and writes it as JSONL or Parquet.
 *
 * <pre>
 * spark-submit --class io.llmblender.spark.RankJob [--archives ranker.tgz#ranker] blender-spark-job.jar \
 *     --input IN --output OUT_DIR [--format jsonl|parquet] [--ranker NAME|DIR] [--batch 8] [--partitions N]
 *     [--threads 1] [--matrix] [--overwrite] [--chunk RECORDS] [--merge FILE]
 *     [--fuser DIR [--top-k 3] [--max-new-tokens N] [--fuse-batch 4]]
 * </pre>
 *
 * <p><b>Options.</b> {@code --input}: a JSONL file, directory or glob. {@code --output}: the output directory, one
 * {@code part-*} file per partition; an existing one fails the job unless {@code --overwrite} (a local one before
 * Spark starts). {@code --format}: {@code jsonl} (the default) or {@code parquet}. {@code --ranker}: a ranker name as
 * {@code blender rank} takes it ({@link RankerHolder}: {@code default}, the default, {@code consensus} and its
 * variants, {@code length}, {@code combined:FILE}, a PairRanker directory, or one shipped with the job; not
 * {@code none} nor {@code judge:NAME}). {@code --batch}: records per ranker call (default 8). {@code --threads}: the
 * ranker engine's intra-op threads per ranker call, for a PairRanker directory (default 1; an executor's tasks share
 * one ranker, so its cores already rank in parallel). {@code --partitions}: repartition the input into this many
 * tasks first (default: as read). {@code --matrix}: add the N x N matrix column. {@code --chunk}: write the output in
 * chunks of this many input records, {@code OUTPUT/chunk=NNNNN/part-*}, each committed on its own
 * ({@link ChunkedOutput}), so that the same command run again after a kill skips the committed chunks and writes
 * every record exactly once; an existing output is then resumed rather than refused ({@code --overwrite} starts
 * afresh), and {@code --partitions} (default: Spark's default parallelism) is the tasks per chunk. {@code --merge}:
 * also concatenate the JSONL part files, in order, into this one file (any Hadoop file system; replaced if it
 * exists), the file {@code blender eval --input} reads; JSONL only. {@code --fuser}: a GenFuser model location; adds
 * the {@value SparkFusion#FUSED} answer over the top {@code --top-k} (default 3) candidates, {@code --fuse-batch}
 * records per fuser call (default 4), at most {@code --max-new-tokens} tokens (default: the fuser's, 128).
 *
 * <p><b>Output.</b> Each record as read, with {@code blender rank}'s {@value SparkRanking#RANKING} object ({@code
 * ranker}, {@code aggregation}, {@code ranks}, {@code scores}; see {@link SparkRanking}), so that {@code blender
 * eval} reads a ranked line as it reads one of {@code blender rank}. Records that cannot be ranked or fused are
 * written with their reason in {@value SparkRanking#ERROR} / {@value SparkFusion#FUSE_ERROR} (and no ranking).
 *
 * <p><b>Errors.</b> A bad option, a local {@code --input} that does not exist or a local {@code --output} that does
 * (without {@code --overwrite} or {@code --chunk}) is one line on standard error and exit code 2, before Spark starts;
 * a job that fails is one line and exit code 1 ({@code JobMain}).
 *
 * <p>The jar must carry blender-spark and its non-Spark dependencies (the ranker and its DJL engine natives for the
 * executors' platform), not Spark itself: {@code blender-spark/target/blender-spark-job.jar}.
 *
 * <p><b>Thread-safety.</b> Stateless; {@link #run(SparkSession, String...)} may be called concurrently with different
 * outputs.
 */
public final class RankJob {

    private static final Set<String> VALUED = Set.of(
            "--input",
            "--output",
            "--format",
            "--ranker",
            "--batch",
            "--partitions",
            "--chunk",
            "--threads",
            "--fuser",
            "--top-k",
            "--max-new-tokens",
            "--fuse-batch",
            "--merge");
    private static final Set<String> FLAGS = Set.of("--matrix", "--overwrite");

    private RankJob() {}

    /**
     * Checks the options (a bad one: its message on standard error, exit code 2, before Spark starts), runs the job
     * with the session {@code spark-submit} configured, prints how many records it wrote where, then stops the
     * session.
     *
     * @param args the options in the class comment
     */
    public static void main(String[] args) {
        JobMain.run(args, "blender-rank", "ranked", a -> plan(a).describe(), RankJob::run);
    }

    /**
     * Runs the job on a session and waits until the output is written.
     *
     * @param spark the session
     * @param args the options in the class comment
     * @return how many records were written (ranked or with an error)
     * @throws IllegalArgumentException if an option is unknown, lacks its value or has a bad one, or a local input
     *     does not exist, or a local output does and would be refused
     */
    public static long run(SparkSession spark, String... args) {
        Plan plan = plan(args);
        JobArgs parsed = plan.parsed();
        String input = plan.input();
        String output = plan.output();
        String format = plan.format();
        SparkRanking.Options options = plan.options();
        SparkFusion.Options fusion = plan.fusion();
        boolean overwrite = parsed.flag("--overwrite");
        boolean parquet = format.equals("parquet");
        Dataset<Row> records = SparkDatasets.readJsonl(spark, input);
        if (parsed.has("--chunk")) {
            int chunk = parsed.positive("--chunk", 1);
            if (overwrite) {
                ChunkedOutput.delete(spark, output);
            }
            String job = "blender rank\ninput " + input + "\nformat " + format + "\nranker "
                    + (options.ranker() == null ? RankerHolder.DEFAULT : options.ranker()) + "\nmatrix "
                    + options.withMatrix() + "\nfusion " + fusion;
            int tasks = parsed.positive("--partitions", spark.sparkContext().defaultParallelism());
            long written = ChunkedOutput.write(
                            spark,
                            records,
                            chunk,
                            tasks,
                            output,
                            job,
                            (rows, c) -> write(
                                    process(rows, options, fusion),
                                    ChunkedOutput.chunkDir(output, c),
                                    parquet,
                                    SaveMode.Overwrite))
                    .records();
            merge(spark, plan);
            return written;
        }
        if (parsed.has("--partitions")) {
            records = records.repartition(parsed.positive("--partitions", 1));
        }
        // Cached so that counting the output does not rank twice.
        Dataset<Row> ranked = process(records, options, fusion).cache();
        try {
            write(ranked, output, parquet, overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
            long written = ranked.count();
            merge(spark, plan);
            return written;
        } finally {
            ranked.unpersist();
        }
    }

    private static void merge(SparkSession spark, Plan plan) {
        if (plan.merge() != null) {
            SparkDatasets.mergeParts(spark, plan.output(), plan.merge());
        }
    }

    /** The checked options of one run. */
    private record Plan(
            JobArgs parsed,
            String input,
            String output,
            String format,
            SparkRanking.Options options,
            SparkFusion.Options fusion,
            String merge) {

        /** Where the job writes, for the line it prints. */
        String describe() {
            return merge == null ? output : output + " (merged into " + merge + ")";
        }
    }

    private static Plan plan(String[] args) {
        JobArgs parsed = JobArgs.parse(args, VALUED, FLAGS);
        String input = parsed.required("--input");
        String output = parsed.required("--output");
        String format = parsed.get("--format", "jsonl").toLowerCase(Locale.ROOT);
        if (!format.equals("jsonl") && !format.equals("parquet")) {
            throw new IllegalArgumentException("--format must be jsonl or parquet, got " + format);
        }
        SparkRanking.Options options = new SparkRanking.Options(
                parsed.get("--ranker", null),
                parsed.positive("--batch", 8),
                parsed.flag("--matrix"),
                parsed.positive("--threads", 1));
        String fuserDir = parsed.get("--fuser", null);
        SparkFusion.Options fusion = fuserDir == null
                ? null
                : SparkFusion.Options.of(fuserDir)
                        .withTopK(parsed.positive("--top-k", 3))
                        .withBatchSize(parsed.positive("--fuse-batch", 4))
                        .withMaxNewTokens(parsed.has("--max-new-tokens") ? parsed.positive("--max-new-tokens", 1) : 0);
        if (fusion == null) {
            for (String option : new String[] {"--top-k", "--fuse-batch", "--max-new-tokens"}) {
                if (parsed.has(option)) {
                    throw new IllegalArgumentException(option + " needs --fuser");
                }
            }
        }
        for (String number : new String[] {"--chunk", "--partitions"}) {
            if (parsed.has(number)) {
                parsed.positive(number, 1);
            }
        }
        String merge = parsed.get("--merge", null);
        if (merge != null && !format.equals("jsonl")) {
            throw new IllegalArgumentException(
                    "--merge " + merge + ": merges JSONL part files; it needs --format jsonl");
        }
        RankerHolder.check(options.ranker(), options.threads());
        JobArgs.requireLocalInput("--input", input);
        if (!parsed.flag("--overwrite") && !parsed.has("--chunk")) {
            JobArgs.requireAbsentOutput(
                    "--output", output, "give --overwrite to replace it, or --chunk N to resume a chunked output");
        }
        return new Plan(parsed, input, output, format, options, fusion, merge);
    }

    private static Dataset<Row> process(
            Dataset<Row> records, SparkRanking.Options options, SparkFusion.Options fusion) {
        Dataset<Row> ranked = SparkRanking.rank(records, options);
        return fusion == null ? ranked : SparkFusion.fuse(ranked, fusion);
    }

    private static void write(Dataset<Row> rows, String path, boolean parquet, SaveMode mode) {
        if (parquet) {
            SparkDatasets.writeParquet(rows, path, mode);
        } else {
            SparkDatasets.writeJsonl(rows, path, mode);
        }
    }
}
