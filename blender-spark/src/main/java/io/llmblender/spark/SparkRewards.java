package io.llmblender.spark;

import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.ReferenceMode;
import io.llmblender.ranker.PairRanker;
import io.llmblender.router.label.RewardPipeline;
import io.llmblender.router.label.RewardRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Labels MixInstruct records with router rewards on Spark: the same records {@link RewardPipeline#fromRanker} makes on
 * one JVM (rank-with-reference: each LLM's answer gets {@code -(M[ref][c] - M[c][ref])} against the reference answer a
 * {@link ReferenceMode} picks, the reference 0), computed with one ranker per executor JVM and ranker name
 * ({@link RankerHolder}) and written as the JSONL that {@code blender train-router --records} reads.
 *
 * <p><b>Input.</b> As {@link SparkRanking}: {@code instruction}, {@code input} and {@code candidates} (an array of
 * structs with string fields {@code model} and {@code text}); {@code id} is kept when present. A record's query is
 * {@code instruction + input}, as {@code blender train-router --dataset} makes it.
 *
 * <p><b>LLMs.</b> Every record must have exactly one candidate per LLM of {@link Options#llms()} (any order); the
 * rewards are listed in that order. Without a list, {@link #label} takes the list of candidate models (in candidate
 * order) that most records have, ties to the smallest list: one aggregation over the input, run on the driver's
 * call, which a few bad records do not sway.
 *
 * <p><b>Output.</b> {@value #ID} (string, null when the input has none), {@value #QUERY} (string), {@value #REWARDS}
 * ({@code map<string,double>}, LLM order kept), {@value #TAGS} ({@code array<string>}, empty) and {@value #ERROR}
 * (null, or why the record has no rewards: a line that is not JSON, no candidates, a missing, repeated or unknown
 * model, a null text, for a PairRanker a text over {@link PairRanker#MAX_TEXT_CHARS} characters, a model failure). A bad record never
 * fails the job. {@link #write} writes the good records as reward records and the bad ones to a side output.
 *
 * <p><b>Execution.</b> A lazy {@code mapPartitions}; a task sends {@link Options#batchSize()} records at a time to
 * {@link RewardPipeline#fromRanker} (one {@code scoreAll} request per batch) and, if a batch fails, its records one at
 * a time, so that only the failing ones get an error.
 *
 * <p><b>Thread-safety.</b> Stateless; safe for concurrent use.
 */
public final class SparkRewards {

    /** The id column, copied from the input. */
    public static final String ID = "id";
    /** The query column. */
    public static final String QUERY = "query";
    /** The rewards column: LLM name to reward. */
    public static final String REWARDS = "rewards";
    /** The tags column, always empty here: tags come later ({@code train-router --tags}). */
    public static final String TAGS = "tags";
    /** The error column: null for a labelled record. */
    public static final String ERROR = "error";

    /** The schema of {@link #label}'s output. */
    public static final StructType SCHEMA = new StructType()
            .add(ID, DataTypes.StringType, true)
            .add(QUERY, DataTypes.StringType, false)
            .add(REWARDS, DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), true)
            .add(TAGS, DataTypes.createArrayType(DataTypes.StringType, false), true)
            .add(ERROR, DataTypes.StringType, true);

    private SparkRewards() {}

    /**
     * How to label.
     *
     * @param ranker the ranker name, see {@link RankerHolder}; {@code null} for {@value RankerHolder#DEFAULT}
     * @param batchSize records per ranker request, at least 1 (default 8)
     * @param mode which answer is the reference (default {@link ReferenceMode#LONGEST}, LLM-Blender's)
     * @param llms the LLMs in reward order, distinct and not blank; {@code null} (the default) to take the models most
     *     records have; copied
     * @param threads the ranker engine's intra-op threads, at least 1 (default 1), as in {@link SparkRanking.Options}
     */
    public record Options(String ranker, int batchSize, ReferenceMode mode, List<String> llms, int threads)
            implements Serializable {

        private static final long serialVersionUID = 1L;

        /**
         * Checks and copies the options.
         *
         * @param ranker the ranker name, {@code null} for {@value RankerHolder#DEFAULT}
         * @param batchSize records per ranker request, at least 1
         * @param mode the reference mode, not null
         * @param llms the LLMs, or {@code null}
         * @param threads the engine's threads, at least 1
         * @throws IllegalArgumentException if the batch size or the threads are under 1, or an LLM name is blank or
         *     repeated
         * @throws NullPointerException if the mode is null
         */
        public Options {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            Objects.requireNonNull(mode, "mode");
            if (llms != null) {
                llms = List.copyOf(llms);
                if (llms.isEmpty()) {
                    throw new IllegalArgumentException("llms must not be empty when given");
                }
                Set<String> seen = new HashSet<>();
                for (String llm : llms) {
                    if (llm.isBlank() || !seen.add(llm)) {
                        throw new IllegalArgumentException("llms must be distinct and not blank, got " + llms);
                    }
                }
            }
        }

        /**
         * The defaults: the {@value RankerHolder#DEFAULT} ranker, batches of 8, the longest answer as reference, the LLMs most records
         * have.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(null, 8, ReferenceMode.LONGEST, null, 1);
        }

        /**
         * These options with another ranker.
         *
         * @param location the ranker name, see {@link RankerHolder}
         * @return new options
         */
        public Options withRanker(String location) {
            return new Options(location, batchSize, mode, llms, threads);
        }

        /**
         * These options with another batch size.
         *
         * @param records records per ranker request, at least 1
         * @return new options
         */
        public Options withBatchSize(int records) {
            return new Options(ranker, records, mode, llms, threads);
        }

        /**
         * These options with another reference mode.
         *
         * @param reference the mode
         * @return new options
         */
        public Options withMode(ReferenceMode reference) {
            return new Options(ranker, batchSize, reference, llms, threads);
        }

        /**
         * These options with an explicit LLM list.
         *
         * @param names the LLMs in reward order, or {@code null} to take the models most records have
         * @return new options
         */
        public Options withLlms(List<String> names) {
            return new Options(ranker, batchSize, mode, names, threads);
        }

        /**
         * These options with another engine thread count.
         *
         * @param count the ranker engine's intra-op threads, at least 1
         * @return new options
         */
        public Options withThreads(int count) {
            return new Options(ranker, batchSize, mode, llms, count);
        }
    }

    /**
     * Labels every record.
     *
     * @param records MixInstruct records, as in the class comment
     * @param options the ranker, batch size, reference mode and LLMs
     * @return one row per record in {@link #SCHEMA}, lazily computed
     * @throws IllegalArgumentException if the dataset has no suitable {@code candidates} column, or no LLM list is
     *     given and no record has candidates (the LLMs are then computed before this method returns), or the ranker
     *     name is refused ({@link RankerHolder#check})
     */
    public static Dataset<Row> label(Dataset<Row> records, Options options) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(options, "options");
        RankerHolder.check(options.ranker(), options.threads());
        StructType in = records.schema();
        SparkRanking.candidateTextIndex(in);
        if (!Arrays.asList(candidateStruct(in).fieldNames()).contains("model")) {
            throw new IllegalArgumentException("candidates must have a field model, got "
                    + in.apply("candidates").dataType().simpleString());
        }
        Options resolved = options.llms() != null ? options : options.withLlms(commonLlms(records));
        return records.mapPartitions(new LabelPartition(resolved, in), Encoders.row(SCHEMA));
    }

    private static StructType candidateStruct(StructType in) {
        return (StructType) ((ArrayType) in.apply("candidates").dataType()).elementType();
    }

    /**
     * The list of candidate models (in candidate order) that most records have, ties to the smallest list, with
     * repeats dropped: what {@link #label} uses when no LLMs are given. One aggregation over the records.
     *
     * @param records MixInstruct records
     * @return the LLMs
     * @throws IllegalArgumentException if no record has candidates, or that list has a candidate without a model
     */
    public static List<String> commonLlms(Dataset<Row> records) {
        Column models = functions.col("candidates.model");
        List<Row> top = records.filter(
                        functions.size(functions.col("candidates")).gt(0))
                .groupBy(models.as("models"))
                .count()
                .orderBy(functions.col("count").desc(), functions.col("models").asc())
                .limit(1)
                .collectAsList();
        if (top.isEmpty()) {
            throw new IllegalArgumentException(
                    "no record has candidates, so the LLMs cannot be taken from the data; give them (--llms)");
        }
        List<String> list = top.get(0).getList(0);
        if (list.contains(null)) {
            throw new IllegalArgumentException("the commonest candidates list has a candidate without a model: " + list
                    + "; give the LLMs (--llms)");
        }
        return new ArrayList<>(new LinkedHashSet<>(list));
    }

    /**
     * Writes labelled rows: the good ones as reward records ({@value #QUERY}, {@value #REWARDS}, {@value #TAGS}: the
     * JSONL {@code blender train-router --records} reads, one {@code part-*} file per partition) and, when
     * {@code errorsPath} is not null, the bad ones ({@value #ID}, {@value #QUERY}, {@value #ERROR}) as JSONL there.
     * Each output is computed from {@code labelled} once: cache it to label once for both.
     *
     * @param labelled rows from {@link #label}
     * @param recordsPath the reward records' directory
     * @param errorsPath the side output's directory, or {@code null} to drop the bad records
     * @param mode what to do when a directory exists
     */
    public static void write(Dataset<Row> labelled, String recordsPath, String errorsPath, SaveMode mode) {
        Objects.requireNonNull(labelled, "labelled");
        SparkDatasets.writeJsonl(
                labelled.filter(functions.col(ERROR).isNull()).select(QUERY, REWARDS, TAGS), recordsPath, mode);
        if (errorsPath != null) {
            SparkDatasets.writeJsonl(
                    labelled.filter(functions.col(ERROR).isNotNull()).select(ID, QUERY, ERROR), errorsPath, mode);
        }
    }

    /** The function each task runs. */
    private static final class LabelPartition implements MapPartitionsFunction<Row, Row> {

        private static final long serialVersionUID = 1L;

        private final Options options;
        private final int id;
        private final int instruction;
        private final int input;
        private final int candidates;
        private final int model;
        private final int text;
        private final int corrupt;

        LabelPartition(Options options, StructType in) {
            this.options = options;
            this.id = OptionalColumns.indexOf(in, ID);
            this.instruction = OptionalColumns.indexOf(in, "instruction");
            this.input = OptionalColumns.indexOf(in, "input");
            this.corrupt = OptionalColumns.indexOf(in, SparkDatasets.CORRUPT_RECORD);
            this.candidates = in.fieldIndex("candidates");
            StructType element = candidateStruct(in);
            this.model = element.fieldIndex("model");
            this.text = element.fieldIndex("text");
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return PartitionBatches.map(
                    rows,
                    options.batchSize(),
                    batch -> labelBatch(RankerHolder.get(options.ranker(), options.threads()), batch));
        }

        private List<Row> labelBatch(Ranker ranker, List<Row> rows) {
            boolean pairRanker = ranker instanceof PairRanker;
            Object[] results = new Object[rows.size()];
            List<Integer> todo = new ArrayList<>();
            List<String> queries = new ArrayList<>();
            List<List<String>> answers = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                try {
                    List<String> ordered = answers(rows.get(i), pairRanker);
                    todo.add(i);
                    queries.add(query(rows.get(i)));
                    answers.add(ordered);
                } catch (IllegalArgumentException e) {
                    results[i] = e.getMessage();
                }
            }
            BatchFallback.fill(
                    results,
                    todo,
                    () -> RewardPipeline.fromRanker(ranker, queries, answers, options.llms(), options.mode()),
                    k -> RewardPipeline.fromRanker(
                                    ranker,
                                    List.of(queries.get(k)),
                                    List.of(answers.get(k)),
                                    options.llms(),
                                    options.mode())
                            .get(0));
            List<Row> out = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                String rowId = id < 0 || row.isNullAt(id) ? null : String.valueOf(row.get(id));
                if (results[i] instanceof RewardRecord record) {
                    out.add(RowFactory.create(
                            rowId, record.query(), RowValues.map(record.rewards()), RowValues.seq(List.of()), null));
                } else {
                    out.add(RowFactory.create(rowId, query(row), null, null, results[i]));
                }
            }
            return out;
        }

        /** The answers in LLM order, or an IllegalArgumentException saying why there are none. */
        private List<String> answers(Row row, boolean pairRanker) {
            if (corrupt >= 0 && !row.isNullAt(corrupt)) {
                throw new IllegalArgumentException("not a MixInstruct JSON record");
            }
            if (row.isNullAt(candidates) || row.getList(candidates).isEmpty()) {
                throw new IllegalArgumentException("no candidates");
            }
            List<Row> list = row.getList(candidates);
            Map<String, String> byModel = new HashMap<>();
            for (int c = 0; c < list.size(); c++) {
                Row candidate = list.get(c);
                if (candidate == null || candidate.isNullAt(model)) {
                    throw new IllegalArgumentException("candidate " + c + " has no model");
                }
                String name = candidate.getString(model);
                if (candidate.isNullAt(text)) {
                    throw new IllegalArgumentException("candidate " + c + " (model " + name + ") has no text");
                }
                String answer = candidate.getString(text);
                if (pairRanker && answer.length() > PairRanker.MAX_TEXT_CHARS) {
                    throw new IllegalArgumentException("candidate " + c + " (model " + name + ") has " + answer.length()
                            + " characters, more than the ranker's " + PairRanker.MAX_TEXT_CHARS);
                }
                if (!options.llms().contains(name)) {
                    throw new IllegalArgumentException(
                            "candidate " + c + " has model " + name + ", not one of " + options.llms());
                }
                if (byModel.put(name, answer) != null) {
                    throw new IllegalArgumentException("model " + name + " has two candidates");
                }
            }
            List<String> ordered = new ArrayList<>(options.llms().size());
            for (String llm : options.llms()) {
                String answer = byModel.get(llm);
                if (answer == null) {
                    throw new IllegalArgumentException("no candidate of model " + llm);
                }
                ordered.add(answer);
            }
            return ordered;
        }

        private String query(Row row) {
            return OptionalColumns.string(row, instruction) + OptionalColumns.string(row, input);
        }
    }
}
