package io.llmblender.spark;

import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Prompt;
import io.llmblender.fuser.GenFuser;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Fuses the top K candidates of every record into one answer with a {@link GenFuser}, on Spark, as
 * {@code blender fuse} does on one JVM.
 *
 * <p><b>Input.</b> MixInstruct records ({@code instruction}, {@code input}, {@code candidates} with a string field
 * {@code text}), usually ranked by {@link SparkRanking}: with a {@value SparkRanking#RANKING} column (a struct with an integer array {@value SparkRanking#RANKS}) the top K are the
 * best ranked (ties by candidate order); without one, the first K candidates in order. The prompt is
 * {@link Prompt#of(String, String)} of the instruction and input.
 *
 * <p><b>Output.</b> The input's columns, then {@value #FUSED} (the fused answer) and {@value #FUSE_ERROR} (null, or
 * why the record was not fused: no candidates, a blank instruction and input, no ranking while the record's
 * {@value SparkRanking#ERROR} says why, a model failure). A bad record never fails the job.
 *
 * <p><b>Execution.</b> A lazy {@code mapPartitions}; each executor loads the fuser once ({@link FuserHolder}), a task
 * fuses {@link Options#batchSize()} records per {@link GenFuser#fuseAll} call (one encoder pass and one decoding loop)
 * and, if a batch fails, its records one at a time. Each result equals fusing its record alone.
 *
 * <p><b>Thread-safety.</b> Stateless; safe for concurrent use.
 */
public final class SparkFusion {

    /** The fused answer column. */
    public static final String FUSED = "fused";
    /** The fusion error column: null for a fused record. */
    public static final String FUSE_ERROR = "fuse_error";

    private SparkFusion() {}

    /**
     * How to fuse.
     *
     * @param fuser the GenFuser model location, a directory or a name shipped with the job (see {@link FuserHolder})
     * @param topK candidates fused per record, at least 1 (default 3, as LLM-Blender)
     * @param batchSize records per fuser call, at least 1 (default 4)
     * @param maxNewTokens the most tokens a fusion generates, at least 1, or 0 (the default) for the fuser's own (128)
     */
    public record Options(String fuser, int topK, int batchSize, int maxNewTokens) implements Serializable {

        private static final long serialVersionUID = 1L;

        /**
         * Checks the options.
         *
         * @param fuser the model location, not blank
         * @param topK at least 1
         * @param batchSize at least 1
         * @param maxNewTokens at least 0
         * @throws IllegalArgumentException naming the option and its value when one is out of range
         */
        public Options {
            if (fuser == null || fuser.isBlank()) {
                throw new IllegalArgumentException("fuser must name a model directory, got " + fuser);
            }
            if (topK < 1) {
                throw new IllegalArgumentException("topK must be at least 1, got " + topK);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
            }
            if (maxNewTokens < 0) {
                throw new IllegalArgumentException(
                        "maxNewTokens must be 0 (the fuser's default) or more, got " + maxNewTokens);
            }
        }

        /**
         * The defaults for a fuser: top 3, batches of 4, the fuser's token budget.
         *
         * @param fuser the model location
         * @return the options
         */
        public static Options of(String fuser) {
            return new Options(fuser, 3, 4, 0);
        }

        /**
         * These options with another K.
         *
         * @param k candidates fused per record
         * @return new options
         */
        public Options withTopK(int k) {
            return new Options(fuser, k, batchSize, maxNewTokens);
        }

        /**
         * These options with another batch size.
         *
         * @param records records per fuser call
         * @return new options
         */
        public Options withBatchSize(int records) {
            return new Options(fuser, topK, records, maxNewTokens);
        }

        /**
         * These options with another token budget.
         *
         * @param tokens the most tokens a fusion generates, or 0 for the fuser's default
         * @return new options
         */
        public Options withMaxNewTokens(int tokens) {
            return new Options(fuser, topK, batchSize, tokens);
        }
    }

    /**
     * Adds the fused answer of every record.
     *
     * @param records MixInstruct records, ranked or not
     * @param options the fuser, K, batch size and token budget
     * @return the records with {@value #FUSED} and {@value #FUSE_ERROR}, lazily computed
     * @throws IllegalArgumentException if the dataset has no suitable {@code candidates} column, a
     *     {@value SparkRanking#RANKING} column that is not a struct with an integer array {@value SparkRanking#RANKS},
     *     or already has an output column
     */
    public static Dataset<Row> fuse(Dataset<Row> records, Options options) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(options, "options");
        StructType in = records.schema();
        SparkRanking.candidateTextIndex(in);
        List<String> names = Arrays.asList(in.fieldNames());
        for (String column : List.of(FUSED, FUSE_ERROR)) {
            if (names.contains(column)) {
                throw new IllegalArgumentException("the dataset already has a column " + column);
            }
        }
        if (names.contains(SparkRanking.RANKING)) {
            rankingRanksIndex(in);
        }
        StructType out = in.add(FUSED, DataTypes.StringType, true).add(FUSE_ERROR, DataTypes.StringType, true);
        return records.mapPartitions(new FusePartition(options, in), Encoders.row(out));
    }

    /** The position of {@code ranks} in the ranking struct, after checking its type. */
    static int rankingRanksIndex(StructType in) {
        if (in.apply(SparkRanking.RANKING).dataType() instanceof StructType ranking
                && Arrays.asList(ranking.fieldNames()).contains(SparkRanking.RANKS)
                && ranking.apply(SparkRanking.RANKS).dataType() instanceof ArrayType a
                && (a.elementType().equals(DataTypes.IntegerType)
                        || a.elementType().equals(DataTypes.LongType))) {
            return ranking.fieldIndex(SparkRanking.RANKS);
        }
        throw new IllegalArgumentException("ranking must be a struct with an integer array ranks, got "
                + in.apply(SparkRanking.RANKING).dataType().simpleString());
    }

    /** The function each task runs. */
    private static final class FusePartition implements MapPartitionsFunction<Row, Row> {

        private static final long serialVersionUID = 1L;

        private final Options options;
        private final int instruction;
        private final int input;
        private final int candidates;
        private final int text;
        private final int ranking;
        private final int ranks;
        private final int error;

        FusePartition(Options options, StructType in) {
            this.options = options;
            this.instruction = OptionalColumns.indexOf(in, "instruction");
            this.input = OptionalColumns.indexOf(in, "input");
            this.candidates = in.fieldIndex("candidates");
            this.text = SparkRanking.candidateTextIndex(in);
            this.ranking = OptionalColumns.indexOf(in, SparkRanking.RANKING);
            this.ranks = ranking < 0 ? -1 : rankingRanksIndex(in);
            this.error = OptionalColumns.indexOf(in, SparkRanking.ERROR);
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return PartitionBatches.map(
                    rows,
                    options.batchSize(),
                    batch -> fuseBatch(FuserHolder.get(options.fuser(), options.maxNewTokens()), batch));
        }

        private List<Row> fuseBatch(GenFuser fuser, List<Row> rows) {
            Object[] results = new Object[rows.size()];
            List<Integer> todo = new ArrayList<>();
            List<Prompt> prompts = new ArrayList<>();
            List<List<String>> picked = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                try {
                    List<String> top = top(rows.get(i));
                    Prompt prompt = prompt(rows.get(i));
                    todo.add(i);
                    prompts.add(prompt);
                    picked.add(top);
                } catch (IllegalArgumentException e) {
                    results[i] = e.getMessage();
                }
            }
            BatchFallback.fill(
                    results,
                    todo,
                    () -> fuser.fuseAll(prompts, picked),
                    k -> fuser.fuse(prompts.get(k), picked.get(k)));
            List<Row> out = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                out.add(
                        results[i] instanceof Fusion fusion
                                ? RowValues.appended(row, fusion.text(), null)
                                : RowValues.appended(row, null, results[i]));
            }
            return out;
        }

        private Prompt prompt(Row row) {
            try {
                return Prompt.of(OptionalColumns.string(row, instruction), OptionalColumns.string(row, input));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "fields instruction and input are both blank: there is nothing to answer", e);
            }
        }

        /** The K best candidates' texts, best first, or an IllegalArgumentException saying why there are none. */
        private List<String> top(Row row) {
            if (row.isNullAt(candidates) || row.getList(candidates).isEmpty()) {
                throw new IllegalArgumentException("no candidates");
            }
            List<Row> list = row.getList(candidates);
            List<String> texts = new ArrayList<>(list.size());
            for (int c = 0; c < list.size(); c++) {
                if (list.get(c) == null || list.get(c).isNullAt(text)) {
                    throw new IllegalArgumentException("candidate " + c + " has no text");
                }
                texts.add(list.get(c).getString(text));
            }
            List<Integer> order = new ArrayList<>();
            for (int c = 0; c < texts.size(); c++) {
                order.add(c);
            }
            if (ranking >= 0) {
                Row rankingRow = row.isNullAt(ranking) ? null : row.getStruct(ranking);
                if (rankingRow == null || rankingRow.isNullAt(ranks)) {
                    String why = error >= 0 && !row.isNullAt(error) ? row.getString(error) : "no ranks";
                    throw new IllegalArgumentException("not ranked: " + why);
                }
                List<Number> rankList = rankingRow.getList(ranks);
                if (rankList.size() != texts.size()) {
                    throw new IllegalArgumentException(rankList.size() + " ranks for " + texts.size() + " candidates");
                }
                order.sort(
                        Comparator.<Integer>comparingLong(c -> rankList.get(c).longValue())
                                .thenComparingInt(c -> c));
            }
            List<String> top = new ArrayList<>(options.topK());
            for (int c : order.subList(0, Math.min(options.topK(), order.size()))) {
                top.add(texts.get(c));
            }
            return top;
        }
    }
}
