package io.llmblender.ranker;

import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pair head of a segment ranker: how well a candidate's vector {@code c} answers the source's vector
 * {@code s}, as
 *
 * <pre>{@code g(s, c) = scale * (s . c) + w2 . tanh(W1 [s; c; s * c] + b1) + b2}</pre>
 *
 * <p>so that the ranker's logit for the ordered pair (i, j) is {@code g(s, c_i) - g(s, c_j)}. The vectors are
 * L2-normalised, so {@code s . c} is their cosine.
 *
 * <p>File format ({@code head_file}, written by {@code models/export_segment_ranker.py}): little-endian float32
 * values, in order: {@code scale}; {@code W1} as {@code H} rows of {@code 3H}; {@code b1} ({@code H});
 * {@code w2} ({@code H}); {@code b2}. {@code H} is the config's {@code hidden_size}, so the file holds exactly
 * {@code 3H^2 + 2H + 2} values.
 *
 * <p>Immutable and thread-safe. Plain Java arithmetic (double accumulation): about {@code 3H^2} multiply-adds per
 * candidate, well under a millisecond for {@code H = 384}.
 */
final class SegmentHead {

    private final int hidden;
    private final float scale;
    private final float[] w1;
    private final float[] b1;
    private final float[] w2;
    private final float b2;
    /** Whether w2 and b2 are all zero, so that g is the scaled cosine alone. */
    private final boolean cosineOnly;

    private SegmentHead(int hidden, float scale, float[] w1, float[] b1, float[] w2, float b2) {
        this.hidden = hidden;
        this.scale = scale;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
        boolean zero = b2 == 0f;
        for (float v : w2) {
            zero &= v == 0f;
        }
        this.cosineOnly = zero;
    }

    /**
     * Reads a head file.
     *
     * @param file the head file
     * @param hidden the vector width {@code H}
     * @return the head
     * @throws ModelLoadException naming the file when it is missing, of the wrong size or holds a non-finite value
     */
    static SegmentHead read(Path file, int hidden) {
        long values = 3L * hidden * hidden + 2L * hidden + 2;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read the segment head file " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length != values * Float.BYTES) {
            throw new ModelLoadException("the segment head file " + file + " must hold " + values * Float.BYTES
                    + " bytes (3H^2 + 2H + 2 float32 values for hidden_size " + hidden + "), found " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float scale = in.getFloat();
        float[] w1 = new float[3 * hidden * hidden];
        in.asFloatBuffer().get(w1);
        in.position(in.position() + w1.length * Float.BYTES);
        float[] b1 = new float[hidden];
        in.asFloatBuffer().get(b1);
        in.position(in.position() + hidden * Float.BYTES);
        float[] w2 = new float[hidden];
        in.asFloatBuffer().get(w2);
        in.position(in.position() + hidden * Float.BYTES);
        float b2 = in.getFloat();
        SegmentHead head = new SegmentHead(hidden, scale, w1, b1, w2, b2);
        if (!head.finite()) {
            throw new ModelLoadException("the segment head file " + file + " holds a non-finite value");
        }
        return head;
    }

    /** The vector width. */
    int hidden() {
        return hidden;
    }

    /**
     * {@code g(s, c)} for vectors stored at offsets of flat arrays.
     *
     * @param s the source vectors
     * @param sAt where the source vector starts
     * @param c the candidate vectors
     * @param cAt where the candidate vector starts
     * @return the score
     */
    double score(float[] s, int sAt, float[] c, int cAt) {
        double cos = 0;
        for (int d = 0; d < hidden; d++) {
            cos += (double) s[sAt + d] * c[cAt + d];
        }
        double g = scale * cos;
        if (cosineOnly) {
            return g;
        }
        double[] in = new double[3 * hidden];
        for (int d = 0; d < hidden; d++) {
            in[d] = s[sAt + d];
            in[hidden + d] = c[cAt + d];
            in[2 * hidden + d] = (double) s[sAt + d] * c[cAt + d];
        }
        for (int h = 0; h < hidden; h++) {
            double z = b1[h];
            int row = h * 3 * hidden;
            for (int k = 0; k < in.length; k++) {
                z += w1[row + k] * in[k];
            }
            g += w2[h] * Math.tanh(z);
        }
        return g + b2;
    }

    private boolean finite() {
        boolean ok = Float.isFinite(scale) && Float.isFinite(b2);
        for (float[] part : new float[][] {w1, b1, w2}) {
            for (float v : part) {
                ok &= Float.isFinite(v);
            }
        }
        return ok;
    }
}
