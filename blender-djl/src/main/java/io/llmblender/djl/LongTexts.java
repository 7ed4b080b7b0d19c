package io.llmblender.djl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * Cheap handling of very long texts before tokenization, for models that read only their first few hundred tokens:
 * a text of more than {@value #PRECUT_MIN_CHARS} characters is cut at white space after enough characters to hold
 * the tokens the model can read, so a megabyte-long answer is not tokenized whole. Exact when the tokenizer's
 * pre-tokenizer splits on white space (byte-level BPE with its regex, Metaspace, BERT's, whitespace splitters): the
 * words before the cut are then tokenized exactly as in the whole text, and only the last token or two near the cut
 * can differ, which callers keep out of what they read with a margin. Callers check that the cut text still yields
 * enough tokens and tokenize the whole text otherwise. Texts up to {@value #PRECUT_MIN_CHARS} characters are never
 * cut, so ordinary inputs are tokenized exactly as before.
 */
public final class LongTexts {

    /** Texts up to this many characters are always tokenized whole. */
    public static final int PRECUT_MIN_CHARS = 65_536;

    /** Tokens kept beyond what the model reads, so that tokens changed by the cut are never read. */
    public static final int MARGIN_TOKENS = 32;

    private static final int SEARCH_CHARS = 16_384;
    private static final Set<String> SPLITTING =
            Set.of("ByteLevel", "Whitespace", "WhitespaceSplit", "BertPreTokenizer", "Metaspace");

    private LongTexts() {}

    /**
     * A prefix of the text that holds at least {@code tokens + MARGIN_TOKENS} tokens of at most {@code maxTokenChars}
     * characters each and ends just before a space, tab or line break, or the text itself when it is at most
     * {@value #PRECUT_MIN_CHARS} characters long, already short enough, or has no white space in the
     * {@value #SEARCH_CHARS} characters after that point.
     *
     * @param text the text, not null
     * @param tokens the most tokens the caller reads from the text
     * @param maxTokenChars the longest token of the vocabulary, in characters, at least 1
     * @return a prefix of the text, or the text
     */
    public static String prefixFor(String text, int tokens, int maxTokenChars) {
        if (text.length() <= PRECUT_MIN_CHARS) {
            return text;
        }
        long need = (long) (tokens + MARGIN_TOKENS) * Math.max(1, maxTokenChars);
        if (need >= text.length()) {
            return text;
        }
        int end = (int) Math.min(text.length(), need + SEARCH_CHARS);
        for (int i = (int) need; i < end; i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r') { // white space to every tokenizer
                return text.substring(0, i);
            }
        }
        return text;
    }

    /**
     * Whether a Hugging Face {@code tokenizer.json}'s pre-tokenizer splits text on white space (alone or within a
     * {@code Sequence}), which is what makes {@link #prefixFor} exact for it. A Metaspace with {@code "split": false}
     * and a byte-level one with {@code "use_regex": false} do not split.
     *
     * @param tokenizerJson the parsed file
     * @return true when cutting at white space leaves the earlier tokens unchanged
     */
    public static boolean splitsOnWhitespace(JsonNode tokenizerJson) {
        return splits(tokenizerJson.path("pre_tokenizer"));
    }

    private static boolean splits(JsonNode pre) {
        String type = pre.path("type").asText("");
        if (type.equals("Sequence")) {
            for (JsonNode member : pre.path("pretokenizers")) {
                if (splits(member)) {
                    return true;
                }
            }
            return false;
        }
        if (!SPLITTING.contains(type)) {
            return false;
        }
        if (type.equals("Metaspace") && !pre.path("split").asBoolean(true)) {
            return false;
        }
        return !(type.equals("ByteLevel") && !pre.path("use_regex").asBoolean(true));
    }

    /**
     * The longest token of a {@code tokenizer.json}'s vocabulary (BPE / WordPiece maps or Unigram piece lists) and
     * added tokens, in characters.
     *
     * @param tokenizerJson the parsed file
     * @return at least 1
     */
    public static int longestToken(JsonNode tokenizerJson) {
        int longest = 1;
        JsonNode vocab = tokenizerJson.path("model").path("vocab");
        if (vocab.isObject()) {
            for (var e : vocab.properties()) {
                longest = Math.max(longest, e.getKey().length());
            }
        } else if (vocab.isArray()) {
            for (JsonNode piece : vocab) {
                longest = Math.max(longest, piece.path(0).asText().length());
            }
        }
        for (JsonNode token : tokenizerJson.path("added_tokens")) {
            longest = Math.max(longest, token.path("content").asText().length());
        }
        return longest;
    }
}
