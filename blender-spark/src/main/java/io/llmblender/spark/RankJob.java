package io.llmblender.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A job for {@code spark-submit}: ranks a MixInstruct JSONL dataset with {@link SparkRanking} and writes it as JSONL
 * or Parquet.
 *
 * <pre>
 * spark-submit --class io.llmblender.spark.RankJob [--archives ranker.tgz#ranker] blender-spark-job.jar \
 *     --input IN --output OUT_DIR [--format jsonl|parquet] [--ranker DIR|default] [--batch 8] [--partitions N]
 *     [--matrix] [--overwrite] [--chunk RECORDS]
 * </pre>
 *
 * <p><b>Options.</b> {@code --input}: a JSONL file, directory or glob. {@code --output}: the output directory, one
 * {@code part-*} file per partition; an existing one fails the job unless {@code --overwrite}. {@code --format}:
 * {@code jsonl} (the default) or {@code parquet}. {@code --ranker}: a model location as
 * {@link RankerHolder#resolve(String)} reads it (default: the shipped ranker). {@code --batch}: records per ranker call
 * (default 8). {@code --partitions}: repartition the input into this many tasks first (default: as read).
 * {@code --matrix}: add the N x N matrix column. {@code --chunk}: write the output in chunks of this many input
 * records, {@code OUTPUT/chunk=NNNNN/part-*}, each committed on its own ({@link ChunkedOutput}), so that the same
 * command run again after a kill skips the committed chunks and writes every record exactly once; an existing output
 * is then resumed rather than refused ({@code --overwrite} starts afresh), and {@code --partitions} (default: Spark's
 * default parallelism) is the tasks per chunk. Records that cannot be ranked are written with their reason in the
 * {@value SparkRanking#ERROR} column.
 *
 * <p>The jar must carry blender-spark and its non-Spark dependencies (the ranker and its DJL engine natives for the
 * executors' platform), not Spark itself.
 *
 * <p><b>Thread-safety.</b> Stateless; {@link #run(SparkSession, String...)} may be called concurrently with different
 * outputs.
 */
public final class RankJob {

    private RankJob() {
    }

    /**
     * Runs the job with the session {@code spark-submit} configured, then stops it.
     *
     * @param args the options in the class comment
     * @throws IllegalArgumentException if an option is unknown, lacks its value or has a bad one
     */
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("blender-rank").getOrCreate();
        try {
            run(spark, args);
        } finally {
            spark.stop();
        }
    }

    /**
     * Runs the job on a session and waits until the output is written.
     *
     * @param spark the session
     * @param args the options in the class comment
     * @return how many records were written (ranked or with an error)
     * @throws IllegalArgumentException if an option is unknown, lacks its value or has a bad one
     */
    public static long run(SparkSession spark, String... args) {
        String input = null;
        String output = null;
        String format = "jsonl";
        SparkRanking.Options options = SparkRanking.Options.defaults();
        int partitions = 0;
        int chunk = 0;
        boolean overwrite = false;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String option = rest.remove(0);
            switch (option) {
                case "--input" -> input = value(rest, option);
                case "--output" -> output = value(rest, option);
                case "--format" -> format = value(rest, option).toLowerCase(Locale.ROOT);
                case "--ranker" -> options = options.withRanker(value(rest, option));
                case "--batch" -> options = options.withBatchSize(number(rest, option));
                case "--partitions" -> partitions = number(rest, option);
                case "--chunk" -> chunk = number(rest, option);
                case "--matrix" -> options = options.withMatrix(true);
                case "--overwrite" -> overwrite = true;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (input == null || output == null) {
            throw new IllegalArgumentException("--input and --output are required");
        }
        if (!format.equals("jsonl") && !format.equals("parquet")) {
            throw new IllegalArgumentException("--format must be jsonl or parquet, got " + format);
        }
        Dataset<Row> records = SparkDatasets.readJsonl(spark, input);
        if (chunk > 0) {
            if (overwrite) {
                ChunkedOutput.delete(spark, output);
            }
            SparkRanking.Options chosen = options;
            String out = output;
            String job = "blender rank\ninput " + input + "\nformat " + format + "\nranker "
                    + (options.ranker() == null ? RankerHolder.DEFAULT : options.ranker()) + "\nmatrix "
                    + options.withMatrix();
            boolean parquet = format.equals("parquet");
            int tasks = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
            return ChunkedOutput.write(spark, records, chunk, tasks, output, job, (rows, c) -> {
                Dataset<Row> ranked = SparkRanking.rank(rows, chosen);
                if (parquet) {
                    SparkDatasets.writeParquet(ranked, ChunkedOutput.chunkDir(out, c), SaveMode.Overwrite);
                } else {
                    SparkDatasets.writeJsonl(ranked, ChunkedOutput.chunkDir(out, c), SaveMode.Overwrite);
                }
            }).records();
        }
        if (partitions > 0) {
            records = records.repartition(partitions);
        }
        // Cached so that counting the output does not rank twice.
        Dataset<Row> ranked = SparkRanking.rank(records, options).cache();
        try {
            SaveMode mode = overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
            if (format.equals("parquet")) {
                SparkDatasets.writeParquet(ranked, output, mode);
            } else {
                SparkDatasets.writeJsonl(ranked, output, mode);
            }
            return ranked.count();
        } finally {
            ranked.unpersist();
        }
    }

    private static String value(List<String> rest, String option) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return rest.remove(0);
    }

    private static int number(List<String> rest, String option) {
        String value = value(rest, option);
        try {
            int n = Integer.parseInt(value);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a positive integer, got " + value, e);
        }
    }
}
