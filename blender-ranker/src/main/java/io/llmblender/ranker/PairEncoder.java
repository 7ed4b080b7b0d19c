package io.llmblender.ranker;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.djl.ConfigFile;
import io.llmblender.djl.LongTexts;
import io.llmblender.djl.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a source and two candidates into one row of token ids, exactly as LLM-Blender's PairRM
 * does: source = instruction + input; the tokenizer's SEP string and the prefix tokens inside user
 * text become a space; each segment is encoded with its prefix token, truncated on the right
 * keeping its special tokens; the source segment to {@code source_max_length}, each candidate
 * segment to {@code candidate_max_length + (source_max_length - Ls) / 2} for this example's encoded
 * source length {@code Ls}.
 *
 * <p>Texts are tokenized once: a candidate's ids are computed with the first candidate prefix and
 * reused for the second slot by swapping the prefix id (both prefixes are added tokens of equal
 * length, so the rest of the text tokenizes the same after either).
 *
 * <p>Thread-safe: the tokenizer is immutable and safe for concurrent use.
 */
final class PairEncoder implements AutoCloseable {

    private final RankerConfig config;
    private final HuggingFaceTokenizer tokenizer;
    private final int cls;
    private final int sep;
    private final int pad;
    private final int sourcePrefix;
    private final int candidate1Prefix;
    private final int candidate2Prefix;
    private final int maxTokenId;
    private final List<String> banned;
    /** What a reward ranker's user text may not hold: REWARD_SPECIALS, then the configuration's own. */
    private final List<String> rewardSpecials;
    /** The longest token in characters when texts may be cut before tokenizing (see LongTexts), else 0. */
    private final int precutTokenChars;

    private PairEncoder(
            RankerConfig config,
            HuggingFaceTokenizer tokenizer,
            Map<String, Integer> ids,
            int maxTokenId,
            int precutTokenChars) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.cls = ids.get(config.clsToken());
        this.sep = ids.get(config.sepToken());
        this.pad = ids.get(config.padToken());
        this.sourcePrefix = ids.getOrDefault(config.sourcePrefix(), -1);
        this.candidate1Prefix = ids.getOrDefault(config.candidate1Prefix(), -1);
        this.candidate2Prefix = ids.getOrDefault(config.candidate2Prefix(), -1);
        this.maxTokenId = maxTokenId;
        this.precutTokenChars = precutTokenChars;
        List<String> banned = new ArrayList<>();
        for (String token : List.of(
                config.sepToken(),
                config.sourcePrefix(),
                config.candidate1Prefix(),
                config.candidate2Prefix(),
                config.candidatePrefix())) {
            if (!token.isEmpty() && !banned.contains(token)) {
                banned.add(token);
            }
        }
        this.banned = List.copyOf(banned);
        List<String> specials = new ArrayList<>(REWARD_SPECIALS);
        for (String token : List.of(config.clsToken(), config.sepToken(), config.padToken())) {
            if (!specials.contains(token)) {
                specials.add(token);
            }
        }
        this.rewardSpecials = List.copyOf(specials);
    }

    /**
     * Loads the tokenizer a configuration names and checks that it has every token the layout
     * needs.
     *
     * @param dir the model directory
     * @param config the ranker configuration
     * @return the encoder
     * @throws ModelLoadException naming the file and the missing or malformed part
     */
    static PairEncoder load(Path dir, RankerConfig config) {
        Path file = dir.resolve(config.tokenizerFile());
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing tokenizer file " + config.tokenizerFile() + " in model directory "
                    + dir + " (named by " + RankerConfig.FILE_NAME + " field 'tokenizer_file')");
        }
        JsonNode root = ConfigFile.readJson(file);
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new ModelLoadException(file + " is not a Hugging Face tokenizer.json: it has no 'model' object");
        }
        Map<String, Integer> added = new HashMap<>();
        int maxId = -1;
        for (JsonNode token : root.path("added_tokens")) {
            added.put(token.path("content").asText(), token.path("id").asInt());
            maxId = Math.max(maxId, token.path("id").asInt());
        }
        Map<String, Integer> vocab = new HashMap<>();
        JsonNode modelVocab = root.path("model").path("vocab");
        if (modelVocab.isObject()) {
            for (Map.Entry<String, JsonNode> e : modelVocab.properties()) {
                vocab.put(e.getKey(), e.getValue().asInt());
                maxId = Math.max(maxId, e.getValue().asInt());
            }
        } else if (modelVocab.isArray()) { // Unigram: [[piece, score], ...], id = index
            for (int i = 0; i < modelVocab.size(); i++) {
                vocab.put(modelVocab.get(i).path(0).asText(), i);
            }
            maxId = Math.max(maxId, modelVocab.size() - 1);
        } else {
            throw new ModelLoadException(file + " has no vocabulary under model.vocab");
        }
        Map<String, Integer> ids = new HashMap<>();
        String source = RankerConfig.FILE_NAME;
        for (String[] field : new String[][] {
            {"cls_token", config.clsToken()}, {"sep_token", config.sepToken()}, {"pad_token", config.padToken()}
        }) {
            Integer id = added.containsKey(field[1]) ? added.get(field[1]) : vocab.get(field[1]);
            if (id == null) {
                throw new ModelLoadException(
                        file + " lacks the token '" + field[1] + "' that " + source + " names as " + field[0]);
            }
            ids.put(field[1], id);
        }
        for (String[] field : new String[][] {
            {"source_prefix", config.sourcePrefix()},
            {"candidate1_prefix", config.candidate1Prefix()},
            {"candidate2_prefix", config.candidate2Prefix()},
            {"candidate_prefix", config.candidatePrefix()}
        }) {
            if (field[1].isEmpty()) {
                continue;
            }
            if (!added.containsKey(field[1])) {
                throw new ModelLoadException(
                        file + " lacks the added token '" + field[1] + "' that " + source + " names as " + field[0]);
            }
            ids.put(field[1], added.get(field[1]));
        }
        if (config.vocabSize() > 0 && maxId >= config.vocabSize()) {
            throw new ModelLoadException(file + " has token ids up to " + maxId + " but the model's embeddings have "
                    + config.vocabSize() + " rows (" + source + " field 'vocab_size')");
        }
        // Explicit: no special tokens (we add them per segment), no truncation, no padding.
        HuggingFaceTokenizer tokenizer = Tokenizers.load(
                file,
                b -> b.optAddSpecialTokens(false)
                        .optTruncation(false)
                        .optPadding(false)
                        .optWithOverflowingTokens(false));
        PairEncoder encoder = new PairEncoder(
                config, tokenizer, ids, maxId, LongTexts.splitsOnWhitespace(root) ? LongTexts.longestToken(root) : 0);
        try {
            encoder.checkPrefixes(file);
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
        return encoder;
    }

    private void checkPrefixes(Path file) {
        for (String prefix : List.of(config.sourcePrefix(), config.candidate1Prefix(), config.candidate2Prefix())) {
            if (prefix.isEmpty()) {
                continue;
            }
            long[] got = tokenizer.encode(prefix + "x", false, false).getIds();
            if (got.length < 2 || got[0] != tokenId(prefix)) {
                throw new ModelLoadException(file + " does not split '" + prefix + "' off the text that follows it: '"
                        + prefix + "x' encodes to " + Arrays.toString(got));
            }
        }
    }

    private int tokenId(String prefix) {
        if (prefix.equals(config.sourcePrefix())) {
            return sourcePrefix;
        }
        return prefix.equals(config.candidate1Prefix()) ? candidate1Prefix : candidate2Prefix;
    }

    /** The largest token id the tokenizer can produce. */
    int maxTokenId() {
        return maxTokenId;
    }

    /** The id rows are padded with. */
    int padId() {
        return pad;
    }

    /** The id that opens a segment. */
    int clsId() {
        return cls;
    }

    /** The id that closes a segment. */
    int sepId() {
        return sep;
    }

    /** The prefix ids (source, candidate 1, candidate 2), -1 where the layout has none. */
    int[] prefixIds() {
        return new int[] {sourcePrefix, candidate1Prefix, candidate2Prefix};
    }

    /**
     * Replaces every literal SEP string and prefix token in user text by a space, so that user text
     * can neither close a segment nor plant a second prefix the model would read.
     *
     * @param text user text
     * @return the text with those tokens replaced
     */
    String sanitize(String text) {
        String out = text;
        for (String token : banned) {
            if (out.contains(token)) {
                out = out.replace(token, " ");
            }
        }
        return out;
    }

    /**
     * Encodes sources into their segments, truncated to {@code source_max_length}.
     *
     * @param sources the sources (instruction + input)
     * @return one segment per source, special tokens included
     */
    int[][] sourceSegments(List<String> sources) {
        int[][] bodies = bodies(sources, config.sourcePrefix(), sourcePrefix, config.sourceMaxLength());
        int[][] out = new int[bodies.length][];
        for (int i = 0; i < bodies.length; i++) {
            int[] body = bodies[i];
            int keep = Math.min(body.length, config.sourceMaxLength() - 2);
            int[] segment = new int[keep + 2];
            segment[0] = cls;
            System.arraycopy(body, 0, segment, 1, keep);
            segment[keep + 1] = sep;
            out[i] = segment;
        }
        return out;
    }

    /**
     * Encodes candidates without prefix or special tokens, whole (a very long one only up to what any
     * row can read): each is cut per source when a row is built.
     *
     * @param candidates the candidate texts
     * @return one id array per candidate
     */
    int[][] candidateBodies(List<String> candidates) {
        int[][] withPrefix = bodies(
                candidates,
                config.candidate1Prefix(),
                candidate1Prefix,
                config.candidateMaxLength() + config.sourceMaxLength() / 2 + 1);
        if (candidate1Prefix < 0) {
            return withPrefix;
        }
        int[][] out = new int[withPrefix.length][];
        for (int i = 0; i < withPrefix.length; i++) {
            out[i] = Arrays.copyOfRange(withPrefix[i], 1, withPrefix[i].length);
        }
        return out;
    }

    /**
     * The most tokens a candidate segment may have next to a source segment of the given length.
     *
     * @param sourceSegmentLength the encoded source segment's length, special tokens included
     * @return {@code candidate_max_length + (source_max_length - Ls) / 2}
     */
    int candidateCap(int sourceSegmentLength) {
        return config.candidateMaxLength() + (config.sourceMaxLength() - sourceSegmentLength) / 2;
    }

    /** How many body tokens of a candidate fit in a segment of at most {@code cap} tokens. */
    private int bodyRoom(int cap) {
        int fixed = 1 + (candidate1Prefix >= 0 ? 1 : 0) + (config.layout() == RankerConfig.Layout.PAIRRM ? 1 : 0);
        return Math.max(0, cap - fixed);
    }

    /**
     * The source as a segment model reads it alone: the source segment without its prefix token.
     *
     * @param sourceSegment a segment from {@link #sourceSegments}
     * @return {@code [CLS] source [SEP]}
     */
    long[] aloneSource(int[] sourceSegment) {
        int skip = sourcePrefix >= 0 ? 1 : 0;
        long[] out = new long[sourceSegment.length - skip];
        out[0] = sourceSegment[0];
        for (int k = 1 + skip; k < sourceSegment.length; k++) {
            out[k - skip] = sourceSegment[k];
        }
        return out;
    }

    /**
     * A candidate as a segment model reads it alone next to a source: {@code [CLS] body [SEP]}, the body cut
     * exactly as in a row with that source (the cut depends on the source's length only).
     *
     * @param sourceSegment the source's segment
     * @param body the candidate's body from {@link #candidateBodies}
     * @return the candidate's ids
     */
    long[] aloneCandidate(int[] sourceSegment, int[] body) {
        int keep = Math.min(bodyRoom(candidateCap(sourceSegment.length)), body.length);
        long[] out = new long[keep + 2];
        out[0] = cls;
        for (int k = 0; k < keep; k++) {
            out[k + 1] = body[k];
        }
        out[keep + 1] = sep;
        return out;
    }

    /**
     * The length of the row that {@code row} would build from the same segments.
     *
     * @param source the source segment
     * @param body1 the first candidate's body
     * @param body2 the second candidate's body
     * @return the row length in tokens
     */
    int rowLength(int[] source, int[] body1, int[] body2) {
        int cap = candidateCap(source.length);
        int room = bodyRoom(cap);
        return source.length + 2 * (cap - room) + Math.min(room, body1.length) + Math.min(room, body2.length);
    }

    /**
     * Builds the row for one ordered pair into {@code out} starting at {@code offset}.
     *
     * @param source the source segment
     * @param body1 the candidate in slot 1
     * @param body2 the candidate in slot 2
     * @param out the destination
     * @param offset where the row starts in {@code out}
     * @return the row length
     */
    int writeRow(int[] source, int[] body1, int[] body2, long[] out, int offset) {
        int room = bodyRoom(candidateCap(source.length));
        int at = offset;
        for (int id : source) {
            out[at++] = id;
        }
        at = writeCandidate(body1, candidate1Prefix, room, out, at);
        at = writeCandidate(body2, candidate2Prefix, room, out, at);
        return at - offset;
    }

    private int writeCandidate(int[] body, int prefix, int room, long[] out, int offset) {
        int at = offset;
        if (config.layout() == RankerConfig.Layout.PAIRRM) {
            out[at++] = cls;
        }
        if (prefix >= 0) {
            out[at++] = prefix;
        }
        int keep = Math.min(room, body.length);
        for (int k = 0; k < keep; k++) {
            out[at++] = body[k];
        }
        out[at++] = sep;
        return at;
    }

    /**
     * The full row of one ordered pair: convenient for tests and single comparisons.
     *
     * @param source the source text
     * @param candidate1 the candidate in slot 1
     * @param candidate2 the candidate in slot 2
     * @return the token ids
     */
    long[] encodePair(String source, String candidate1, String candidate2) {
        int[] src = sourceSegments(List.of(source))[0];
        int[][] bodies = candidateBodies(List.of(candidate1, candidate2));
        long[] row = new long[rowLength(src, bodies[0], bodies[1])];
        writeRow(src, bodies[0], bodies[1], row, 0);
        return row;
    }

    /**
     * Tokenizes prefix + sanitised text for each text. A text of more than LongTexts.PRECUT_MIN_CHARS
     * characters is first cut at white space after room for {@code reads} tokens (when the tokenizer
     * splits on white space), and tokenized whole again if the cut leaves too few tokens; the first
     * {@code reads} ids are the same either way.
     */
    private int[][] bodies(List<String> texts, String prefix, int prefixId, int reads) {
        String[] inputs = new String[texts.size()];
        boolean[] cut = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            String text = sanitize(texts.get(i));
            String kept = precutTokenChars > 0 ? LongTexts.prefixFor(text, reads, precutTokenChars) : text;
            cut[i] = kept.length() < text.length();
            inputs[i] = prefix + kept;
        }
        Encoding[] encodings = inputs.length == 1
                ? new Encoding[] {tokenizer.encode(inputs[0], false, false)}
                : tokenizer.batchEncode(inputs, false, false);
        int[][] out = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            long[] ids = encodings[i].getIds();
            if (cut[i] && ids.length < reads + LongTexts.MARGIN_TOKENS + 1) {
                ids = tokenizer
                        .encode(prefix + sanitize(texts.get(i)), false, false)
                        .getIds();
            }
            if (prefixId >= 0 && (ids.length == 0 || ids[0] != prefixId)) {
                throw new IllegalStateException("tokenizer did not keep prefix " + prefix + " as the first token");
            }
            int[] narrow = new int[ids.length];
            for (int k = 0; k < ids.length; k++) {
                narrow[k] = (int) ids[k];
            }
            out[i] = narrow;
        }
        return out;
    }

    /** The special-token strings a reward ranker's user text may not hold (reward_common.SPECIALS, in order). */
    private static final List<String> REWARD_SPECIALS = List.of("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]");

    /** A text of more code points than this is read as the ids of its head and its tail (reward_common). */
    static final int REWARD_LONG_TEXT = 65_536;

    /** The code points of the head and of the tail of a long text (reward_common.LONG_PART). */
    static final int REWARD_LONG_PART = 32_768;

    /**
     * The token ids of texts as a reward ranker reads them ({@code reward_common.token_ids}): the special-token
     * strings {@code [CLS] [SEP] [PAD] [UNK] [MASK]} (and the configuration's CLS, SEP and PAD strings where they
     * differ) become spaces; a text of more than {@value #REWARD_LONG_TEXT} code points is read as the ids of its
     * first {@value #REWARD_LONG_PART} code points followed by those of its last {@value #REWARD_LONG_PART}; no
     * special tokens, nothing cut (the row cuts to its budgets).
     *
     * @param texts the texts as given
     * @return one id array per text
     */
    int[][] rewardIds(List<String> texts) {
        int[][] out = new int[texts.size()][];
        List<String> plain = new ArrayList<>();
        List<Integer> plainAt = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            String text = rewardSanitize(texts.get(i));
            int points = text.codePointCount(0, text.length());
            if (points > REWARD_LONG_TEXT) {
                String head = text.substring(0, text.offsetByCodePoints(0, REWARD_LONG_PART));
                String tail = text.substring(text.offsetByCodePoints(text.length(), -REWARD_LONG_PART));
                long[] a = tokenizer.encode(head, false, false).getIds();
                long[] b = tokenizer.encode(tail, false, false).getIds();
                int[] ids = new int[a.length + b.length];
                for (int k = 0; k < a.length; k++) {
                    ids[k] = (int) a[k];
                }
                for (int k = 0; k < b.length; k++) {
                    ids[a.length + k] = (int) b[k];
                }
                out[i] = ids;
            } else {
                plain.add(text);
                plainAt.add(i);
            }
        }
        if (!plain.isEmpty()) {
            Encoding[] encodings = plain.size() == 1
                    ? new Encoding[] {tokenizer.encode(plain.get(0), false, false)}
                    : tokenizer.batchEncode(plain.toArray(new String[0]), false, false);
            for (int p = 0; p < encodings.length; p++) {
                long[] ids = encodings[p].getIds();
                int[] narrow = new int[ids.length];
                for (int k = 0; k < ids.length; k++) {
                    narrow[k] = (int) ids[k];
                }
                out[plainAt.get(p)] = narrow;
            }
        }
        return out;
    }

    /** The text with the special-token strings replaced by spaces, as {@code reward_common.token_ids} does. */
    String rewardSanitize(String text) {
        String out = text;
        for (String token : rewardSpecials) {
            if (out.contains(token)) {
                out = out.replace(token, " ");
            }
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
