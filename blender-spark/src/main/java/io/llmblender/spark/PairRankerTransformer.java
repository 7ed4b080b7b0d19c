package io.llmblender.spark;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * {@link SparkRanking} as a Spark ML {@link Transformer}, for a {@code Pipeline}: adds {@value SparkRanking#RANKING}
 * (ranker, aggregation, ranks, scores), optionally {@value SparkRanking#MATRIX}, and {@value SparkRanking#ERROR} to a
 * dataset of MixInstruct records, with one ranker per executor JVM and ranker name.
 *
 * <p><b>Params.</b> {@link #ranker()}: the ranker name, any {@link RankerHolder} takes (default
 * {@value RankerHolder#DEFAULT}); a PairRanker directory, as the class name says, or a name such as
 * {@code consensus}. {@link #batchSize()}: records per ranker call, at least 1
 * (default 8). {@link #withMatrix()}: add the matrix column (default false). {@link #threads()}: the ranker engine's
 * intra-op threads (default 1). Saved and loaded with the pipeline
 * ({@link DefaultParamsWritable}; {@link #read()}); the model itself is not copied, only its location.
 *
 * <p><b>Thread-safety.</b> As every Spark ML stage: set params before use from one thread; {@link #transform} may then
 * be called concurrently.
 */
public final class PairRankerTransformer extends Transformer implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> ranker;
    private final IntParam batchSize;
    private final BooleanParam withMatrix;
    private final IntParam threads;

    /** A transformer with a random uid and the default params. */
    public PairRankerTransformer() {
        this(Identifiable$.MODULE$.randomUID("pairRanker"));
    }

    /**
     * A transformer with a given uid (Spark ML's copy and load use this) and the default params.
     *
     * @param uid the stage's uid
     */
    public PairRankerTransformer(String uid) {
        this.uid = uid;
        this.ranker = new Param<>(
                this,
                "ranker",
                "the ranker: a name blender rank takes ('default', 'consensus', 'length', 'combined:FILE', ...), a"
                        + " PairRanker directory, or a directory shipped with the job");
        this.batchSize = new IntParam(this, "batchSize", "records per ranker call (>= 1)", ParamValidators.gtEq(1));
        this.withMatrix = new BooleanParam(this, "withMatrix", "whether to add the N x N matrix column");
        this.threads =
                new IntParam(this, "threads", "the ranker engine's intra-op threads (>= 1)", ParamValidators.gtEq(1));
        setDefault(threads, 1);
        setDefault(ranker, RankerHolder.DEFAULT);
        setDefault(batchSize, 8);
        setDefault(withMatrix, false);
    }

    /**
     * A reader for saved transformers (Spark ML calls it when loading a pipeline).
     *
     * @return the reader
     */
    public static MLReader<PairRankerTransformer> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * Loads a saved transformer.
     *
     * @param path where it was saved
     * @return the transformer
     */
    public static PairRankerTransformer load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * The ranker name param.
     *
     * @return the param
     */
    public Param<String> ranker() {
        return ranker;
    }

    /**
     * The batch size param.
     *
     * @return the param
     */
    public IntParam batchSize() {
        return batchSize;
    }

    /**
     * The matrix param.
     *
     * @return the param
     */
    public BooleanParam withMatrix() {
        return withMatrix;
    }

    /**
     * The engine threads param.
     *
     * @return the param
     */
    public IntParam threads() {
        return threads;
    }

    /**
     * Sets the ranker engine's intra-op threads.
     *
     * @param count at least 1
     * @return this transformer
     * @throws IllegalArgumentException if {@code count} is under 1
     */
    public PairRankerTransformer setThreads(int count) {
        set(threads, count);
        return this;
    }

    /**
     * Sets the ranker.
     *
     * @param location a ranker name, see {@link RankerHolder}
     * @return this transformer
     */
    public PairRankerTransformer setRanker(String location) {
        set(ranker, location);
        return this;
    }

    /**
     * Sets the batch size.
     *
     * @param records records per ranker call, at least 1
     * @return this transformer
     * @throws IllegalArgumentException if {@code records} is under 1
     */
    public PairRankerTransformer setBatchSize(int records) {
        set(batchSize, records);
        return this;
    }

    /**
     * Sets whether to add the matrix column.
     *
     * @param matrix whether to add it
     * @return this transformer
     */
    public PairRankerTransformer setWithMatrix(boolean matrix) {
        set(withMatrix, matrix);
        return this;
    }

    /**
     * The {@link SparkRanking} options the params give.
     *
     * @return the options
     */
    public SparkRanking.Options options() {
        return new SparkRanking.Options(
                $(ranker), (Integer) $(batchSize), (Boolean) $(withMatrix), (Integer) $(threads));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        return SparkRanking.rank(dataset.toDF(), options());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return SparkRanking.outputSchema(schema, (Boolean) $(withMatrix));
    }

    @Override
    public PairRankerTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
