package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.Role;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The ranking algebra of LLM-Blender over a pairwise {@link Ranker}: full rankings
 * ({@link Aggregation#MAX_LOGITS}, {@link Aggregation#MAX_WINS}), bubble best-of-n and
 * worst-of-n, comparisons in three modes, multi-turn conversation comparison, and scalar rewards
 * against a reference candidate. Each operation asks the ranker only for the pairs it needs.
 *
 * <p>Notation: {@code M[i][j]} is the logit with candidate {@code i} in slot 1 and {@code j} in
 * slot 2; the diagonal is 0.
 *
 * <p>Stateless and thread-safe; as thread-safe as the ranker passed in.
 */
public final class Rankings {

    /**
     * The fixed instruction LLM-Blender puts before a multi-turn comparison. The typo
     * ("coversation") is the reference's: the released models were trained on it.
     */
    public static final String CONVERSATION_INSTRUCTION =
            "Finish the following coversation in each i-th turn by filling in <Response i> with your response.";

    private Rankings() {}

    // ---------------------------------------------------------------- pure algebra

    /**
     * Max-logits scores: {@code score_i = (1/N) * sum_j (M[i][j] - M[j][i])}.
     *
     * @param matrix a complete matrix
     * @return one score per candidate, higher is better
     * @throws IllegalArgumentException if the matrix is not complete
     */
    public static double[] maxLogitsScores(PairwiseMatrix matrix) {
        requireComplete(matrix);
        int n = matrix.size();
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) {
                sum += matrix.logit(i, j) - matrix.logit(j, i);
            }
            scores[i] = sum / n;
        }
        return scores;
    }

    /**
     * Max-wins scores: {@code score_i = #{j : M[i][j] > 0} + #{j : M[j][i] < 0}}.
     *
     * @param matrix a complete matrix
     * @return one score per candidate, higher is better
     * @throws IllegalArgumentException if the matrix is not complete
     */
    public static double[] maxWinsScores(PairwiseMatrix matrix) {
        requireComplete(matrix);
        int n = matrix.size();
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            int wins = 0;
            for (int j = 0; j < n; j++) {
                if (matrix.logit(i, j) > 0) {
                    wins++;
                }
                if (matrix.logit(j, i) < 0) {
                    wins++;
                }
            }
            scores[i] = wins;
        }
        return scores;
    }

    /**
     * Ranks the candidates of a complete matrix.
     *
     * @param matrix a complete matrix
     * @param aggregation {@link Aggregation#MAX_LOGITS} or {@link Aggregation#MAX_WINS}
     * @return the ranking, carrying the matrix
     * @throws IllegalArgumentException if the matrix is not complete or the aggregation is
     *     {@link Aggregation#BUBBLE}, which needs a ranker, not a matrix
     */
    public static Ranking fromMatrix(PairwiseMatrix matrix, Aggregation aggregation) {
        Require.nonNull(matrix, "matrix");
        Require.nonNull(aggregation, "aggregation");
        return switch (aggregation) {
            case MAX_LOGITS -> Ranking.of(maxLogitsScores(matrix), aggregation, matrix);
            case MAX_WINS -> Ranking.of(maxWinsScores(matrix), aggregation, matrix);
            default ->
                throw new IllegalArgumentException("aggregation " + aggregation
                        + " chooses pairs as it goes; use rank(ranker, ...) or bestOfN instead");
        };
    }

    /**
     * One bubble pass over a permutation: the first element is carried; at each step the carried
     * element {@code cur} meets the next {@code nxt}, {@code d = M[cur][nxt] - M[nxt][cur]}, and
     * {@code cur} is carried on only if {@code d > 0} (for the worst, only if {@code d < 0});
     * otherwise, ties included, {@code nxt} is carried. The last carried element is chosen.
     *
     * @param matrix a matrix holding at least the pairs the pass visits
     * @param permutation the visiting order, a permutation of {@code 0..N-1}
     * @param best true for best-of-n, false for worst-of-n
     * @return the chosen index
     * @throws IllegalStateException if the matrix lacks a visited pair
     */
    public static int bubble(PairwiseMatrix matrix, List<Integer> permutation, boolean best) {
        Require.nonNull(matrix, "matrix");
        requirePermutation(permutation, matrix.size());
        int cur = permutation.get(0);
        for (int k = 1; k < permutation.size(); k++) {
            int nxt = permutation.get(k);
            double d = matrix.logit(cur, nxt) - matrix.logit(nxt, cur);
            if (!(best ? d > 0 : d < 0)) {
                cur = nxt;
            }
        }
        return cur;
    }

    /**
     * The permutation of {@code 0..n-1} a bubble pass with this seed visits: the identity shuffled
     * by {@link Collections#shuffle(List, Random)} with {@code new Random(seed)}.
     *
     * @param n the number of candidates, at least 1
     * @param seed the seed
     * @return an unmodifiable permutation
     */
    public static List<Integer> permutation(int n, long seed) {
        Require.positive(n, "n");
        List<Integer> perm = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            perm.add(i);
        }
        Collections.shuffle(perm, new Random(seed));
        return List.copyOf(perm);
    }

    // ---------------------------------------------------------------- with a ranker

    /**
     * Ranks candidates with max-logits over the full matrix: N(N-1) pairs in one request.
     *
     * @param ranker the ranker
     * @param source the text the candidates answer
     * @param candidates the candidates, at least one
     * @return the ranking, carrying the matrix
     */
    public static Ranking rank(Ranker ranker, String source, List<String> candidates) {
        return rank(ranker, source, candidates, Aggregation.MAX_LOGITS, 0L);
    }

    /**
     * Ranks candidates. {@link Aggregation#MAX_LOGITS} and {@link Aggregation#MAX_WINS} score the
     * full matrix in one request; {@link Aggregation#BUBBLE} runs {@link #bestOfN} with the seed
     * and ranks its winner first, every other candidate tied at rank 2. One candidate is ranked
     * first without asking the ranker.
     *
     * @param ranker the ranker
     * @param source the text the candidates answer
     * @param candidates the candidates, at least one
     * @param aggregation how to rank
     * @param seed the bubble permutation's seed; unused by the other aggregations
     * @return the ranking, carrying the (possibly partial) matrix
     * @throws InferenceException if the ranker fails or does not score a requested pair
     */
    public static Ranking rank(
            Ranker ranker, String source, List<String> candidates, Aggregation aggregation, long seed) {
        Require.nonNull(ranker, "ranker");
        Require.nonNull(aggregation, "aggregation");
        if (aggregation == Aggregation.BUBBLE) {
            Selection selection = bestOfN(ranker, source, candidates, seed);
            double[] scores = new double[candidates.size()];
            scores[selection.index()] = 1.0;
            return Ranking.of(scores, aggregation, selection.matrix());
        }
        PairQuery query = PairQuery.full(source, candidates);
        return fromMatrix(score(ranker, query), aggregation);
    }

    /**
     * Ranks the candidates of many sources over full matrices, in one {@link Ranker#scoreAll}
     * request so a batching ranker can pack them together.
     *
     * @param ranker the ranker
     * @param sources one source per example
     * @param candidates the candidates of each example, at least one each
     * @param aggregation {@link Aggregation#MAX_LOGITS} or {@link Aggregation#MAX_WINS}
     * @return one ranking per example, in order
     * @throws IllegalArgumentException if the lists differ in size or the aggregation is
     *     {@link Aggregation#BUBBLE}
     * @throws InferenceException if the ranker fails
     */
    public static List<Ranking> rankAll(
            Ranker ranker, List<String> sources, List<List<String>> candidates, Aggregation aggregation) {
        Require.nonNull(ranker, "ranker");
        Require.nonNull(aggregation, "aggregation");
        if (aggregation == Aggregation.BUBBLE) {
            throw new IllegalArgumentException(
                    "aggregation BUBBLE is sequential per example; use rank(...) per example");
        }
        requireSameSize(sources, candidates);
        List<PairQuery> queries = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            queries.add(PairQuery.full(sources.get(i), candidates.get(i)));
        }
        List<PairwiseMatrix> matrices = scoreAll(ranker, queries);
        List<Ranking> out = new ArrayList<>(matrices.size());
        for (PairwiseMatrix matrix : matrices) {
            out.add(fromMatrix(matrix, aggregation));
        }
        return out;
    }

    /**
     * Best-of-n with one bubble pass: N-1 comparisons of two pairs each, 2(N-1) pairs in all,
     * over the permutation {@link #permutation(int, long)} gives for the seed.
     *
     * @param ranker the ranker
     * @param source the text the candidates answer
     * @param candidates the candidates, at least one
     * @param seed the permutation's seed
     * @return the winner, the permutation and the scored pairs
     * @throws InferenceException if the ranker fails
     */
    public static Selection bestOfN(Ranker ranker, String source, List<String> candidates, long seed) {
        return bubbleSelect(ranker, source, candidates, seed, true);
    }

    /**
     * Worst-of-n with one bubble pass: as {@link #bestOfN} with the comparison flipped.
     *
     * @param ranker the ranker
     * @param source the text the candidates answer
     * @param candidates the candidates, at least one
     * @param seed the permutation's seed
     * @return the loser, the permutation and the scored pairs
     * @throws InferenceException if the ranker fails
     */
    public static Selection worstOfN(Ranker ranker, String source, List<String> candidates, long seed) {
        return bubbleSelect(ranker, source, candidates, seed, false);
    }

    private static Selection bubbleSelect(
            Ranker ranker, String source, List<String> candidates, long seed, boolean best) {
        Require.nonNull(ranker, "ranker");
        List<String> checked = new PairQuery(source, candidates, Set.of()).candidates();
        List<Integer> perm = permutation(checked.size(), seed);
        PairwiseMatrix.Builder seen = PairwiseMatrix.builder(checked.size());
        int cur = perm.get(0);
        for (int k = 1; k < perm.size(); k++) {
            int nxt = perm.get(k);
            CandidatePair forward = new CandidatePair(cur, nxt);
            PairwiseMatrix m = score(ranker, PairQuery.of(source, checked, List.of(forward, forward.reversed())));
            seen.set(cur, nxt, m.logit(cur, nxt)).set(nxt, cur, m.logit(nxt, cur));
            double d = m.logit(cur, nxt) - m.logit(nxt, cur);
            if (!(best ? d > 0 : d < 0)) {
                cur = nxt;
            }
        }
        return new Selection(cur, perm, seen.build());
    }

    /**
     * Compares two candidates for one source.
     *
     * @param ranker the ranker
     * @param source the text both candidates answer
     * @param a candidate A
     * @param b candidate B
     * @param mode which orders to score; see {@link CompareMode} for the sign of each
     * @return {@code M[A][B] - M[B][A]}, {@code M[A][B]} or {@code M[B][A]}
     * @throws InferenceException if the ranker fails
     */
    public static double compare(Ranker ranker, String source, String a, String b, CompareMode mode) {
        Require.nonNull(mode, "mode");
        List<String> pair = List.of(Require.nonNull(a, "a"), Require.nonNull(b, "b"));
        CandidatePair ab = new CandidatePair(0, 1);
        List<CandidatePair> pairs = switch (mode) {
            case A_FIRST -> List.of(ab);
            case B_FIRST -> List.of(ab.reversed());
            default -> List.of(ab, ab.reversed());
        };
        PairwiseMatrix m = score(Require.nonNull(ranker, "ranker"), PairQuery.of(source, pair, pairs));
        return switch (mode) {
            case A_FIRST -> m.logit(0, 1);
            case B_FIRST -> m.logit(1, 0);
            default -> m.logit(0, 1) - m.logit(1, 0);
        };
    }

    /**
     * The boolean form of {@link #compare}: whether its value is {@code > 0}. With
     * {@link CompareMode#B_FIRST} that means B is better, as in the reference.
     *
     * @param ranker the ranker
     * @param source the text both candidates answer
     * @param a candidate A
     * @param b candidate B
     * @param mode which orders to score
     * @return {@code compare(...) > 0}
     */
    public static boolean isBetter(Ranker ranker, String source, String a, String b, CompareMode mode) {
        return compare(ranker, source, a, b, mode) > 0;
    }

    /**
     * Compares two conversations that share their user turns, as LLM-Blender's
     * {@code compare_conversations}: the user turns become the source, each conversation's
     * assistant turns one candidate (see {@link #conversationSource(List)} and
     * {@link #conversationCandidate(List)}).
     *
     * @param ranker the ranker
     * @param a conversation A: USER, ASSISTANT, USER, ASSISTANT, ...
     * @param b conversation B: the same user turns, other assistant turns
     * @param mode which orders to score
     * @return the comparison value, as {@link #compare}
     * @throws IllegalArgumentException if a conversation does not alternate USER/ASSISTANT from a
     *     USER turn with an even number of turns, or the user turns differ
     */
    public static double compareConversations(
            Ranker ranker, List<ChatMessage> a, List<ChatMessage> b, CompareMode mode) {
        requireConversation(a, "a");
        requireConversation(b, "b");
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(
                    "conversations must have the same number of turns, found " + a.size() + " and " + b.size());
        }
        for (int i = 0; i < a.size(); i += 2) {
            if (!a.get(i).content().equals(b.get(i).content())) {
                throw new IllegalArgumentException("user turns must be identical, turn " + i + " differs");
            }
        }
        return compare(ranker, conversationSource(a), conversationCandidate(a), conversationCandidate(b), mode);
    }

    /**
     * The source text of a multi-turn comparison: {@link #CONVERSATION_INSTRUCTION} followed, with
     * no separator, by {@code "USER: {u}\nAssistant: <Response k>"} for each user turn k (from 1),
     * joined by {@code "\n"}.
     *
     * @param conversation alternating USER/ASSISTANT turns
     * @return the source text
     */
    public static String conversationSource(List<ChatMessage> conversation) {
        requireConversation(conversation, "conversation");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < conversation.size(); i += 2) {
            lines.add("USER: " + conversation.get(i).content() + "\nAssistant: <Response " + (i / 2 + 1) + ">");
        }
        return CONVERSATION_INSTRUCTION + String.join("\n", lines);
    }

    /**
     * The candidate text of a multi-turn comparison: {@code "<Response k>: {a}"} for each assistant
     * turn k (from 1), joined by {@code "\n"}.
     *
     * @param conversation alternating USER/ASSISTANT turns
     * @return the candidate text
     */
    public static String conversationCandidate(List<ChatMessage> conversation) {
        requireConversation(conversation, "conversation");
        List<String> lines = new ArrayList<>();
        for (int i = 1; i < conversation.size(); i += 2) {
            lines.add("<Response " + (i / 2 + 1) + ">: " + conversation.get(i).content());
        }
        return String.join("\n", lines);
    }

    /**
     * Which candidate is the reference under a mode; see {@link ReferenceMode}.
     *
     * @param candidates the candidates, at least one
     * @param mode the mode
     * @return the reference's index
     */
    public static int referenceIndex(List<String> candidates, ReferenceMode mode) {
        Require.nonNull(candidates, "candidates");
        Require.nonNull(mode, "mode");
        int n = candidates.size();
        if (n == 0) {
            throw new IllegalArgumentException("candidates must not be empty");
        }
        List<Integer> byLength = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Require.nonNull(candidates.get(i), "candidates[" + i + "]");
            byLength.add(i);
        }
        byLength.sort(Comparator.<Integer>comparingInt(i -> codePoints(candidates.get(i)))
                .thenComparingInt(i -> i));
        return switch (mode) {
            case FIRST -> 0;
            case LAST -> n - 1;
            case SHORTEST -> byLength.get(0);
            case MEDIAN -> byLength.get((n - 1) / 2);
            default -> longest(candidates);
        };
    }

    /**
     * Scalar rewards from a pairwise ranker: each candidate {@code c} gets
     * {@code -(M[ref][c] - M[c][ref])}, its margin over the reference candidate chosen by the mode.
     * The reference itself gets 0 (the diagonal). Scores 2(N-1) pairs in one request.
     *
     * @param ranker the ranker
     * @param source the text the candidates answer
     * @param candidates the candidates, at least one
     * @param mode which candidate is the reference
     * @return one reward per candidate, higher is better; a new array
     * @throws InferenceException if the ranker fails
     */
    public static double[] rewards(Ranker ranker, String source, List<String> candidates, ReferenceMode mode) {
        return rewardsAll(ranker, List.of(source), List.of(candidates), mode).get(0);
    }

    /**
     * Scalar rewards against a reference text given by the caller (for example a gold answer):
     * each candidate {@code c} gets {@code -(M[ref][c] - M[c][ref])}. Scores 2N pairs.
     *
     * @param ranker the ranker
     * @param source the text the candidates answer
     * @param candidates the candidates, at least one
     * @param reference the reference text
     * @return one reward per candidate, higher is better; a new array
     * @throws InferenceException if the ranker fails
     */
    public static double[] rewards(Ranker ranker, String source, List<String> candidates, String reference) {
        Require.nonNull(candidates, "candidates");
        Require.nonNull(reference, "reference");
        List<String> withRef = new ArrayList<>(candidates);
        withRef.add(reference);
        int ref = candidates.size();
        PairwiseMatrix m = score(
                Require.nonNull(ranker, "ranker"), PairQuery.of(source, withRef, referencePairs(withRef.size(), ref)));
        double[] out = new double[candidates.size()];
        for (int c = 0; c < out.length; c++) {
            out[c] = -(m.logit(ref, c) - m.logit(c, ref));
        }
        return out;
    }

    /**
     * {@link #rewards(Ranker, String, List, ReferenceMode)} for many examples in one
     * {@link Ranker#scoreAll} request; for labelling router training data.
     *
     * @param ranker the ranker
     * @param sources one source per example
     * @param candidates the candidates of each example, at least one each
     * @param mode which candidate is the reference
     * @return one reward array per example
     * @throws InferenceException if the ranker fails
     */
    public static List<double[]> rewardsAll(
            Ranker ranker, List<String> sources, List<List<String>> candidates, ReferenceMode mode) {
        Require.nonNull(ranker, "ranker");
        requireSameSize(sources, candidates);
        List<PairQuery> queries = new ArrayList<>(sources.size());
        int[] refs = new int[sources.size()];
        for (int e = 0; e < sources.size(); e++) {
            List<String> cands = candidates.get(e);
            refs[e] = referenceIndex(cands, mode);
            queries.add(PairQuery.of(sources.get(e), cands, referencePairs(cands.size(), refs[e])));
        }
        List<PairwiseMatrix> matrices = scoreAll(ranker, queries);
        List<double[]> out = new ArrayList<>(matrices.size());
        for (int e = 0; e < matrices.size(); e++) {
            PairwiseMatrix m = matrices.get(e);
            double[] rewards = new double[m.size()];
            for (int c = 0; c < rewards.length; c++) {
                rewards[c] = c == refs[e] ? 0.0 : -(m.logit(refs[e], c) - m.logit(c, refs[e]));
            }
            out.add(rewards);
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static List<CandidatePair> referencePairs(int n, int ref) {
        List<CandidatePair> pairs = new ArrayList<>(2 * (n - 1));
        for (int c = 0; c < n; c++) {
            if (c != ref) {
                pairs.add(new CandidatePair(ref, c));
                pairs.add(new CandidatePair(c, ref));
            }
        }
        return pairs;
    }

    private static PairwiseMatrix score(Ranker ranker, PairQuery query) {
        return scoreAll(ranker, List.of(query)).get(0);
    }

    private static List<PairwiseMatrix> scoreAll(Ranker ranker, List<PairQuery> queries) {
        if (queries.isEmpty()) {
            return List.of();
        }
        boolean needed = false;
        for (PairQuery query : queries) {
            needed |= !query.pairs().isEmpty();
        }
        if (!needed) {
            List<PairwiseMatrix> empty = new ArrayList<>(queries.size());
            for (PairQuery query : queries) {
                empty.add(PairwiseMatrix.builder(query.size()).build());
            }
            return empty;
        }
        List<PairwiseMatrix> answered = queries.size() == 1
                ? Collections.singletonList(ranker.score(queries.get(0)))
                : ranker.scoreAll(queries);
        if (answered == null || answered.size() != queries.size()) {
            throw new InferenceException("ranker '" + ranker.name() + "' returned "
                    + (answered == null ? "null" : answered.size() + " matrices") + " for " + queries.size()
                    + " queries");
        }
        for (int q = 0; q < queries.size(); q++) {
            PairQuery query = queries.get(q);
            PairwiseMatrix m = answered.get(q);
            if (m == null || m.size() != query.size()) {
                throw new InferenceException("ranker '" + ranker.name() + "' returned "
                        + (m == null ? "no matrix" : "a " + m.size() + "x" + m.size() + " matrix") + " for "
                        + query.size() + " candidates");
            }
            for (CandidatePair pair : query.pairs()) {
                if (!m.isComputed(pair.first(), pair.second())) {
                    throw new InferenceException("ranker '" + ranker.name() + "' did not score the requested pair ("
                            + pair.first() + ", " + pair.second() + ")");
                }
            }
        }
        return answered;
    }

    private static void requireComplete(PairwiseMatrix matrix) {
        Require.nonNull(matrix, "matrix");
        if (!matrix.isComplete()) {
            throw new IllegalArgumentException("matrix must be complete, found " + matrix.computedCount() + " of "
                    + matrix.size() * (matrix.size() - 1) + " pairs computed");
        }
    }

    private static void requirePermutation(List<Integer> permutation, int n) {
        Require.nonNull(permutation, "permutation");
        boolean[] seen = new boolean[n];
        if (permutation.size() != n) {
            throw new IllegalArgumentException("permutation must have " + n + " elements, found " + permutation.size());
        }
        for (Integer p : permutation) {
            Require.index(Require.nonNull(p, "permutation element"), n, "permutation element");
            if (seen[p]) {
                throw new IllegalArgumentException("permutation repeats " + p);
            }
            seen[p] = true;
        }
    }

    private static void requireSameSize(List<String> sources, List<List<String>> candidates) {
        Require.nonNull(sources, "sources");
        Require.nonNull(candidates, "candidates");
        if (sources.size() != candidates.size()) {
            throw new IllegalArgumentException("sources and candidates must have the same size, found " + sources.size()
                    + " and " + candidates.size());
        }
    }

    private static void requireConversation(List<ChatMessage> conversation, String field) {
        Require.nonNull(conversation, field);
        if (conversation.isEmpty() || conversation.size() % 2 != 0) {
            throw new IllegalArgumentException(
                    field + " must have an even, non-zero number of turns, found " + conversation.size());
        }
        for (int i = 0; i < conversation.size(); i++) {
            Role expected = i % 2 == 0 ? Role.USER : Role.ASSISTANT;
            Role found =
                    Require.nonNull(conversation.get(i), field + "[" + i + "]").role();
            if (found != expected) {
                throw new IllegalArgumentException(field + "[" + i + "] must be " + expected + ", found " + found);
            }
        }
    }

    /** The index of the first longest candidate, in code points. */
    private static int longest(List<String> candidates) {
        int longest = 0;
        for (int i = 1; i < candidates.size(); i++) {
            if (codePoints(candidates.get(i)) > codePoints(candidates.get(longest))) {
                longest = i;
            }
        }
        return longest;
    }

    private static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }
}
