package io.llmblender.eval;

import io.llmblender.core.check.Require;
import io.llmblender.eval.dataset.PreferencePair;
import java.util.List;

/**
 * How often a judge's preferences over answer pairs are reproduced by a score per pair (positive: the first answer
 * is better; negative: the second; exactly 0: no preference), the way reward-model benchmarks report it: accuracy
 * over the decisive pairs (ties excluded), and accuracy over all pairs with every tie counted half. A score of 0 on a
 * decisive pair counts half too (a coin flip), so a scorer that always says 0 scores 0.5 on both. Immutable.
 *
 * @param pairs pairs scored
 * @param ties pairs the judge called a tie
 * @param accuracy accuracy over the {@code pairs - ties} decisive pairs
 * @param accuracyTiesHalf accuracy over all pairs, each tie counted as half right
 * @param shorterWonPairs decisive pairs whose winner is the shorter answer (by characters)
 * @param accuracyShorterWon accuracy over those pairs (NaN when there are none)
 */
public record PairwiseAccuracy(
        int pairs, int ties, double accuracy, double accuracyTiesHalf, int shorterWonPairs, double accuracyShorterWon) {

    /**
     * Scores a scorer's preferences against the judge's.
     *
     * @param pairs the judged pairs
     * @param scores one score per pair, in the same order
     * @return the accuracies
     * @throws IllegalArgumentException if the lists differ in size, there is no pair, every pair is a tie, or a
     *     score is not finite (naming the pair)
     */
    public static PairwiseAccuracy of(List<PreferencePair> pairs, double[] scores) {
        Require.nonNull(pairs, "pairs");
        Require.nonNull(scores, "scores");
        if (pairs.size() != scores.length) {
            throw new IllegalArgumentException(
                    "scores must have one value per pair: " + pairs.size() + " pairs, " + scores.length + " scores");
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("pairs must not be empty");
        }
        int ties = 0;
        int shorterWon = 0;
        double right = 0;
        double rightShorterWon = 0;
        for (int i = 0; i < scores.length; i++) {
            PreferencePair pair = pairs.get(i);
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException(
                        "score of pair " + pair.id() + " must be finite, found " + scores[i]);
            }
            if (pair.label() == PreferencePair.Label.TIE) {
                ties++;
                continue;
            }
            double r = scores[i] == 0 ? 0.5 : (scores[i] > 0) == (pair.label() == PreferencePair.Label.A) ? 1 : 0;
            right += r;
            if (pair.shorterWon()) {
                shorterWon++;
                rightShorterWon += r;
            }
        }
        int decisive = pairs.size() - ties;
        if (decisive == 0) {
            throw new IllegalArgumentException("pairs must hold a decisive pair: all " + ties + " are ties");
        }
        return new PairwiseAccuracy(
                pairs.size(),
                ties,
                right / decisive,
                (right + 0.5 * ties) / pairs.size(),
                shorterWon,
                shorterWon == 0 ? Double.NaN : rightShorterWon / shorterWon);
    }
}
