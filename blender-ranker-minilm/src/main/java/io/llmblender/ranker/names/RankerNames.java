package io.llmblender.ranker.names;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.check.Require;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.rank.ConsensusRanker;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankers;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.ranker.minilm.MiniLmRewardRanker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ranker names, as the server config's {@code "ranker"} field and the tool's {@code --ranker} option read them; one
 * parser, so every command and the server accept the same names:
 *
 * <ul>
 *   <li>{@code default}: {@link MiniLmRewardRanker#defaultRanker()}, label-free consensus over three or more answers,
 *       the trained reward ranker for a pair of answers (the longer answer for a Chinese pair); the best-measured
 *       combination (README "Performance");
 *   <li>{@code reward}: the trained reward ranker alone ({@link MiniLmRewardRanker}, a prompt-and-answer
 *       all-MiniLM-L6-v2 cross-encoder fine-tuned on preference pairs, with a length term);
 *   <li>{@code minilm}: the zero-shot all-MiniLM-L6-v2 relevance PairRanker ({@link MiniLmRanker}, not trained on
 *       preferences; the default before consensus measured better);
 *   <li>{@code none}: no ranker (where a command can do without one);
 *   <li>{@code consensus}: label-free lexical consensus ({@link ConsensusRanker}, coverage similarity), deferring to
 *       the length prior below three answers; {@code consensus:coverage}, {@code consensus:token-f1},
 *       {@code consensus:rouge-l} choose the similarity, {@code consensus:vote} votes on final answers (math);
 *       {@code consensus:embedding} is the mean cosine of the MiniLM ranker's text vectors
 *       ({@link PairRanker#embeddingConsensus()});
 *   <li>{@code length}: the length prior ({@link Rankers#lengthPrior()}), a baseline;
 *   <li>{@code judge:NAME}: the configured LLM {@code NAME} as a pairwise judge
 *       ({@link io.llmblender.core.rank.LlmJudgeRanker}, defaults);
 *   <li>{@code combined:FILE}: a weighted combination ({@link Rankers#combine}) read from a JSON file
 *       {@code {"rankers": ["default", "consensus", "length"], "weights": [0.2, 0.7, 0.2]}}, as
 *       {@code blender fit-rankers} writes it; its rankers are any of these names but {@code none} and
 *       {@code combined:};
 *   <li>anything else: a directory holding an exported PairRanker.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class RankerNames {

    /** The consensus names, {@code consensus} and its variants, in the order messages list them. */
    public static final List<String> CONSENSUS = List.of(
            "consensus",
            "consensus:coverage",
            "consensus:token-f1",
            "consensus:rouge-l",
            "consensus:vote",
            "consensus:embedding");

    /** The accepted forms, for messages. */
    public static final String ACCEPTED = "default, reward, minilm, none, " + String.join(", ", CONSENSUS)
            + ", length, judge:NAME, combined:FILE, or an exported PairRanker directory";

    private RankerNames() {}

    /**
     * The message for a consensus name that is not among {@link #CONSENSUS}.
     *
     * @param field what to call the setting
     * @param value the name as given
     * @return the message, listing the accepted consensus names
     */
    public static String unknownConsensus(String field, String value) {
        return field + " '" + value + "': unknown consensus variant; accepted: " + String.join(", ", CONSENSUS);
    }

    /**
     * Makes the ranker a name stands for.
     *
     * @param value the name
     * @param field what to call the setting in messages, e.g. {@code --ranker} or {@code config.json: field 'ranker'}
     * @param llms the configured LLMs by name, for {@code judge:NAME}
     * @param made every ranker made here is appended, in creation order, for the caller to close in reverse order
     * @return the ranker, or {@code null} for {@code none}
     * @throws IllegalArgumentException naming the field and value, and listing the accepted forms, when the value is
     *     none of them, names a missing directory or file, or names an LLM that is not configured
     * @throws io.llmblender.core.error.ModelLoadException if a model fails to load
     */
    public static Ranker resolve(String value, String field, Map<String, LlmClient> llms, List<AutoCloseable> made) {
        Require.nonNull(value, "value");
        Require.nonNull(llms, "llms");
        Require.nonNull(made, "made");
        String v = value.strip();
        if (v.equals("none")) {
            return null;
        }
        if (v.equals("default")) {
            return keep(MiniLmRewardRanker.defaultRanker(), made);
        }
        if (v.equals("reward")) {
            return keep(MiniLmRewardRanker.load(), made);
        }
        if (v.equals("minilm")) {
            return keep(MiniLmRanker.load(), made);
        }
        if (v.equals("length")) {
            return Rankers.lengthPrior();
        }
        if (v.equals("consensus:embedding")) {
            return keep(keep(MiniLmRanker.load(), made).embeddingConsensus(), made);
        }
        if (v.equals("consensus") || v.startsWith("consensus:")) {
            return consensus(v, field, made);
        }
        if (v.startsWith("judge:")) {
            String name = v.substring("judge:".length());
            LlmClient judge = llms.get(name);
            if (judge == null) {
                throw new IllegalArgumentException(field + " '" + value + "': no LLM named '" + name
                        + "' is configured (LLMs: " + String.join(", ", llms.keySet()) + ")");
            }
            return keep(io.llmblender.core.rank.LlmJudgeRanker.builder(judge).build(), made);
        }
        if (v.startsWith("combined:")) {
            return combined(v.substring("combined:".length()), value, field, llms, made);
        }
        Path p = Path.of(v);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(field + " '" + value + "' is no ranker name and no directory ("
                    + p.toAbsolutePath() + "); accepted: " + ACCEPTED);
        }
        return keep(PairRanker.load(p), made);
    }

    private static Ranker consensus(String v, String field, List<AutoCloseable> made) {
        ConsensusRanker.Builder b = ConsensusRanker.builder();
        switch (v) {
            case "consensus", "consensus:coverage" -> b.similarity(ConsensusRanker.Similarity.COVERAGE);
            case "consensus:token-f1" -> b.similarity(ConsensusRanker.Similarity.TOKEN_F1);
            case "consensus:rouge-l" -> b.similarity(ConsensusRanker.Similarity.ROUGE_L);
            case "consensus:vote" -> b.finalAnswer(true);
            default -> throw new IllegalArgumentException(unknownConsensus(field, v));
        }
        b.fallback(Rankers.lengthPrior());
        return keep(b.build(), made);
    }

    private static Ranker combined(
            String file, String value, String field, Map<String, LlmClient> llms, List<AutoCloseable> made) {
        Path p = Path.of(file);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(p));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    field + " '" + value + "': cannot read the combination file " + p.toAbsolutePath() + ": "
                            + e.getMessage(),
                    e);
        }
        JsonNode names = root == null ? null : root.get("rankers");
        JsonNode weights = root == null ? null : root.get("weights");
        if (names == null || !names.isArray() || weights == null || !weights.isArray()) {
            throw new IllegalArgumentException(field + " '" + value + "': " + p
                    + " must hold arrays 'rankers' and 'weights' (as blender fit-rankers writes them)");
        }
        if (names.size() != weights.size() || names.isEmpty()) {
            throw new IllegalArgumentException(field + " '" + value + "': " + p + " has " + names.size()
                    + " rankers and " + weights.size() + " weights; they must be as many, at least one");
        }
        List<Ranker> rankers = new ArrayList<>();
        double[] w = new double[weights.size()];
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k).asText();
            if (!weights.get(k).isNumber()) {
                throw new IllegalArgumentException(field + " '" + value + "': " + p + " weights[" + k
                        + "] must be a number, found " + weights.get(k));
            }
            w[k] = weights.get(k).asDouble();
            if (name.equals("none") || name.startsWith("combined:")) {
                throw new IllegalArgumentException(field + " '" + value + "': " + p + " rankers[" + k + "] '" + name
                        + "' cannot be part of a combination");
            }
            rankers.add(resolve(name, p + " rankers[" + k + "]", llms, made));
        }
        return keep(Rankers.combine(rankers, w), made);
    }

    private static <T extends Ranker> T keep(T ranker, List<AutoCloseable> made) {
        made.add(ranker);
        return ranker;
    }
}
