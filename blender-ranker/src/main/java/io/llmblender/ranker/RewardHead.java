package io.llmblender.ranker;

import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The head of a reward ranker ({@link RankerConfig.Architecture#REWARD}, {@code models/reward_common.py}): the
 * reward of an answer from the mean-pooled vector {@code v} of its row and its length features {@code f},
 *
 * <pre>{@code r = w2 . tanh(W1 [v; f] + b1) + b2 + u . f}</pre>
 *
 * <p>File format ({@code head_file}, written by {@code RewardHead.write} in {@code reward_common.py}): little-endian
 * float32 values, in order: {@code H}, {@code I}, {@code F} (the vector width, the inner width and the feature
 * count, as floats); {@code W1} as {@code I} rows of {@code H + F}; {@code b1} ({@code I}); {@code w2}
 * ({@code I}); {@code b2}; {@code u} ({@code F}). {@code H} must be the config's {@code hidden_size} and {@code F}
 * the {@value #FEATURES} features {@link #features} computes, so the file holds exactly
 * {@code 3 + I(H + F) + 2I + 1 + F} values.
 *
 * <p>Immutable and thread-safe. Plain Java arithmetic (double accumulation): about {@code I(H + F)} multiply-adds per
 * answer.
 */
final class RewardHead {

    /** The length features the head reads: see {@link #features}. */
    static final int FEATURES = 2;

    private final int hidden;
    private final int inner;
    private final float[] w1;
    private final float[] b1;
    private final float[] w2;
    private final float b2;
    private final float[] u;

    private RewardHead(int hidden, int inner, float[] w1, float[] b1, float[] w2, float b2, float[] u) {
        this.hidden = hidden;
        this.inner = inner;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
        this.u = u;
    }

    /**
     * Reads a head file.
     *
     * @param file the head file
     * @param hidden the vector width {@code H} the configuration states ({@code hidden_size})
     * @return the head
     * @throws ModelLoadException naming the file when it is missing, of the wrong size or shape, or holds a
     *     non-finite value
     */
    static RewardHead read(Path file, int hidden) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read the reward head file " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length < 3 * Float.BYTES || bytes.length % Float.BYTES != 0) {
            throw new ModelLoadException("the reward head file " + file + " must hold float32 values starting with"
                    + " H, I, F; found " + bytes.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float h = in.getFloat();
        float i = in.getFloat();
        float f = in.getFloat();
        if (h != hidden) {
            throw new ModelLoadException("the reward head file " + file + " is for vectors of width H = " + h + ", but "
                    + RankerConfig.FILE_NAME + " field 'hidden_size' is " + hidden);
        }
        if (f != FEATURES) {
            throw new ModelLoadException("the reward head file " + file + " reads F = " + f
                    + " length features; this ranker computes " + FEATURES);
        }
        if (!(i >= 1 && i <= 1 << 16 && i == Math.rint(i))) {
            throw new ModelLoadException("the reward head file " + file + " has an inner width I = " + i
                    + "; it must be an integer in 1.." + (1 << 16));
        }
        int inner = (int) i;
        int width = hidden + FEATURES;
        long values = 3L + (long) inner * width + 2L * inner + 1 + FEATURES;
        if (bytes.length != values * Float.BYTES) {
            throw new ModelLoadException("the reward head file " + file + " must hold " + values * Float.BYTES
                    + " bytes (3 + I(H + F) + 2I + 1 + F float32 values for H = " + hidden + ", I = " + inner
                    + ", F = " + FEATURES + "), found " + bytes.length);
        }
        float[] w1 = floats(in, inner * width);
        float[] b1 = floats(in, inner);
        float[] w2 = floats(in, inner);
        float b2 = in.getFloat();
        float[] u = floats(in, FEATURES);
        RewardHead head = new RewardHead(hidden, inner, w1, b1, w2, b2, u);
        if (!head.finite()) {
            throw new ModelLoadException("the reward head file " + file + " holds a non-finite value");
        }
        return head;
    }

    private static float[] floats(ByteBuffer in, int count) {
        float[] out = new float[count];
        in.asFloatBuffer().get(out);
        in.position(in.position() + count * Float.BYTES);
        return out;
    }

    /** The vector width. */
    int hidden() {
        return hidden;
    }

    /**
     * The answer's length features, from the whole original texts (not the cut ones), counting code points, natural
     * log: {@code f0 = (ln(1 + answer) - 6) / 2}, {@code f1 = (ln(1 + answer) - ln(1 + prompt)) / 2}.
     *
     * @param prompt the prompt as given
     * @param answer the answer as given
     * @return the features
     */
    static double[] features(String prompt, String answer) {
        double la = Math.log1p(answer.codePointCount(0, answer.length()));
        double lp = Math.log1p(prompt.codePointCount(0, prompt.length()));
        return new double[] {(la - 6.0) / 2.0, (la - lp) / 2.0};
    }

    /**
     * The reward of one row.
     *
     * @param v the pooled vectors
     * @param at where this row's vector starts in {@code v}
     * @param features the length features from {@link #features}
     * @return {@code r}
     */
    double score(float[] v, int at, double[] features) {
        int width = hidden + FEATURES;
        double r = b2;
        for (int k = 0; k < inner; k++) {
            int row = k * width;
            double z = b1[k];
            for (int d = 0; d < hidden; d++) {
                z += (double) w1[row + d] * v[at + d];
            }
            for (int e = 0; e < FEATURES; e++) {
                z += w1[row + hidden + e] * features[e];
            }
            r += w2[k] * Math.tanh(z);
        }
        for (int e = 0; e < FEATURES; e++) {
            r += u[e] * features[e];
        }
        return r;
    }

    private boolean finite() {
        boolean ok = Float.isFinite(b2);
        for (float[] part : new float[][] {w1, b1, w2, u}) {
            for (float v : part) {
                ok &= Float.isFinite(v);
            }
        }
        return ok;
    }
}
