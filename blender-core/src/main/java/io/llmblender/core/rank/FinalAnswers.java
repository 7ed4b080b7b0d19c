package io.llmblender.core.rank;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts the final answer of a math-like answer, for majority voting in {@link ConsensusRanker}. In order of
 * preference: the content of the last {@code \boxed{...}} (braces balanced; a plain number there is canonicalised as
 * below, anything else, such as {@code \frac{1}{2}}, is compared as written without spaces); the rest of the last line that starts
 * with "answer:" or "final answer" (case-insensitive, also after {@code ####}, GSM8K's marker); else the last number in
 * the text. When the extracted text holds a number, the answer is that number in a canonical form (thousands
 * separators, a leading {@code $} and trailing zeros dropped: "1,000.50" and "1000.5" agree); otherwise it is the
 * extracted text lower-cased with white space collapsed. Stateless and thread-safe.
 */
final class FinalAnswers {

    private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?|-?\\.\\d+");
    private static final Pattern ANSWER_LINE =
            Pattern.compile("(?im)^\\W*(?:the\\s+)?(?:final\\s+)?answer\\s*(?:is\\s*:?|:|=)\\s*(.+)$");
    private static final Pattern PLAIN_NUMBER = Pattern.compile("-?\\d*\\.?\\d+\\.?");
    private static final Pattern HASHES = Pattern.compile("(?m)^\\s*####\\s*(.+)$");

    private FinalAnswers() {}

    /**
     * The final answer of a text.
     *
     * @param text the answer text
     * @return the canonical final answer, or empty when the text holds none (no box, no answer line, no number)
     */
    static Optional<String> extract(String text) {
        String boxed = lastBoxed(text);
        if (boxed != null) {
            String compact = boxed.replaceAll("[\\s$,]", "");
            if (PLAIN_NUMBER.matcher(compact).matches()) {
                return Optional.ofNullable(lastNumber(compact));
            }
            return compact.isEmpty() ? Optional.empty() : Optional.of(compact.toLowerCase(Locale.ROOT));
        }
        String found = lastMatch(HASHES, text);
        if (found == null) {
            found = lastMatch(ANSWER_LINE, text);
        }
        if (found == null) {
            return Optional.ofNullable(lastNumber(text));
        }
        String number = lastNumber(found);
        if (number != null) {
            return Optional.of(number);
        }
        String words = found.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return words.isEmpty() ? Optional.empty() : Optional.of(words);
    }

    private static String lastMatch(Pattern p, String text) {
        Matcher m = p.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    private static String lastBoxed(String text) {
        int at = text.lastIndexOf("\\boxed{");
        if (at < 0) {
            return null;
        }
        int start = at + "\\boxed{".length();
        int depth = 1;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return text.substring(start, i);
            }
        }
        return null;
    }

    private static String lastNumber(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        if (last == null) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(last.replace(",", "")).stripTrailingZeros();
            return d.signum() == 0 ? "0" : d.toPlainString();
        } catch (NumberFormatException e) {
            return last;
        }
    }
}
