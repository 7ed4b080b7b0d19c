package io.llmblender.fuser;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.llmblender.djl.LongTexts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds GenFuser's prompt from ranked candidates, exactly as LLM-Blender:
 * {@code Instruction: {instruction}</s>Input: {input}</s>Candidate 0: <extra_id_0>:{c_0}</s>...
 * Candidate K-1: <extra_id_K-1>:{c_K-1}</s>Summarize candidates into a better one for the given
 * instruction:}, tokenized without special tokens added.
 *
 * <p>Each candidate is first cut to {@code candidate_max_length} tokens (128), decoded back and
 * given "..." when cut; the caller's strings are never modified. When the prompt still exceeds
 * {@code max_source_length} tokens (1024), candidates are cut further, all to the same smaller
 * budget, so that the final instruction line is kept (the reference truncates the prompt on the
 * right and can lose it); only when even empty candidates do not fit is the head (instruction and
 * input) cut. Literal special tokens ({@code </s>}, {@code <pad>}, {@code <unk>},
 * {@code <extra_id_N>}) inside user text are replaced by a space so they cannot forge the prompt's
 * structure.
 *
 * <p>Thread-safe: the tokenizer is safe for concurrent use.
 */
final class FusionPrompt {

    /** The final instruction line. */
    static final String SUMMARIZE = "Summarize candidates into a better one for the given instruction:";

    private static final Pattern SPECIAL = Pattern.compile("</s>|<pad>|<unk>|<extra_id_\\d+>");

    /**
     * A built prompt.
     *
     * @param text the prompt string
     * @param ids its token ids, at most {@code max_source_length}
     * @param candidateBudget the per-candidate token budget that was used
     */
    @SuppressWarnings("ArrayRecordComponent") // internal carrier: never compared, hashed or exposed
    record Built(String text, long[] ids, int candidateBudget) {}

    private final HuggingFaceTokenizer tokenizer;
    private final int candidateMax;
    private final int sourceMax;
    private final int precutTokenChars;

    /**
     * A prompt builder.
     *
     * @param tokenizer the fuser's tokenizer
     * @param candidateMax tokens kept of each candidate
     * @param sourceMax tokens of the whole prompt
     * @param precutTokenChars the tokenizer's longest token in characters when texts may be cut at
     *     white space before tokenizing (see LongTexts), 0 to always tokenize texts whole
     */
    FusionPrompt(HuggingFaceTokenizer tokenizer, int candidateMax, int sourceMax, int precutTokenChars) {
        this.tokenizer = tokenizer;
        this.candidateMax = candidateMax;
        this.sourceMax = sourceMax;
        this.precutTokenChars = precutTokenChars;
    }

    /**
     * The text, or for one of more than LongTexts.PRECUT_MIN_CHARS characters a prefix cut at white
     * space that still holds more than {@code reads} tokens: the first {@code reads} tokens are those
     * of the whole text.
     */
    private String longTextCut(String text, int reads) {
        if (precutTokenChars == 0) {
            return text;
        }
        String kept = LongTexts.prefixFor(text, reads, precutTokenChars);
        if (kept.length() < text.length()
                && tokenizer.encode(kept, false, false).getIds().length <= reads + LongTexts.MARGIN_TOKENS) {
            return text;
        }
        return kept;
    }

    static String sanitize(String text) {
        return SPECIAL.matcher(text).replaceAll(" ");
    }

    /**
     * Builds the prompt.
     *
     * @param instruction the instruction, may be empty
     * @param input the input, may be empty
     * @param ranked the candidates, best first
     * @return the prompt
     */
    Built build(String instruction, String input, List<String> ranked) {
        List<long[]> candidateIds = new ArrayList<>(ranked.size());
        for (String candidate : ranked) {
            candidateIds.add(tokenizer
                    .encode(longTextCut(sanitize(candidate), candidateMax), false, false)
                    .getIds());
        }
        String head = "Instruction: " + longTextCut(sanitize(instruction), sourceMax) + "</s>Input: "
                + longTextCut(sanitize(input), sourceMax) + "</s>";
        int budget = candidateMax;
        while (true) {
            String text = head + candidates(ranked, candidateIds, budget) + SUMMARIZE;
            long[] ids = tokenizer.encode(text, false, false).getIds();
            if (ids.length <= sourceMax) {
                return new Built(text, ids, budget);
            }
            if (budget == 0) {
                return cutHead(text);
            }
            int over = ids.length - sourceMax;
            budget = Math.max(0, budget - Math.max(1, (over + ranked.size() - 1) / ranked.size()));
        }
    }

    private String candidates(List<String> ranked, List<long[]> ids, int budget) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ranked.size(); i++) {
            long[] candidate = ids.get(i);
            // The cut text is sanitised again: decoding skips <unk>, so "<", an unknown character and
            // "/s>" would come back as a literal "</s>" and encode to the end-of-sequence id.
            String text = candidate.length <= budget
                    ? sanitize(ranked.get(i))
                    : sanitize(tokenizer.decode(Arrays.copyOf(candidate, budget), true)) + "...";
            out.append("Candidate ")
                    .append(i)
                    .append(": <extra_id_")
                    .append(i)
                    .append(">:")
                    .append(text)
                    .append("</s>");
        }
        return out.toString();
    }

    /** Keeps the tail (candidates and final instruction) whole and cuts the head's tokens. */
    private Built cutHead(String text) {
        String tail = text.substring(text.indexOf("</s>Candidate 0:") + "</s>".length());
        long[] tailIds = tokenizer.encode(tail, false, false).getIds();
        long[] headIds = tokenizer
                .encode(text.substring(0, text.length() - tail.length()), false, false)
                .getIds();
        int keep = Math.max(0, sourceMax - tailIds.length);
        long[] out = new long[Math.min(sourceMax, keep + tailIds.length)];
        System.arraycopy(headIds, 0, out, 0, Math.min(keep, headIds.length));
        System.arraycopy(tailIds, 0, out, Math.min(keep, headIds.length), Math.min(tailIds.length, out.length));
        return new Built(
                tokenizer.decode(out, false),
                Arrays.copyOf(out, Math.min(keep, headIds.length) + Math.min(tailIds.length, out.length)),
                0);
    }
}
