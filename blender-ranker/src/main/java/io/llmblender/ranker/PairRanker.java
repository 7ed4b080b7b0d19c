package io.llmblender.ranker;

import ai.djl.Device;
import ai.djl.util.ZipUtils;
import io.llmblender.core.check.Require;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.rank.Aggregation;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.CompareMode;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Ranking;
import io.llmblender.core.rank.Rankings;
import io.llmblender.core.rank.ReferenceMode;
import io.llmblender.djl.CloseGuard;
import io.llmblender.djl.DeviceChoice;
import io.llmblender.ranker.internal.MicroBatches;
import io.llmblender.ranker.internal.PairModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * LLM-Blender's PairRanker: a cross-encoder, loaded with DJL from an exported model directory, that
 * scores ordered pairs of candidate answers into the N x N logit matrix.
 *
 * <p><b>Model directory.</b> {@code ranker_config.json} (our format: architecture, layout, special
 * and prefix tokens, max lengths, vocabulary size, precision and the model file of each precision),
 * a Hugging Face {@code tokenizer.json} and model files taking {@code input_ids} and
 * {@code attention_mask} (int64, {@code [B, T]}). A file ending {@code .onnx} runs on DJL's
 * OnnxRuntime engine, any other is TorchScript on DJL's PyTorch engine; the same encoding,
 * batching and matrix code serves both. Two architectures:
 * <ul>
 *   <li>{@code pair} (the default): a cross-encoder returning one logit per pair row, N(N-1) rows
 *       for N candidates. {@code models/export_pairrm.py} writes one from
 *       {@code llm-blender/PairRM-hf}; {@code models/make_tiny_pairranker.py} writes random ones
 *       for tests.</li>
 *   <li>{@code segment}: an encoder returning one normalised vector per text read alone, plus a
 *       pair head ({@code head_file}): {@code M[i][j] = g(s, c_i) - g(s, c_j)}, N + 1 encoder
 *       passes for N candidates, and the same logits the segment model gives whole pair rows (each
 *       candidate is cut exactly as in a row with its source). The shipped ranker
 *       ({@code blender-ranker-minilm}) is one; {@code models/export_segment_ranker.py} writes
 *       them.</li>
 *   <li>{@code reward}: a pointwise cross-encoder reward model ({@code models/reward_common.py}): one row
 *       {@code [CLS] prompt [SEP] answer [SEP]} per candidate (layout {@code plain}, no prefixes; the
 *       prompt cut to {@code source_max_length} ids keeping half head and half tail, the answer to
 *       {@code candidate_max_length} keeping three quarters head and one quarter tail), the model
 *       returning the mean-pooled vector, and a reward head ({@code head_file}) reading it with the
 *       answer's length features: {@code M[i][j] = r_i - r_j}. N encoder passes for N candidates;
 *       the matrix is antisymmetric and transitive by construction. {@code models/export_reward_ranker.py}
 *       writes them from a {@code models/train_reward_ranker.py} checkpoint.</li>
 * </ul> Everything is checked at load: a missing file, a tokenizer without a token the layout
 * needs, or a vocabulary larger than the model's embeddings is a {@link ModelLoadException} naming
 * the file and the problem.
 *
 * <p><b>Encoding</b> follows LLM-Blender exactly (see {@code PairEncoder}): source = instruction +
 * input; each of source, candidate 1, candidate 2 in its own {@code [CLS] prefix text [SEP]}
 * segment; per-example truncation budgets; SEP and prefix tokens in user text replaced by spaces.
 *
 * <p><b>Speed.</b> Unlike the reference's one forward pass per ordered pair, a call tokenizes each
 * distinct text once, builds pair rows from the cached ids, sorts rows by length and packs them
 * into micro-batches of at most {@link Builder#tokenBudget(int)} padded tokens and
 * {@link Builder#maxBatchRows(int)} rows, padding each batch only to its own longest row.
 * {@link #scoreAll(List)} packs the pairs of many sources together. A pair's logit does not depend
 * on what it is batched with, up to float rounding (about 1e-6).
 *
 * <p><b>Limits.</b> A source or candidate may hold at most {@value #MAX_TEXT_CHARS} characters
 * (only its first few hundred tokens are read; a text of more than 65,536 characters is cut at a
 * space after room for them before tokenizing, which gives exactly the same tokens when the
 * tokenizer splits on white space, so a 4-million-character answer of words ranks in milliseconds;
 * a text without white space near the cut is tokenized whole, about 1.5 s per million characters
 * on a 2-core machine) and a query at most {@value #MAX_CANDIDATES} candidates (N(N-1) pairs in full
 * mode); past either an {@link IllegalArgumentException} names the text and its length. Any other
 * string is accepted: empty and blank texts, control characters, lone surrogates, right-to-left
 * and CJK scripts, emoji; the literal separator and prefix tokens in user text become a space, as
 * in the reference.
 *
 * <p><b>Precision and threads.</b> {@link Builder#precision} picks the model file: by default
 * fp16 on a GPU where the export has one, else fp32; int8 only when asked for (one text per
 * call, so that a text's score never depends on its batch). {@link Builder#threads}
 * sets the engine's threads (default 1). A segment or reward ranker keeps up to
 * {@link Builder#cacheSize} vectors between calls.
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use; concurrent calls give the results sequential
 * calls give. Each concurrently calling thread gets its own DJL predictor. No native memory
 * survives a call. {@link #close()} waits for calls in flight and frees the model; later calls
 * throw {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (PairRanker ranker = PairRanker.load(Path.of("models/pairrm"))) {
 *     Ranking ranking = ranker.rank("How do I treat a cold?", List.of(answerA, answerB, answerC));
 * }
 * }</pre>
 */
public final class PairRanker implements Ranker {

    /** The longest source or candidate, in characters, a call accepts. */
    public static final int MAX_TEXT_CHARS = 4_000_000;

    /** The most candidates one query may rank. */
    public static final int MAX_CANDIDATES = 256;

    /** Rows of one scoring chunk: bounds the memory of a {@link #scoreAll} over a large dataset. */
    private static final int CHUNK_ROWS = 8192;

    private final String name;
    private final RankerConfig config;
    private final PairEncoder encoder;
    private final PairModel model;
    private final SegmentScoring segments;
    private final RewardScoring rewards;
    private final String modelFile;
    private final int tokenBudget;
    private final int maxBatchRows;
    /** Calls in flight finish before close frees the model and tokenizer; later calls throw. */
    private final CloseGuard guard;

    private PairRanker(
            Builder builder,
            RankerConfig config,
            PairEncoder encoder,
            PairModel model,
            String modelFile,
            SegmentHead head,
            RewardHead rewardHead,
            boolean int8) {
        this.name = builder.name != null ? builder.name : config.name();
        this.guard = new CloseGuard("PairRanker " + name);
        this.config = config;
        this.encoder = encoder;
        this.model = model;
        this.modelFile = modelFile;
        this.tokenBudget = builder.tokenBudget != null ? builder.tokenBudget : Builder.DEFAULT_TOKEN_BUDGET;
        this.maxBatchRows = builder.maxBatchRows != null ? builder.maxBatchRows : Builder.DEFAULT_MAX_BATCH_ROWS;
        int cacheSize = builder.cacheSize != null ? builder.cacheSize : Builder.DEFAULT_CACHE_SIZE;
        this.segments = head == null
                ? null
                : new SegmentScoring(encoder, model, head, tokenBudget, int8 ? 1 : maxBatchRows, cacheSize);
        this.rewards = rewardHead == null
                ? null
                : new RewardScoring(
                        encoder,
                        model,
                        rewardHead,
                        config.sourceMaxLength(),
                        config.candidateMaxLength(),
                        tokenBudget,
                        int8 ? 1 : maxBatchRows,
                        cacheSize);
    }

    /**
     * Loads a ranker from a local model directory with the defaults of {@link Builder}.
     *
     * @param dir the exported model directory
     * @return the ranker; close it when done
     * @throws ModelLoadException if a file is missing or the parts do not fit together
     */
    public static PairRanker load(Path dir) {
        return builder(dir).build();
    }

    /**
     * Starts a builder for a local model directory.
     *
     * @param dir the exported model directory
     * @return a builder
     */
    public static Builder builder(Path dir) {
        return new Builder(Require.nonNull(dir, "dir"), null);
    }

    /**
     * Starts a builder for a model fetched from a URL: a {@code file:} URI of a directory, or any
     * URL the JDK can open ({@code file:}, {@code http(s):}, {@code jar:}) of a zip archive holding
     * the directory's files. An archive is unpacked once into {@link Builder#cacheDirectory(Path)}
     * and reused by later loads of the same URL. Needs network only for remote URLs.
     *
     * @param uri where the model is
     * @return a builder
     */
    public static Builder builder(URI uri) {
        return new Builder(null, Require.nonNull(uri, "uri"));
    }

    /** The model's name from its configuration, or the name given to the builder. */
    @Override
    public String name() {
        return name;
    }

    /**
     * The longest row this ranker builds: {@code source_max_length + 2 * candidate_max_length}; for a reward ranker
     * {@code source_max_length + candidate_max_length + 3} (one answer per row).
     *
     * @return the maximum row length in tokens
     */
    public int maxRowLength() {
        return config.maxRowLength();
    }

    /**
     * A label-free ranker by embedding consensus over this ranker's encoder: each candidate's score is its mean
     * cosine similarity to the other candidates, {@code s_i = (1/(N-1)) sum_{j != i} cos(v_i, v_j)}, with {@code v}
     * the vector this segment ranker computes for the candidate read alone (one encoder pass per text, shared with
     * {@link #score} through the vector cache), and {@code M[i][j] = s_i - s_j}. Below three candidates, where
     * consensus has nothing to say, it returns this ranker's own matrix. The returned ranker does not own this one:
     * closing it does nothing, and it fails once this ranker is closed. Thread-safe.
     *
     * @return the consensus ranker, named {@code consensus-embedding(NAME)}
     * @throws IllegalStateException if this is not a segment ranker (a cross-encoder has no text vectors)
     */
    public Ranker embeddingConsensus() {
        if (segments == null) {
            throw new IllegalStateException(
                    "ranker '" + name() + "' is a cross-encoder: embedding consensus needs a segment ranker");
        }
        return new EmbeddingConsensus(this);
    }

    /** The vectors of {@link #embeddingConsensus()}; one per candidate. */
    float[][] candidateVectors(PairQuery query) {
        Require.nonNull(query, "query");
        requireLength(query.source(), "source");
        for (int c = 0; c < query.candidates().size(); c++) {
            requireLength(query.candidates().get(c), "candidates[" + c + "]");
        }
        guard.enter();
        try {
            return segments.candidateVectors(query);
        } finally {
            guard.exit();
        }
    }

    /**
     * Scores the requested ordered pairs of one query in packed micro-batches.
     *
     * @param query the source, candidates and pairs
     * @return the matrix, with exactly the requested off-diagonal pairs computed
     * @throws InferenceException if the model fails
     * @throws IllegalStateException if the ranker is closed
     */
    @Override
    public PairwiseMatrix score(PairQuery query) {
        Require.nonNull(query, "query");
        return scoreAll(List.of(query)).get(0);
    }

    /**
     * Scores many queries, packing the pairs of all of them into shared micro-batches (in chunks
     * of a few thousand rows to bound memory).
     *
     * @param queries the queries
     * @return one matrix per query, in order
     * @throws InferenceException if the model fails
     * @throws IllegalStateException if the ranker is closed
     */
    @Override
    public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
        Require.nonNull(queries, "queries");
        for (int i = 0; i < queries.size(); i++) {
            PairQuery query = Require.nonNull(queries.get(i), "queries[" + i + "]");
            String where = queries.size() == 1 ? "" : "queries[" + i + "].";
            if (query.candidates().size() > MAX_CANDIDATES) {
                throw new IllegalArgumentException(
                        where + "candidates must be at most " + MAX_CANDIDATES + " (PairRanker.MAX_CANDIDATES), found "
                                + query.candidates().size());
            }
            requireLength(query.source(), where + "source");
            for (int c = 0; c < query.candidates().size(); c++) {
                requireLength(query.candidates().get(c), where + "candidates[" + c + "]");
            }
        }
        guard.enter();
        try {
            List<PairwiseMatrix> out = new ArrayList<>(queries.size());
            int start = 0;
            while (start < queries.size()) {
                int end = start;
                int rows = 0;
                while (end < queries.size()
                        && (end == start || rows + queries.get(end).pairs().size() <= CHUNK_ROWS)) {
                    rows += queries.get(end).pairs().size();
                    end++;
                }
                out.addAll(scoreChunk(queries.subList(start, end)));
                start = end;
            }
            return out;
        } finally {
            guard.exit();
        }
    }

    private List<PairwiseMatrix> scoreChunk(List<PairQuery> queries) {
        if (segments != null) {
            return segments.score(queries);
        }
        if (rewards != null) {
            return rewards.score(queries);
        }
        List<String> sources = new ArrayList<>(queries.size());
        Map<String, Integer> textIndex = new LinkedHashMap<>();
        int[][] candidateIndex = new int[queries.size()][];
        int rowCount = 0;
        for (int q = 0; q < queries.size(); q++) {
            PairQuery query = queries.get(q);
            sources.add(query.source());
            candidateIndex[q] = new int[query.candidates().size()];
            for (int c = 0; c < candidateIndex[q].length; c++) {
                candidateIndex[q][c] =
                        textIndex.computeIfAbsent(query.candidates().get(c), t -> textIndex.size());
            }
            for (CandidatePair pair : query.pairs()) {
                if (pair.first() != pair.second()) {
                    rowCount++;
                }
            }
        }
        int[][] sourceSegments = encoder.sourceSegments(sources);
        int[][] bodies = rowCount == 0 ? new int[0][] : encoder.candidateBodies(new ArrayList<>(textIndex.keySet()));

        // One entry per row: query, slot-1 candidate, slot-2 candidate, length.
        int[] rowQuery = new int[rowCount];
        int[] rowFirst = new int[rowCount];
        int[] rowSecond = new int[rowCount];
        int[] rowLength = new int[rowCount];
        int r = 0;
        for (int q = 0; q < queries.size(); q++) {
            for (CandidatePair pair : queries.get(q).pairs()) {
                if (pair.first() == pair.second()) {
                    continue;
                }
                rowQuery[r] = q;
                rowFirst[r] = pair.first();
                rowSecond[r] = pair.second();
                rowLength[r] = encoder.rowLength(
                        sourceSegments[q],
                        bodies[candidateIndex[q][pair.first()]],
                        bodies[candidateIndex[q][pair.second()]]);
                r++;
            }
        }
        double[] logits = new double[rowCount];
        for (int[] batch : MicroBatches.pack(rowLength, tokenBudget, maxBatchRows)) {
            int length = rowLength[batch[batch.length - 1]];
            long[] ids = new long[batch.length * length];
            long[] mask = new long[batch.length * length];
            for (int b = 0; b < batch.length; b++) {
                int row = batch[b];
                int q = rowQuery[row];
                int written = encoder.writeRow(
                        sourceSegments[q],
                        bodies[candidateIndex[q][rowFirst[row]]],
                        bodies[candidateIndex[q][rowSecond[row]]],
                        ids,
                        b * length);
                Arrays.fill(mask, b * length, b * length + written, 1L);
                Arrays.fill(ids, b * length + written, (b + 1) * length, encoder.padId());
            }
            float[] out = model.forward(new PairModel.Batch(ids, mask, batch.length, length));
            for (int b = 0; b < batch.length; b++) {
                if (!Float.isFinite(out[b])) {
                    throw new InferenceException("the ranker model returned a non-finite logit " + out[b]
                            + " for a pair of query " + rowQuery[batch[b]]);
                }
                logits[batch[b]] = out[b];
            }
        }
        List<PairwiseMatrix.Builder> builders = new ArrayList<>(queries.size());
        for (PairQuery query : queries) {
            builders.add(PairwiseMatrix.builder(query.candidates().size()));
        }
        for (int row = 0; row < rowCount; row++) {
            builders.get(rowQuery[row]).set(rowFirst[row], rowSecond[row], logits[row]);
        }
        List<PairwiseMatrix> out = new ArrayList<>(queries.size());
        for (PairwiseMatrix.Builder builder : builders) {
            out.add(builder.build());
        }
        return out;
    }

    /**
     * Ranks candidates with max-logits over all N(N-1) ordered pairs.
     *
     * @param source the text the candidates answer (instruction + input)
     * @param candidates the candidates, at least one
     * @return the ranking, carrying the matrix
     * @throws InferenceException if the model fails
     */
    public Ranking rank(String source, List<String> candidates) {
        return Rankings.rank(this, source, candidates);
    }

    /**
     * Ranks the candidates of many sources with max-logits, packing all their pairs together.
     *
     * @param sources one source per example
     * @param candidates the candidates of each example
     * @return one ranking per example, in order
     * @throws IllegalArgumentException if the lists differ in size
     * @throws InferenceException if the model fails
     */
    public List<Ranking> rank(List<String> sources, List<List<String>> candidates) {
        return Rankings.rankAll(this, sources, candidates, Aggregation.MAX_LOGITS);
    }

    /**
     * Compares two candidates in both orders: {@code M[a][b] - M[b][a]}, positive when {@code a}
     * is better. See {@link Rankings#compare} for the single-order modes.
     *
     * @param source the text both candidates answer
     * @param a the first candidate
     * @param b the second candidate
     * @return the comparison value
     * @throws InferenceException if the model fails
     */
    public double compare(String source, String a, String b) {
        return Rankings.compare(this, source, a, b, CompareMode.BOTH_ORDERS);
    }

    /**
     * Compares two multi-turn conversations sharing their user turns, as LLM-Blender's
     * {@code compare_conversations}; positive when {@code a} is better.
     *
     * @param a conversation A: USER, ASSISTANT, USER, ASSISTANT, ...
     * @param b conversation B with the same user turns
     * @return the comparison value, both orders
     * @throws IllegalArgumentException if the conversations are malformed or differ in user turns
     * @throws InferenceException if the model fails
     */
    public double compareConversations(List<ChatMessage> a, List<ChatMessage> b) {
        return Rankings.compareConversations(this, a, b, CompareMode.BOTH_ORDERS);
    }

    /**
     * Rank-with-reference rewards: the longest candidate (by characters) is the reference and each
     * candidate {@code c} gets {@code -(M[ref][c] - M[c][ref])}; the reference gets 0. This turns
     * the pairwise model into a scalar reward model, as used to label router training data.
     *
     * @param source the text the candidates answer
     * @param candidates the candidates, at least one
     * @return one reward per candidate, in order
     * @throws InferenceException if the model fails
     */
    public double[] rewards(String source, List<String> candidates) {
        return Rankings.rewards(this, source, candidates, ReferenceMode.LONGEST);
    }

    /**
     * The token ids of one ordered pair, exactly as they are fed to the model: for inspecting the
     * encoding and for comparing with another implementation.
     *
     * @param source the source text
     * @param candidate1 the candidate in slot 1
     * @param candidate2 the candidate in slot 2
     * @return the row's token ids
     * @throws UnsupportedOperationException for a reward ranker, whose rows hold one answer each
     */
    public long[] encodePair(String source, String candidate1, String candidate2) {
        requireLength(Require.nonNull(source, "source"), "source");
        requireLength(Require.nonNull(candidate1, "candidate1"), "candidate1");
        requireLength(Require.nonNull(candidate2, "candidate2"), "candidate2");
        if (rewards != null) {
            throw new UnsupportedOperationException("encodePair: the reward ranker " + name
                    + " reads one answer per row ([CLS] prompt [SEP] answer [SEP]), not pair rows");
        }
        guard.enter();
        try {
            return encoder.encodePair(source, candidate1, candidate2);
        } finally {
            guard.exit();
        }
    }

    /**
     * A reward ranker's row for one answer, exactly as the model reads it: for tests and comparisons with Python.
     *
     * @throws IllegalStateException if this is not a reward ranker
     */
    long[] rewardRow(String prompt, String answer) {
        guard.enter();
        try {
            return requireRewards().row(prompt, answer);
        } finally {
            guard.exit();
        }
    }

    /**
     * A reward ranker's rewards {@code r_i} of answers to one prompt (through the vector cache), so that
     * {@code M[i][j] = r_i - r_j}: for tests and comparisons with Python.
     *
     * @throws IllegalStateException if this is not a reward ranker
     */
    double[] rewardsOf(String prompt, List<String> answers) {
        guard.enter();
        try {
            return requireRewards().rewards(prompt, answers);
        } finally {
            guard.exit();
        }
    }

    private RewardScoring requireRewards() {
        if (rewards == null) {
            throw new IllegalStateException(name + " is not a reward ranker");
        }
        return rewards;
    }

    /**
     * Runs rows through the model exactly as given, one micro-batch, padded to the longest:
     * the raw engine, for tests and benchmarks that compare with {@link #score}.
     */
    float[] forwardRows(List<long[]> rows) {
        int length = 0;
        for (long[] row : rows) {
            length = Math.max(length, row.length);
        }
        PairModel.Batch batch =
                PairModel.Batch.of(rows, IntStream.range(0, rows.size()).toArray(), length, encoder.padId());
        guard.enter();
        try {
            return model.forward(batch);
        } finally {
            guard.exit();
        }
    }

    /** Waits for calls in flight, then frees the model and tokenizer. Idempotent. */
    @Override
    public void close() {
        guard.close(() -> {
            model.close();
            encoder.close();
        });
    }

    private static void requireLength(String text, String field) {
        if (text.length() > MAX_TEXT_CHARS) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_TEXT_CHARS
                    + " characters (PairRanker.MAX_TEXT_CHARS), found " + text.length());
        }
    }

    /**
     * The model file this ranker runs, relative to its directory ({@code .onnx}: OnnxRuntime, else TorchScript on
     * PyTorch): which precision and engine {@link Builder#precision} chose.
     *
     * @return the file name
     */
    public String modelFile() {
        return modelFile;
    }

    @Override
    public String toString() {
        return "PairRanker[" + name + ", " + config.architecture().name().toLowerCase(java.util.Locale.ROOT) + ", "
                + config.layout().name().toLowerCase(java.util.Locale.ROOT) + ", " + modelFile + ", maxRow="
                + config.maxRowLength()
                + (rewards != null
                        ? ", prompt=" + config.sourceMaxLength() + ", answer=" + config.candidateMaxLength()
                        : "")
                + "]";
    }

    /**
     * Options for loading a {@link PairRanker}. Not thread-safe; {@link #build()} may be called
     * more than once, each time loading a new ranker.
     *
     * <p>Each setter may be called at most once; a second call throws {@link IllegalStateException}
     * naming the setting and both values (Caffeine style). The value is validated first: an invalid
     * value is refused with its own exception even on a second call.
     */
    public static final class Builder {
        private static final int DEFAULT_TOKEN_BUDGET = 16_384;
        private static final int DEFAULT_MAX_BATCH_ROWS = 64;
        private static final int DEFAULT_CACHE_SIZE = 4096;
        private static final int DEFAULT_THREADS = 1;

        private final Path dir;
        private final URI uri;
        private String name;
        private String device;
        private Precision precision;
        private Integer tokenBudget;
        private Integer maxBatchRows;
        private Path cacheDirectory;
        private Integer threads;
        private Integer cacheSize;

        private Builder(Path dir, URI uri) {
            this.dir = dir;
            this.uri = uri;
        }

        /**
         * The name recorded as provenance. Default: the {@code name} in {@code ranker_config.json}.
         *
         * @param name a non-blank name
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder name(String name) {
            Require.nonBlank(name, "name");
            Require.unset(this.name, "name", name, Require::quote);
            this.name = name;
            return this;
        }

        /**
         * The device to run on, as DJL names it: {@code "cpu"}, {@code "gpu"}, {@code "gpu1"} (the second GPU).
         * Default: the first GPU when DJL's PyTorch engine sees one, else the CPU; for an export whose
         * model files are all ONNX, the CPU (OnnxRuntime runs there; the PyTorch engine is not started).
         *
         * @param device the device name
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder device(String device) {
            Require.nonBlank(device, "device");
            Require.unset(this.device, "device", device, Require::quote);
            this.device = device;
            return this;
        }

        /**
         * The precision. Default: the {@code precision} in {@code ranker_config.json}, itself
         * {@link Precision#AUTO} by default (fp16 on GPU when the export has an fp16 file).
         *
         * @param precision the precision
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder precision(Precision precision) {
            Require.nonNull(precision, "precision");
            Require.unset(this.precision, "precision", precision);
            this.precision = precision;
            return this;
        }

        /**
         * The most padded tokens (rows x longest row) in one micro-batch. A row longer than the
         * budget runs alone. Default 16384; larger budgets use more memory per call.
         *
         * @param tokens a positive token count
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder tokenBudget(int tokens) {
            Require.positive(tokens, "tokenBudget");
            Require.unset(this.tokenBudget, "tokenBudget", tokens);
            this.tokenBudget = tokens;
            return this;
        }

        /**
         * The most rows in one micro-batch. Default 64.
         *
         * @param rows a positive row count
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder maxBatchRows(int rows) {
            Require.positive(rows, "maxBatchRows");
            Require.unset(this.maxBatchRows, "maxBatchRows", rows);
            this.maxBatchRows = rows;
            return this;
        }

        /**
         * Intra-op threads of the model's engine. OnnxRuntime models get their own pool of this many threads (and
         * one inter-op thread); PyTorch's thread count is process-wide, so for a TorchScript model this sets it for
         * every PyTorch model in the JVM (the last load wins). Default 1: on two cores one thread per call ranks
         * fastest and leaves a core for a concurrent call (README, Performance, measured with ranker-engines); a
         * single caller on a large machine may gain from more.
         *
         * @param threads a positive thread count
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder threads(int threads) {
            Require.positive(threads, "threads");
            Require.unset(this.threads, "threads", threads);
            this.threads = threads;
            return this;
        }

        /**
         * The most vectors a segment or reward ranker keeps between calls, keyed by exact token ids, so that
         * ranking the same answers again skips the model; 0 keeps none. Ignored by pair-row models. Default 4096 (about
         * 6 MB for 384-wide vectors).
         *
         * @param vectors a non-negative count
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder cacheSize(int vectors) {
            if (vectors < 0) {
                throw new IllegalArgumentException("cacheSize must be at least 0, found " + vectors);
            }
            Require.unset(this.cacheSize, "cacheSize", vectors);
            this.cacheSize = vectors;
            return this;
        }

        /**
         * Where archives loaded from a URL are unpacked. Default:
         * {@code ~/.cache/llm-blender-jvm/rankers}.
         *
         * @param dir the cache directory
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder cacheDirectory(Path dir) {
            Require.nonNull(dir, "cacheDirectory");
            Require.unset(this.cacheDirectory, "cacheDirectory", dir);
            this.cacheDirectory = dir;
            return this;
        }

        /**
         * Loads the ranker: reads and checks the configuration and tokenizer, loads the model and
         * runs one test row through it holding the tokenizer's largest token id.
         *
         * @return the ranker; close it when done
         * @throws ModelLoadException naming the file and the problem
         */
        public PairRanker build() {
            Path home = dir != null ? dir : fetch(uri);
            if (!Files.isDirectory(home)) {
                throw new ModelLoadException("PairRanker model directory does not exist: " + home);
            }
            RankerConfig config = RankerConfig.read(home);
            // An export whose files are all ONNX never starts the PyTorch engine (no PyTorch native build needed).
            boolean torch = !PairModel.isOnnx(config.modelFile())
                    || (config.fp16ModelFile() != null && !PairModel.isOnnx(config.fp16ModelFile()));
            Device target = DeviceChoice.pick(device, torch);
            Precision wanted = precision != null ? precision : config.precision();
            String file = modelFile(config, wanted, target, home);
            boolean segment = config.architecture() == RankerConfig.Architecture.SEGMENT;
            SegmentHead head = segment ? SegmentHead.read(home.resolve(config.headFile()), config.hiddenSize()) : null;
            boolean reward = config.architecture() == RankerConfig.Architecture.REWARD;
            RewardHead rewardHead =
                    reward ? RewardHead.read(home.resolve(config.headFile()), config.hiddenSize()) : null;
            PairEncoder encoder = PairEncoder.load(home, config);
            PairModel model = null;
            try {
                model = PairModel.load(home, file, target, threads != null ? threads : DEFAULT_THREADS);
                PairRanker ranker = new PairRanker(
                        this, config, encoder, model, file, head, rewardHead, file.equals(config.int8ModelFile()));
                ranker.checkFits(home.resolve(file));
                return ranker;
            } catch (RuntimeException e) {
                if (model != null) {
                    model.close();
                }
                encoder.close();
                throw e;
            }
        }

        private static String modelFile(RankerConfig config, Precision wanted, Device device, Path home) {
            Precision chosen = switch (wanted) {
                case FP32, FP16, INT8 -> wanted;
                case AUTO -> device.isGpu() && config.fp16ModelFile() != null ? Precision.FP16 : Precision.FP32;
            };
            if (chosen == Precision.FP16 && config.fp16ModelFile() == null) {
                throw new ModelLoadException("precision FP16 needs an fp16 model file, but "
                        + home.resolve(RankerConfig.FILE_NAME) + " has no field 'fp16_model_file'");
            }
            if (chosen == Precision.INT8 && config.int8ModelFile() == null) {
                throw new ModelLoadException("precision INT8 needs an int8 model file, but "
                        + home.resolve(RankerConfig.FILE_NAME) + " has no field 'int8_model_file'");
            }
            return switch (chosen) {
                case FP16 -> config.fp16ModelFile();
                case INT8 -> config.int8ModelFile();
                default -> config.modelFile();
            };
        }

        private Path fetch(URI source) {
            if ("file".equals(source.getScheme()) && Files.isDirectory(Path.of(source))) {
                return Path.of(source);
            }
            Path cache = cacheDirectory != null
                    ? cacheDirectory
                    : Path.of(System.getProperty("user.home"), ".cache", "llm-blender-jvm", "rankers");
            Path target = cache.resolve(sha256(source.toString()).substring(0, 16));
            if (Files.isRegularFile(target.resolve(RankerConfig.FILE_NAME))) {
                return target;
            }
            Path partial = cache.resolve(
                    target.getFileName() + ".partial-" + ProcessHandle.current().pid());
            try (InputStream in = source.toURL().openStream()) {
                Files.createDirectories(partial);
                ZipUtils.unzip(in, partial);
                Path home = singleDirectory(partial);
                Files.move(home, target);
                return target;
            } catch (IOException | RuntimeException e) {
                throw new ModelLoadException("cannot fetch a PairRanker archive from " + source + ": " + e, e);
            }
        }

        /** The unpacked model directory: the archive's root, or its only top-level folder. */
        private static Path singleDirectory(Path root) throws IOException {
            if (Files.isRegularFile(root.resolve(RankerConfig.FILE_NAME))) {
                return root;
            }
            try (var children = Files.list(root)) {
                List<Path> all = children.toList();
                if (all.size() == 1 && Files.isDirectory(all.get(0))) {
                    return all.get(0);
                }
            }
            throw new IOException("the archive holds no " + RankerConfig.FILE_NAME + " at its root or in one folder");
        }

        private static String sha256(String text) {
            try {
                return HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Runs one short row through the model with the tokenizer's largest id in it, so that a model
     * whose embeddings are smaller than the vocabulary, or whose inputs or outputs are not what
     * this ranker expects, fails at load rather than at the first call.
     */
    private void checkFits(Path file) {
        if (segments != null || rewards != null) {
            checkSegmentFits(file);
            return;
        }
        long[] row = encoder.encodePair("a", "b", "c");
        long[] probe = row.clone();
        probe[2] = encoder.maxTokenId(); // inside the source segment, after its prefix
        try {
            float[] logits = forwardRows(List.of(row, probe));
            if (!Float.isFinite(logits[0]) || !Float.isFinite(logits[1])) {
                throw new ModelLoadException("the model " + file + " returned non-finite logits on a test row");
            }
        } catch (InferenceException e) {
            throw new ModelLoadException(
                    "the model " + file + " fails on a test row holding the tokenizer's largest"
                            + " token id " + encoder.maxTokenId()
                            + " (does the vocabulary fit the model's embeddings, and"
                            + " does it take input_ids and attention_mask and return one logit per row?): "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * The check of an encoder returning vectors (segment, reward): two short rows, one holding the largest id, each
     * giving a finite vector of hidden_size values. A reward row: {@code [CLS] id [SEP] [SEP]}.
     */
    private void checkSegmentFits(Path file) {
        String what = rewards != null ? "reward encoder" : "segment encoder";
        long[] text = rewards != null
                ? new long[] {encoder.clsId(), encoder.maxTokenId(), encoder.sepId(), encoder.sepId()}
                : new long[] {encoder.clsId(), encoder.maxTokenId(), encoder.sepId()};
        long[] other = rewards != null
                ? new long[] {encoder.clsId(), encoder.sepId(), encoder.sepId(), encoder.padId()}
                : new long[] {encoder.clsId(), encoder.sepId(), encoder.padId()};
        try {
            float[] out = model.forward(
                    PairModel.Batch.of(List.of(text, other), new int[] {0, 1}, text.length, encoder.padId()),
                    config.hiddenSize());
            for (float v : out) {
                if (!Float.isFinite(v)) {
                    throw new ModelLoadException(
                            "the " + what + " " + file + " returned non-finite values on a test text");
                }
            }
        } catch (InferenceException e) {
            throw new ModelLoadException(
                    "the " + what + " " + file + " fails on a test text holding the"
                            + " tokenizer's largest token id " + encoder.maxTokenId() + " (does the vocabulary fit its"
                            + " embeddings, and does it return hidden_size " + config.hiddenSize()
                            + " values per text?): "
                            + e.getMessage(),
                    e);
        }
    }
}
