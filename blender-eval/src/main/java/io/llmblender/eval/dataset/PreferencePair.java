package io.llmblender.eval.dataset;

import io.llmblender.core.check.Require;

/**
 * One judged pair of answers to one prompt, as in {@code ../shared/data/preferences/} (and the files of reward-model
 * benchmarks): which of {@code responseA} and {@code responseB} the judge preferred, or a tie. Immutable.
 *
 * @param id the pair's id
 * @param subset where the pair comes from (a source or task name), empty when the file gives none
 * @param prompt the prompt both responses answer (multi-turn conversations flattened to text)
 * @param responseA the first response
 * @param responseB the second response
 * @param label the judgment
 */
public record PreferencePair(String id, String subset, String prompt, String responseA, String responseB, Label label) {

    /** A judge's verdict on a pair. */
    public enum Label {
        /** {@code responseA} is better. */
        A,
        /** {@code responseB} is better. */
        B,
        /** Neither is better. */
        TIE
    }

    /**
     * Checks the parts.
     *
     * @param id the pair's id
     * @param subset where the pair comes from, empty when unknown
     * @param prompt the prompt
     * @param responseA the first response
     * @param responseB the second response
     * @param label the judgment
     * @throws NullPointerException if any part is null
     */
    public PreferencePair {
        Require.nonNull(id, "id");
        Require.nonNull(subset, "subset");
        Require.nonNull(prompt, "prompt");
        Require.nonNull(responseA, "responseA");
        Require.nonNull(responseB, "responseB");
        Require.nonNull(label, "label");
    }

    /**
     * Whether the judge preferred the longer response (by characters); false for ties and for equal lengths.
     *
     * @return true when the winner is strictly longer than the loser
     */
    public boolean longerWon() {
        int diff = responseA.length() - responseB.length();
        return (label == Label.A && diff > 0) || (label == Label.B && diff < 0);
    }

    /**
     * Whether the judge preferred the shorter response (by characters); false for ties and for equal lengths.
     *
     * @return true when the winner is strictly shorter than the loser
     */
    public boolean shorterWon() {
        int diff = responseA.length() - responseB.length();
        return (label == Label.A && diff < 0) || (label == Label.B && diff > 0);
    }
}
