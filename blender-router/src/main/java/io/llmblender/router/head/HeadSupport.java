package io.llmblender.router.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.llmblender.core.check.Require;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What training and inference share: the chunked forward pass, the maths on logits and the
 * argument checks. Stateless and thread-safe.
 */
final class HeadSupport {

    /** The most rows one forward pass takes. */
    static final int INFERENCE_CHUNK = 1024;

    private HeadSupport() {}

    /**
     * Runs the forward pass on the given rows in chunks of {@link #INFERENCE_CHUNK}, each chunk in
     * its own child manager of {@code parent}, freed before the next one; no native array escapes.
     *
     * @param parent the manager the chunks' managers are children of
     * @param forward the forward pass, from a batch {@code [b, dim]} to logits {@code [b, n]}
     * @param x the embeddings
     * @param rows the indices of the rows of {@code x} to run, in output order
     * @param dim the embedding length
     * @param n the number of outputs
     * @return the logits of each requested row, in order
     * @throws IllegalStateException if the forward pass returns a wrong number of values
     */
    static float[][] logits(NDManager parent, UnaryOperator<NDList> forward, float[][] x, int[] rows, int dim, int n) {
        float[][] out = new float[rows.length][];
        for (int start = 0; start < rows.length; start += INFERENCE_CHUNK) {
            int b = Math.min(INFERENCE_CHUNK, rows.length - start);
            float[] flat = new float[b * dim];
            for (int i = 0; i < b; i++) {
                System.arraycopy(x[rows[start + i]], 0, flat, i * dim, dim);
            }
            float[] values;
            try (NDManager call = parent.newSubManager()) {
                NDList result = forward.apply(new NDList(call.create(flat, new Shape(b, dim))));
                NDArray logits = result.singletonOrThrow();
                if (logits.getDataType() != DataType.FLOAT32) {
                    logits = logits.toType(DataType.FLOAT32, false);
                }
                values = logits.toFloatArray();
            }
            if (values.length != b * n) {
                throw new IllegalStateException(
                        "the head returned " + values.length + " logits for " + b + " rows of " + n + " LLMs");
            }
            for (int i = 0; i < b; i++) {
                out[start + i] = Arrays.copyOfRange(values, i * n, (i + 1) * n);
            }
        }
        return out;
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** {@code KL(label || softmax(logits))} of one row, in double precision. */
    static double kl(float[] label, float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        double logZ = max + Math.log(sum);
        double kl = 0;
        for (int i = 0; i < label.length; i++) {
            if (label[i] > 0) {
                kl += label[i] * (Math.log(label[i]) - (logits[i] - logZ));
            }
        }
        return kl;
    }

    /**
     * Checks embeddings: not empty, no null row, rows of one positive length (or of
     * {@code expectedDim} when not negative), finite values.
     *
     * @return {@code embeddings}, unchanged
     * @throws NullPointerException if the array or a row is null
     * @throws IllegalArgumentException naming the row (and value) otherwise
     */
    static float[][] checkEmbeddings(float[][] embeddings, int expectedDim, String field) {
        Require.nonNull(embeddings, field);
        if (embeddings.length == 0) {
            throw new IllegalArgumentException(field + " must not be empty, found 0 rows");
        }
        int dim = expectedDim;
        for (int r = 0; r < embeddings.length; r++) {
            float[] row = Require.nonNull(embeddings[r], field + "[" + r + "]");
            if (dim < 0) {
                if (row.length == 0) {
                    throw new IllegalArgumentException(field + "[0] must not be empty, found length 0");
                }
                dim = row.length;
            }
            if (row.length != dim) {
                throw new IllegalArgumentException(
                        field + "[" + r + "] must have length " + dim + ", found " + row.length);
            }
            for (int i = 0; i < row.length; i++) {
                if (!Float.isFinite(row[i])) {
                    throw new IllegalArgumentException(
                            field + "[" + r + "][" + i + "] must be finite, found " + row[i]);
                }
            }
        }
        return embeddings;
    }

    /**
     * Checks LLM names and copies them: no null, none blank, no duplicate.
     *
     * @return an unmodifiable copy in the given order
     * @throws NullPointerException if the list or a name is null
     * @throws IllegalArgumentException naming the index and name when one is blank or repeated
     */
    static List<String> checkLlms(List<String> llms) {
        Require.nonNull(llms, "llms");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < llms.size(); i++) {
            String name = Require.nonBlank(llms.get(i), "llms[" + i + "]");
            if (!seen.add(name)) {
                throw new IllegalArgumentException(
                        "llms must be distinct, found " + Require.quote(name) + " twice (at llms[" + i + "])");
            }
        }
        return List.copyOf(llms);
    }
}
