package io.llmblender.spark;

import io.llmblender.core.rank.Aggregation;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Ranking;
import io.llmblender.core.rank.Rankings;
import io.llmblender.ranker.PairRanker;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Ranks the candidates of every MixInstruct record of a {@code Dataset<Row>} with a ranker, on Spark, as
 * {@code blender rank} does on one JVM.
 *
 * <p><b>Input.</b> Columns {@code instruction} and {@code input} (strings; a missing column or a null value is the
 * empty string) and {@code candidates}, an array of structs with a string field {@code text} (other fields, such as
 * {@code model} and {@code scores}, are kept and ignored). {@link SparkDatasets#readJsonl} gives that shape. As in
 * {@code blender rank}, the source the candidates answer is {@code instruction + input}, no separator.
 *
 * <p><b>Output.</b> Every input column, in order (but an input {@value #RANKING} column, which is replaced), then
 * {@value #RANKING}, the struct {@code blender rank} writes and {@code blender eval} reads ({@link #RANKING_TYPE}):
 * {@code {ranker: the ranker's name, aggregation: "max_logits", ranks: array<int> (1-based competition ranks, 1 the
 * best), scores: array<double> (one per candidate, higher is better)}}; then {@value #MATRIX}
 * ({@code array<array<double>>}, the N x N logit matrix, only with {@link Options#withMatrix()}) and {@value #ERROR}
 * (string). A record with one candidate gets score 0 and rank 1 without asking the ranker. A record that cannot be
 * ranked (no candidates, a null text, a model failure on that record, and for a PairRanker a text over
 * {@link PairRanker#MAX_TEXT_CHARS} characters or more than {@link PairRanker#MAX_CANDIDATES} candidates) gets a null
 * ranking and matrix and the reason in {@value #ERROR}; the job goes on. {@value #ERROR} is null for every ranked
 * record. Written as JSONL, a null column is left out of its line, so a ranked line is a {@code blender rank} line.
 *
 * <p><b>Execution.</b> A lazy {@code mapPartitions}: each task takes the JVM's ranker from {@link RankerHolder} (made
 * once per executor and ranker name) and ranks its partition's records {@link Options#batchSize()} at a time through
 * {@link Rankings#rankAll} (as {@code blender rank}), which lets a PairRanker pack the pairs of a batch together. If a
 * batch fails, its records are ranked one at a time so that only the failing ones get an error. Scores do not depend
 * on the batching beyond float rounding (about 1e-6). Parallelism is the dataset's partitions: repartition for more
 * tasks.
 *
 * <p><b>Thread-safety.</b> Stateless; safe for concurrent use. The function shipped to executors is serializable and
 * holds only the options and column positions.
 */
public final class SparkRanking {

    /** The ranking column: a {@link #RANKING_TYPE} struct, null when the record was not ranked. */
    public static final String RANKING = "ranking";
    /** The field of {@value #RANKING} holding the ranker's name. */
    public static final String RANKER = "ranker";
    /** The field of {@value #RANKING} naming the aggregation, {@value #MAX_LOGITS} here. */
    public static final String AGGREGATION = "aggregation";
    /** The field of {@value #RANKING} holding the ranks, one per candidate, 1 the best. */
    public static final String RANKS = "ranks";
    /** The field of {@value #RANKING} holding the scores, one per candidate, higher is better. */
    public static final String SCORES = "scores";
    /** The aggregation the jobs rank with, as {@code blender rank} names it. */
    public static final String MAX_LOGITS = "max_logits";

    /**
     * The type of {@value #RANKING}: {@code struct<ranker: string, aggregation: string, ranks: array<int>, scores:
     * array<double>>}, the field order {@code blender rank} writes.
     */
    public static final StructType RANKING_TYPE = new StructType()
            .add(RANKER, DataTypes.StringType, false)
            .add(AGGREGATION, DataTypes.StringType, false)
            .add(RANKS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add(SCORES, DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    /** The matrix column, only with {@link Options#withMatrix()}. */
    public static final String MATRIX = "matrix";
    /** The error column: null for a ranked record, else why it was not ranked. */
    public static final String ERROR = "error";

    private SparkRanking() {}

    /**
     * How to rank.
     *
     * @param ranker the ranker name, see {@link RankerHolder}; {@code null} for {@value RankerHolder#DEFAULT}
     * @param batchSize records per ranker call, at least 1 (default 8, as {@code blender rank})
     * @param withMatrix whether to add the {@value #MATRIX} column (default false)
     * @param threads the ranker engine's intra-op threads, at least 1 (default 1, PairRanker's): an executor's
     *     concurrent tasks share one ranker, so its cores already rank in parallel; more threads per call help when
     *     an executor has more cores than tasks; above 1 only for a PairRanker directory (see
     *     {@link RankerHolder#get(String, int)})
     */
    public record Options(String ranker, int batchSize, boolean withMatrix, int threads) implements Serializable {

        private static final long serialVersionUID = 1L;

        /**
         * Checks the options.
         *
         * @param ranker the ranker name, {@code null} for {@value RankerHolder#DEFAULT}
         * @param batchSize records per ranker call, at least 1
         * @param withMatrix whether to add the matrix column
         * @param threads the engine's threads, at least 1
         * @throws IllegalArgumentException if the batch size or the threads are under 1
         */
        public Options {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
        }

        /**
         * The defaults: the {@value RankerHolder#DEFAULT} ranker, batches of 8, no matrix, one engine thread.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(null, 8, false, 1);
        }

        /**
         * These options with another ranker.
         *
         * @param location the ranker name, see {@link RankerHolder}
         * @return new options
         */
        public Options withRanker(String location) {
            return new Options(location, batchSize, withMatrix, threads);
        }

        /**
         * These options with another batch size.
         *
         * @param records records per ranker call, at least 1
         * @return new options
         * @throws IllegalArgumentException if {@code records} is under 1
         */
        public Options withBatchSize(int records) {
            return new Options(ranker, records, withMatrix, threads);
        }

        /**
         * These options with or without the matrix column.
         *
         * @param matrix whether to add the {@value #MATRIX} column
         * @return new options
         */
        public Options withMatrix(boolean matrix) {
            return new Options(ranker, batchSize, matrix, threads);
        }

        /**
         * These options with another engine thread count.
         *
         * @param count the ranker engine's intra-op threads, at least 1
         * @return new options
         * @throws IllegalArgumentException if {@code count} is under 1
         */
        public Options withThreads(int count) {
            return new Options(ranker, batchSize, withMatrix, count);
        }
    }

    /**
     * Ranks with the default options (the {@value RankerHolder#DEFAULT} ranker, batches of 8, no matrix).
     *
     * @param records MixInstruct records, as described in the class comment
     * @return the records with the ranking columns, lazily computed
     * @throws IllegalArgumentException if the dataset has no {@code candidates} column or it is not an array of
     *     structs with a string field {@code text}, or it already has one of the output columns
     */
    public static Dataset<Row> rank(Dataset<Row> records) {
        return rank(records, Options.defaults());
    }

    /**
     * Ranks the candidates of every record.
     *
     * @param records MixInstruct records, as described in the class comment
     * @param options the ranker, batch size and whether to add the matrix
     * @return the records with the ranking columns, lazily computed
     * @throws IllegalArgumentException if the dataset has no {@code candidates} column or it is not an array of
     *     structs with a string field {@code text}, or it already has a {@value #MATRIX} or {@value #ERROR} column, or
     *     the ranker name is refused ({@link RankerHolder#check})
     */
    public static Dataset<Row> rank(Dataset<Row> records, Options options) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(options, "options");
        RankerHolder.check(options.ranker(), options.threads());
        if (Arrays.asList(records.columns()).contains(RANKING)) {
            records = records.drop(RANKING);
        }
        StructType in = records.schema();
        StructType out = outputSchema(in, options.withMatrix());
        RankPartition function = new RankPartition(options, in);
        return records.mapPartitions(function, Encoders.row(out));
    }

    /**
     * The schema {@link #rank(Dataset, Options)} returns for an input schema.
     *
     * @param in the input schema
     * @param withMatrix whether the matrix column is added
     * @return the input's fields (less a {@value #RANKING} column) followed by the ranking columns
     * @throws IllegalArgumentException as {@link #rank(Dataset, Options)}
     */
    public static StructType outputSchema(StructType in, boolean withMatrix) {
        candidateTextIndex(in);
        List<String> names = Arrays.asList(in.fieldNames());
        for (String column : List.of(MATRIX, ERROR)) {
            if (names.contains(column)) {
                throw new IllegalArgumentException("the dataset already has a column " + column);
            }
        }
        StructType out = new StructType();
        for (StructField field : in.fields()) {
            if (!field.name().equals(RANKING)) {
                out = out.add(field);
            }
        }
        out = out.add(RANKING, RANKING_TYPE, true);
        if (withMatrix) {
            out = out.add(
                    MATRIX,
                    DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType, false), false),
                    true);
        }
        return out.add(ERROR, DataTypes.StringType, true);
    }

    /** The index of {@code text} in the candidates' struct, after checking the column's type. */
    static int candidateTextIndex(StructType in) {
        List<String> names = Arrays.asList(in.fieldNames());
        if (!names.contains("candidates")) {
            throw new IllegalArgumentException("the dataset has no candidates column: " + in.simpleString());
        }
        StructField candidates = in.apply("candidates");
        if (!(candidates.dataType() instanceof ArrayType array)
                || !(array.elementType() instanceof StructType element)
                || !Arrays.asList(element.fieldNames()).contains("text")
                || !DataTypes.StringType.equals(element.apply("text").dataType())) {
            throw new IllegalArgumentException("candidates must be an array of structs with a string field text, got "
                    + candidates.dataType().simpleString());
        }
        return element.fieldIndex("text");
    }

    /** The function each task runs: batches its partition through the JVM's ranker. */
    private static final class RankPartition implements MapPartitionsFunction<Row, Row> {

        private static final long serialVersionUID = 1L;

        private final Options options;
        private final int instruction;
        private final int input;
        private final int candidates;
        private final int text;

        RankPartition(Options options, StructType in) {
            this.options = options;
            this.instruction = OptionalColumns.indexOf(in, "instruction");
            this.input = OptionalColumns.indexOf(in, "input");
            this.candidates = in.fieldIndex("candidates");
            this.text = candidateTextIndex(in);
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return PartitionBatches.map(
                    rows,
                    options.batchSize(),
                    batch -> rankBatch(RankerHolder.get(options.ranker(), options.threads()), batch));
        }

        private List<Row> rankBatch(Ranker ranker, List<Row> rows) {
            boolean pairRanker = ranker instanceof PairRanker;
            Object[] results = new Object[rows.size()];
            List<Integer> todo = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            List<List<String>> texts = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                String problem;
                List<String> candidateTexts = null;
                try {
                    candidateTexts = texts(row);
                    problem = check(candidateTexts, pairRanker);
                } catch (RuntimeException e) {
                    problem = BatchFallback.describe(e);
                }
                if (problem != null) {
                    results[i] = problem;
                } else if (candidateTexts.size() == 1) {
                    results[i] = Ranking.ofScores(0.0);
                } else {
                    todo.add(i);
                    sources.add(source(row));
                    texts.add(candidateTexts);
                }
            }
            BatchFallback.fill(
                    results,
                    todo,
                    () -> Rankings.rankAll(ranker, sources, texts, Aggregation.MAX_LOGITS),
                    k -> Rankings.rank(ranker, sources.get(k), texts.get(k)));
            String name = ranker.name();
            List<Row> out = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                out.add(withResult(rows.get(i), name, results[i]));
            }
            return out;
        }

        private List<String> texts(Row row) {
            if (row.isNullAt(candidates)) {
                return null;
            }
            List<Row> list = row.getList(candidates);
            List<String> out = new ArrayList<>(list.size());
            for (int c = 0; c < list.size(); c++) {
                Row candidate = list.get(c);
                if (candidate == null || candidate.isNullAt(text)) {
                    throw new IllegalArgumentException("candidate " + c + " has no text");
                }
                out.add(candidate.getString(text));
            }
            return out;
        }

        /** Why a record cannot be ranked before asking the ranker, or null; a PairRanker's limits only for one. */
        private static String check(List<String> texts, boolean pairRanker) {
            if (texts == null || texts.isEmpty()) {
                return "no candidates";
            }
            if (!pairRanker) {
                return null;
            }
            if (texts.size() > PairRanker.MAX_CANDIDATES) {
                return texts.size() + " candidates, more than the ranker's " + PairRanker.MAX_CANDIDATES;
            }
            for (int c = 0; c < texts.size(); c++) {
                if (texts.get(c).length() > PairRanker.MAX_TEXT_CHARS) {
                    return "candidate " + c + " has " + texts.get(c).length() + " characters, more than the ranker's "
                            + PairRanker.MAX_TEXT_CHARS;
                }
            }
            return null;
        }

        private String source(Row row) {
            return OptionalColumns.string(row, instruction) + OptionalColumns.string(row, input);
        }

        private Row withResult(Row row, String ranker, Object result) {
            Object[] added = new Object[options.withMatrix() ? 3 : 2];
            int at = 0;
            if (result instanceof Ranking ranking) {
                added[at++] = RowFactory.create(
                        ranker, MAX_LOGITS, RowValues.seq(ranking.ranks()), RowValues.seq(ranking.scores()));
                if (options.withMatrix()) {
                    added[at++] = ranking.matrix()
                            .map(m -> RowValues.seq(m.toArray()))
                            .orElse(null);
                }
                added[at] = null;
            } else {
                added[at++] = null;
                if (options.withMatrix()) {
                    added[at++] = null;
                }
                added[at] = result;
            }
            return RowValues.appended(row, added);
        }
    }
}
