package io.llmblender.djl;

/**
 * The index of the largest of a row of values, as the decoders and heads pick a token or an LLM
 * from their logits. Stateless.
 */
public final class Argmax {

    private Argmax() {}

    /**
     * The index of the largest value, the first one on ties. Nothing compares larger than a NaN
     * nor a NaN larger than anything: one at index 0 is kept, one elsewhere is never picked.
     *
     * @param values the values, at least one
     * @return the index, in {@code [0, values.length)}
     * @throws IllegalArgumentException if {@code values} is empty
     */
    public static int of(float[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("values must not be empty, found length 0");
        }
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
