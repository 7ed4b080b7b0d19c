package io.llmblender.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Writes a job's output chunk by chunk so that a killed job, run again with the same arguments, goes on where it
 * stopped: every input record is written exactly once, and chunks already written are not computed again.
 *
 * <p><b>Chunks.</b> The input's rows are numbered in the order Spark reads them ({@code zipWithIndex}: file splits in
 * Spark's order, lines in file order, the same for the same files and settings) and cut into chunks of
 * {@code chunkRecords} consecutive rows. Chunk {@code c} is computed by one Spark job over {@code partitions} tasks
 * and written by the caller's {@link ChunkWriter}, which must replace whatever the chunk's directories hold (Spark's
 * {@code SaveMode.Overwrite}); then the chunk is <em>committed</em>: a marker {@code OUTPUT/_chunks/c} is written
 * under a temporary name and renamed (atomic on HDFS and local file systems). A chunk without its marker is written
 * again from scratch on the next run, so a chunk cut short by a kill leaves no duplicate. Directories whose names
 * start with {@code _} are skipped by Spark's readers, so reading {@code OUTPUT} gives only the written rows (plus a
 * {@code chunk} column from the {@code chunk=NNNNN} directory names of {@link #chunkDir}).
 *
 * <p><b>Cost.</b> The numbered input is persisted (memory, then the executors' disks) for the run and counted once;
 * chunks run one after another, so a chunk should hold many times more records than the job has task slots.
 *
 * <p><b>Same job only.</b> The first run writes {@code OUTPUT/_chunks/_job}: the caller's description of the job
 * (input, model, format...), the chunk size and the number of input records. A later run on the same output with a
 * different description fails instead of mixing two jobs' chunks.
 *
 * <p><b>Thread-safety.</b> Stateless; concurrent calls must use different outputs.
 */
public final class ChunkedOutput {

    /** The directory of commit markers and the job description, under the output. */
    public static final String MARKERS = "_chunks";

    private static final String JOB = "_job";
    private static final String INDEX = "_blender_chunk";

    private ChunkedOutput() {}

    /** Writes one chunk's rows. */
    @FunctionalInterface
    public interface ChunkWriter {
        /**
         * Writes a chunk, replacing any partial output an earlier, killed run left for it.
         *
         * @param rows the chunk's input rows, in {@code partitions} partitions
         * @param chunk the chunk's number, from 0
         */
        void write(Dataset<Row> rows, int chunk);
    }

    /**
     * What a run did.
     *
     * @param records the input records
     * @param chunks the chunks they make
     * @param skipped the chunks an earlier run had committed, not computed again
     */
    public record Result(long records, int chunks, int skipped) {}

    /**
     * The directory a writer should use for a chunk: {@code OUTPUT/chunk=NNNNN}.
     *
     * @param output the output directory
     * @param chunk the chunk number
     * @return the chunk's directory
     */
    public static String chunkDir(String output, int chunk) {
        return output + "/chunk=" + String.format(Locale.ROOT, "%05d", chunk);
    }

    /**
     * Writes every chunk not committed yet, in order, and commits each once its writer returns.
     *
     * @param spark the session
     * @param input the input rows, read the same way on every run
     * @param chunkRecords records per chunk, at least 1
     * @param partitions tasks per chunk, at least 1
     * @param output the output directory (any Hadoop file system)
     * @param job a description of the job that must be the same on every run over this output
     * @param writer writes a chunk
     * @return the records, chunks and chunks skipped
     * @throws IllegalArgumentException if a number is under 1, or the output holds another job's chunks
     * @throws UncheckedIOException if the markers cannot be read or written
     */
    public static Result write(
            SparkSession spark,
            Dataset<Row> input,
            int chunkRecords,
            int partitions,
            String output,
            String job,
            ChunkWriter writer) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(writer, "writer");
        if (chunkRecords < 1) {
            throw new IllegalArgumentException("chunk records must be at least 1, got " + chunkRecords);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        StructType schema = input.schema();
        if (Arrays.asList(schema.fieldNames()).contains(INDEX)) {
            throw new IllegalArgumentException("the input already has a column " + INDEX);
        }
        long size = chunkRecords;
        JavaRDD<Row> numbered =
                input.javaRDD().zipWithIndex().map(pair -> RowValues.appended(pair._1(), pair._2() / size));
        Dataset<Row> indexed = spark.createDataFrame(numbered, schema.add(INDEX, DataTypes.LongType, false))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long records = indexed.count();
            int chunks = Math.toIntExact((records + chunkRecords - 1) / chunkRecords);
            Path markers = new Path(output, MARKERS);
            FileSystem fs = markers.getFileSystem(spark.sparkContext().hadoopConfiguration());
            checkJob(
                    fs,
                    new Path(markers, JOB),
                    job + "\nchunk records " + chunkRecords + "\nrecords " + records + "\n");
            int skipped = 0;
            for (int c = 0; c < chunks; c++) {
                Path marker = new Path(markers, Integer.toString(c));
                if (fs.exists(marker)) {
                    skipped++;
                    continue;
                }
                Dataset<Row> rows = indexed.filter(functions.col(INDEX).equalTo((long) c))
                        .drop(INDEX)
                        .repartition(partitions);
                writer.write(rows, c);
                commit(fs, marker, "chunk " + c + "\n");
            }
            return new Result(records, chunks, skipped);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read or write the chunk markers under " + output + ": " + e.getMessage(), e);
        } finally {
            indexed.unpersist();
        }
    }

    /**
     * Deletes an output directory and everything in it, if it exists.
     *
     * @param spark the session, for the Hadoop configuration
     * @param output the directory
     * @throws UncheckedIOException if it cannot be deleted
     */
    public static void delete(SparkSession spark, String output) {
        Path path = new Path(output);
        try {
            path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + output + ": " + e.getMessage(), e);
        }
    }

    private static void checkJob(FileSystem fs, Path file, String job) throws IOException {
        if (fs.exists(file)) {
            String before;
            try (FSDataInputStream in = fs.open(file)) {
                before = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!before.equals(job)) {
                throw new IllegalArgumentException("the output "
                        + file.getParent().getParent() + " holds chunks of"
                        + " another job; it was started as [" + before.strip().replace('\n', ';') + "], this run is ["
                        + job.strip().replace('\n', ';') + "]: use another output, or --overwrite");
            }
        } else {
            commit(fs, file, job);
        }
    }

    /** Writes a small file under a temporary name, then renames it into place. */
    private static void commit(FileSystem fs, Path file, String content) throws IOException {
        Path temp = new Path(file.getParent(), "." + file.getName() + ".tmp");
        try (OutputStream out = fs.create(temp, true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        if (!fs.rename(temp, file)) {
            throw new IOException("cannot rename " + temp + " to " + file);
        }
    }
}
