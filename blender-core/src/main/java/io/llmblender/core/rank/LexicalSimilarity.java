package io.llmblender.core.rank;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lexical similarity of two texts without a model, for {@link ConsensusRanker}. Texts are lower-cased (root locale)
 * and cut into words: maximal runs of letters and digits (any script); every other code point separates words, and
 * each ideographic or kana code point (Han, Hiragana, Katakana, Hangul) is a word of its own, so Chinese and Japanese
 * text is compared character by character. Stateless and thread-safe.
 */
final class LexicalSimilarity {

    private LexicalSimilarity() {}

    /** A text prepared once for many comparisons: its words and its bag of words and bigrams. */
    static final class Tokens {
        final String[] words;
        final Map<String, Integer> bag;
        final int bagSize;

        Tokens(String text) {
            this.words = words(text);
            this.bag = new HashMap<>();
            for (int i = 0; i < words.length; i++) {
                bag.merge(words[i], 1, Integer::sum);
                if (i > 0) {
                    bag.merge(words[i - 1] + ' ' + words[i], 1, Integer::sum);
                }
            }
            this.bagSize = words.length == 0 ? 0 : 2 * words.length - 1;
        }
    }

    /**
     * The words of a text, as described in the class comment.
     *
     * @param text the text
     * @return its words, in order
     */
    static String[] words(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (isIdeograph(cp)) {
                flush(word, out);
                out.add(new String(Character.toChars(cp)));
            } else if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else {
                flush(word, out);
            }
        }
        flush(word, out);
        return out.toArray(new String[0]);
    }

    private static void flush(StringBuilder word, List<String> out) {
        if (word.length() > 0) {
            out.add(word.toString());
            word.setLength(0);
        }
    }

    private static boolean isIdeograph(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.HANGUL;
    }

    /**
     * The size of the multiset intersection of the two texts' words and word bigrams, each token counting
     * {@code min(countA, countB)} times.
     *
     * @param a one text
     * @param b the other
     * @return the overlap, symmetric
     */
    static long overlap(Tokens a, Tokens b) {
        Map<String, Integer> small = a.bag.size() <= b.bag.size() ? a.bag : b.bag;
        Map<String, Integer> large = small == a.bag ? b.bag : a.bag;
        long overlap = 0;
        for (Map.Entry<String, Integer> e : small.entrySet()) {
            Integer other = large.get(e.getKey());
            if (other != null) {
                overlap += Math.min(e.getValue(), other);
            }
        }
        return overlap;
    }

    /**
     * Token F1 over the multiset of words and adjacent word pairs: {@code 2 * |A ∩ B| / (|A| + |B|)}, the
     * intersection counting each token {@code min(countA, countB)} times. 1 for two empty texts, 0 when exactly one
     * is empty.
     *
     * @param a one text
     * @param b the other
     * @return the similarity, in [0, 1], symmetric
     */
    static double tokenF1(Tokens a, Tokens b) {
        if (a.bagSize == 0 || b.bagSize == 0) {
            return a.bagSize == b.bagSize ? 1.0 : 0.0;
        }
        return 2.0 * overlap(a, b) / (a.bagSize + b.bagSize);
    }

    /**
     * How much of {@code b} text {@code a} covers: {@code |A ∩ B| / |B|} over the multisets of words and word pairs
     * (token recall of {@code a} against {@code b} as reference). 1 when {@code b} is empty. Not symmetric.
     *
     * @param a the covering text
     * @param b the covered text
     * @return the coverage, in [0, 1]
     */
    static double coverage(Tokens a, Tokens b) {
        return b.bagSize == 0 ? 1.0 : (double) overlap(a, b) / b.bagSize;
    }

    /**
     * ROUGE-L F1 over words: {@code 2 * LCS / (|A| + |B|)} with LCS the longest common subsequence of the two word
     * sequences. 1 for two empty texts, 0 when exactly one is empty. Costs {@code |A| * |B|} steps.
     *
     * @param a one text
     * @param b the other
     * @return the similarity, in [0, 1], symmetric
     */
    static double rougeL(Tokens a, Tokens b) {
        String[] x = a.words;
        String[] y = b.words;
        if (x.length == 0 || y.length == 0) {
            return x.length == y.length ? 1.0 : 0.0;
        }
        int[] prev = new int[y.length + 1];
        int[] cur = new int[y.length + 1];
        for (String xi : x) {
            for (int j = 1; j <= y.length; j++) {
                cur[j] = xi.equals(y[j - 1]) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return 2.0 * prev[y.length] / (x.length + y.length);
    }
}
