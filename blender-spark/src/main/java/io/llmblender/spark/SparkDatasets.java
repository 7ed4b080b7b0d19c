package io.llmblender.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads and writes MixInstruct datasets as JSONL and Parquet on Spark.
 *
 * <p><b>Schema.</b> {@link #MIXINSTRUCT} is read explicitly rather than inferred, so that every file gives the same
 * columns (a candidate's {@code scores} is a {@code map<string,double>}, not a struct of whatever metrics the first
 * lines had) and nothing is read twice. Fields absent from a line are null; fields not in the schema are dropped.
 * A line that is not JSON, or whose values do not fit the schema, is kept with every field null and the line in
 * {@value #CORRUPT_RECORD} (Spark's {@code PERMISSIVE} mode): {@link SparkRanking} then reports it as a record
 * with no candidates instead of failing the job.
 *
 * <p><b>Thread-safety.</b> Stateless; safe for concurrent use.
 */
public final class SparkDatasets {

    /** The column holding a JSONL line that did not parse. */
    public static final String CORRUPT_RECORD = "_corrupt_record";

    /**
     * MixInstruct records: {@code id}, {@code instruction}, {@code input}, {@code output} (strings) and
     * {@code candidates}, an array of {@code {model, decoding_method, text, scores: map<string,double>}}.
     */
    public static final StructType MIXINSTRUCT = new StructType()
            .add("id", DataTypes.StringType)
            .add("instruction", DataTypes.StringType)
            .add("input", DataTypes.StringType)
            .add("output", DataTypes.StringType)
            .add(
                    "candidates",
                    DataTypes.createArrayType(new StructType()
                            .add("model", DataTypes.StringType)
                            .add("decoding_method", DataTypes.StringType)
                            .add("text", DataTypes.StringType)
                            .add("scores", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))));

    private SparkDatasets() {}

    /**
     * Reads MixInstruct JSONL, one record per line, with the {@link #MIXINSTRUCT} schema plus {@value #CORRUPT_RECORD}.
     *
     * @param spark the session
     * @param path a file, a directory of files, or a glob, anywhere Spark reads (local, HDFS, S3 with its connector)
     * @return the records, lazily read
     */
    public static Dataset<Row> readJsonl(SparkSession spark, String path) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(path, "path");
        return spark.read()
                .schema(MIXINSTRUCT.add(CORRUPT_RECORD, DataTypes.StringType))
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
                .json(path);
    }

    /**
     * Reads Parquet files, with the schema they were written with.
     *
     * @param spark the session
     * @param path a file, a directory or a glob
     * @return the rows, lazily read
     */
    public static Dataset<Row> readParquet(SparkSession spark, String path) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(path, "path");
        return spark.read().parquet(path);
    }

    /**
     * Writes rows as JSONL: a directory of {@code part-*} files, one per partition, one JSON object per line. Null
     * fields are left out of a line, as Spark does.
     *
     * @param rows the rows
     * @param path the output directory
     * @param mode what to do when the directory exists ({@link SaveMode#ErrorIfExists} fails)
     */
    public static void writeJsonl(Dataset<Row> rows, String path, SaveMode mode) {
        Objects.requireNonNull(rows, "rows");
        rows.write().mode(Objects.requireNonNull(mode, "mode")).json(Objects.requireNonNull(path, "path"));
    }

    /**
     * Writes rows as Parquet: a directory of {@code part-*} files, one per partition.
     *
     * @param rows the rows
     * @param path the output directory
     * @param mode what to do when the directory exists ({@link SaveMode#ErrorIfExists} fails)
     */
    public static void writeParquet(Dataset<Row> rows, String path, SaveMode mode) {
        Objects.requireNonNull(rows, "rows");
        rows.write().mode(Objects.requireNonNull(mode, "mode")).parquet(Objects.requireNonNull(path, "path"));
    }

    /**
     * Concatenates the part files under a directory (and its {@code chunk=NNNNN} subdirectories, as
     * {@link ChunkedOutput} writes them), in path order, into one file: for JSONL, one JSONL file ({@code blender eval
     * --input}, {@code blender train-router --records}).
     *
     * @param spark the session, for the Hadoop configuration
     * @param dir the directory Spark wrote
     * @param file the file to write, replaced if it exists
     * @return how many part files were merged
     * @throws UncheckedIOException if a file cannot be read or written
     */
    public static int mergeParts(SparkSession spark, String dir, String file) {
        try {
            Path root = new Path(dir);
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            List<Path> parts = new ArrayList<>();
            collectParts(fs, root, parts);
            parts.sort(null);
            Path target = new Path(file);
            FileSystem targetFs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (OutputStream out = targetFs.create(target, true)) {
                for (Path part : parts) {
                    try (InputStream in = fs.open(part)) {
                        in.transferTo(out);
                    }
                }
            }
            return parts.size();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot merge the part files of " + dir + " into " + file + ": " + e.getMessage(), e);
        }
    }

    private static void collectParts(FileSystem fs, Path dir, List<Path> parts) throws IOException {
        for (FileStatus status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            if (status.isDirectory() && name.startsWith("chunk=")) {
                collectParts(fs, status.getPath(), parts);
            } else if (status.isFile() && name.startsWith("part-")) {
                parts.add(status.getPath());
            }
        }
    }
}
