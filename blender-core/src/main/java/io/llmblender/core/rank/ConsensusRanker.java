package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A label-free ranker by consensus (minimum Bayes risk, self-consistency): each candidate's score is its mean
 * similarity to the other candidates of the same query, so the answer that agrees most with the others wins. No
 * model, no training, no call to an LLM; the source text is not used.
 *
 * <p><b>Scores and matrix.</b> With N candidates, {@code s_i = (1/(N-1)) * sum_{j != i} sim(c_i, c_j)} and every
 * requested pair gets {@code M[i][j] = s_i - s_j}, so max-logits, max-wins and bubble all pick the candidate with the
 * highest {@code s_i}. Similarity ({@link Similarity}): {@link Similarity#COVERAGE} (the default: the share of the
 * other answer's words and word bigrams that the candidate holds), {@link Similarity#TOKEN_F1} (F1 of the multisets
 * of words and word bigrams) or {@link Similarity#ROUGE_L} (longest common word subsequence). Words are
 * runs of letters and digits, lower-cased; each Han, kana or Hangul character is a word of its own.
 *
 * <p><b>Final answers.</b> With {@link Builder#finalAnswer(boolean)} each candidate's final answer is extracted (the
 * last {@code \boxed{}}, else a last {@code ####} or "answer:" line, else the last number; numbers compared in a
 * canonical form) and the score becomes majority voting: the share of the other candidates with the same final
 * answer, plus a tie-break of {@code 0.001 x} the lexical score, so among equally voted answers the most typical text
 * wins. A candidate with no extractable answer gets no votes.
 *
 * <p><b>Fewer than three candidates.</b> Two answers are equally similar to each other, so consensus has nothing to
 * say: with N &lt; 3 the query goes to the fallback ranker when one is set ({@link Builder#fallback(Ranker)}), and its
 * matrix is returned as is; with no fallback every requested pair gets logit 0 (a tie: all candidates share rank 1
 * and best-of-n keeps the visiting order's last).
 *
 * <p><b>Thread-safety and ownership.</b> Immutable and thread-safe. The fallback ranker is the caller's: closing this
 * ranker does not close it. Cost: {@code O(N^2)} similarities per query, linear in the texts' lengths for token F1,
 * quadratic for ROUGE-L.
 *
 * <pre>{@code
 * Ranker consensus = ConsensusRanker.builder().fallback(MiniLmRanker.load()).build();
 * Ranking ranking = Rankings.rank(consensus, source, answers);
 * }</pre>
 */
public final class ConsensusRanker implements Ranker {

    /** How two candidate texts are compared. */
    public enum Similarity {
        /**
         * Coverage: {@code sim(c_i, c_j)} is the share of {@code c_j}'s words and word pairs (multiset) that
         * {@code c_i} also holds, the token recall of {@code c_i} with {@code c_j} as reference; an answer scores high
         * when it contains what the others say. Not symmetric; linear time. The default: it picked the best answers in
         * this project's measurement (README, "Rankers without training").
         */
        COVERAGE,
        /** F1 of the multisets of words and adjacent word pairs; symmetric, linear time. */
        TOKEN_F1,
        /** ROUGE-L F1: twice the longest common word subsequence over the total number of words; quadratic time. */
        ROUGE_L
    }

    /** The tie-break weight of the lexical score under final-answer voting. */
    static final double VOTE_TIE_BREAK = 1e-3;

    private final Similarity similarity;
    private final boolean finalAnswer;
    private final Ranker fallback;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ConsensusRanker(Builder b) {
        this.similarity = b.similarity;
        this.finalAnswer = b.finalAnswer;
        this.fallback = b.fallback;
        this.name = "consensus-"
                + similarity.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + (finalAnswer ? "-vote" : "");
    }

    /**
     * A builder; the defaults are {@link Similarity#COVERAGE}, no final-answer voting and no fallback.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The lexical consensus ranker with every default: {@code builder().build()}.
     *
     * @return the ranker
     */
    public static ConsensusRanker lexical() {
        return builder().build();
    }

    /**
     * {@code consensus-coverage}, {@code consensus-token-f1} or {@code consensus-rouge-l}, with {@code -vote} appended under final-answer voting.
     *
     * @return the name
     */
    @Override
    public String name() {
        return name;
    }

    /**
     * The similarity this ranker uses.
     *
     * @return the similarity
     */
    public Similarity similarity() {
        return similarity;
    }

    /**
     * Whether scores are final-answer votes.
     *
     * @return true under majority voting
     */
    public boolean finalAnswer() {
        return finalAnswer;
    }

    /**
     * The ranker consulted for fewer than three candidates.
     *
     * @return the fallback, or empty when ties are returned instead
     */
    public Optional<Ranker> fallback() {
        return Optional.ofNullable(fallback);
    }

    /**
     * The consensus score of every candidate, as described in the class comment; with fewer than three candidates
     * all scores are 0 (the fallback is not consulted here).
     *
     * @param candidates the candidate texts, no null element
     * @return one score per candidate, in [0, 1] for lexical similarity and in [0, 1.001] under voting
     * @throws NullPointerException if the list or an element is null
     * @throws IllegalStateException if the ranker is closed
     */
    public double[] scores(List<String> candidates) {
        requireOpen();
        Require.nonNull(candidates, "candidates");
        int n = candidates.size();
        double[] s = new double[n];
        if (n < 3) {
            for (int i = 0; i < n; i++) {
                Require.nonNull(candidates.get(i), "candidates[" + i + "]");
            }
            return s;
        }
        LexicalSimilarity.Tokens[] tokens = new LexicalSimilarity.Tokens[n];
        String[] answers = new String[n];
        for (int i = 0; i < n; i++) {
            String text = Require.nonNull(candidates.get(i), "candidates[" + i + "]");
            tokens[i] = new LexicalSimilarity.Tokens(text);
            if (finalAnswer) {
                answers[i] = FinalAnswers.extract(text).orElse(null);
            }
        }
        double[] votes = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                switch (similarity) {
                    case COVERAGE -> {
                        long overlap = LexicalSimilarity.overlap(tokens[i], tokens[j]);
                        s[i] += tokens[j].bagSize == 0 ? 1.0 : (double) overlap / tokens[j].bagSize;
                        s[j] += tokens[i].bagSize == 0 ? 1.0 : (double) overlap / tokens[i].bagSize;
                    }
                    case TOKEN_F1 -> {
                        double sim = LexicalSimilarity.tokenF1(tokens[i], tokens[j]);
                        s[i] += sim;
                        s[j] += sim;
                    }
                    default -> {
                        double sim = LexicalSimilarity.rougeL(tokens[i], tokens[j]);
                        s[i] += sim;
                        s[j] += sim;
                    }
                }
                if (finalAnswer && answers[i] != null && answers[i].equals(answers[j])) {
                    votes[i]++;
                    votes[j]++;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            s[i] /= n - 1;
            if (finalAnswer) {
                s[i] = votes[i] / (n - 1) + VOTE_TIE_BREAK * s[i];
            }
        }
        return s;
    }

    /**
     * Scores the requested pairs as {@code s_i - s_j}; with fewer than three candidates, the fallback's matrix or
     * zeros (see the class comment).
     *
     * @param query the source, the candidates and the pairs to score
     * @return the matrix, exactly the requested pairs computed (or what the fallback computed)
     * @throws IllegalStateException if the ranker is closed
     */
    @Override
    public PairwiseMatrix score(PairQuery query) {
        return score(query, cost -> {});
    }

    /**
     * As {@link #score(PairQuery)}; what the fallback reports goes to {@code costs} (consensus itself calls nothing).
     *
     * @param query the source, the candidates and the pairs to score
     * @param costs receives the fallback's reports
     * @return the matrix
     * @throws IllegalStateException if the ranker is closed
     */
    @Override
    public PairwiseMatrix score(PairQuery query, java.util.function.Consumer<RankingCost> costs) {
        requireOpen();
        Require.nonNull(query, "query");
        if (query.size() < 3 && fallback != null) {
            return fallback.score(query, costs);
        }
        return fromScores(query, scores(query.candidates()));
    }

    /**
     * As {@link #score(PairQuery)} for each query, the queries of fewer than three candidates given to the fallback in
     * one {@link Ranker#scoreAll} call (so a model fallback batches them), in input order.
     *
     * @param queries the queries
     * @return one matrix per query, in order
     * @throws IllegalStateException if the ranker is closed
     */
    @Override
    public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
        requireOpen();
        Require.nonNull(queries, "queries");
        if (fallback == null) {
            return queries.stream().map(this::score).toList();
        }
        return QuerySplit.scoreAll(
                queries,
                q -> q.size() < 3,
                fallback::scoreAll,
                many -> many.stream().map(this::score).toList());
    }

    /**
     * A matrix holding {@code scores[i] - scores[j]} for every requested pair of the query.
     *
     * @param query the query
     * @param scores one score per candidate
     * @return the matrix
     */
    static PairwiseMatrix fromScores(PairQuery query, double[] scores) {
        PairwiseMatrix.Builder m = PairwiseMatrix.builder(query.size());
        for (CandidatePair p : query.pairs()) {
            m.set(p, scores[p.first()] - scores[p.second()]);
        }
        return m.build();
    }

    /** Marks the ranker closed; idempotent. The fallback is left open (it is the caller's). */
    @Override
    public void close() {
        closed.set(true);
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("ranker '" + name + "' is closed");
        }
    }

    @Override
    public String toString() {
        return "ConsensusRanker[" + name + (fallback == null ? "" : ", fallback=" + fallback.name()) + "]";
    }

    /** Builds a {@link ConsensusRanker}. Not thread-safe; each setter may be called once. */
    public static final class Builder {
        private Similarity similarity = Similarity.COVERAGE;
        private boolean similaritySet;
        private boolean finalAnswer;
        private boolean finalAnswerSet;
        private Ranker fallback;

        private Builder() {}

        /**
         * How candidates are compared. Default {@link Similarity#COVERAGE}.
         *
         * @param similarity the similarity
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder similarity(Similarity similarity) {
            Require.nonNull(similarity, "similarity");
            if (similaritySet) {
                throw new IllegalStateException("similarity was already set to " + this.similarity);
            }
            this.similarity = similarity;
            this.similaritySet = true;
            return this;
        }

        /**
         * Whether to vote on extracted final answers (for math-like answers). Default false.
         *
         * @param finalAnswer true for majority voting
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder finalAnswer(boolean finalAnswer) {
            if (finalAnswerSet) {
                throw new IllegalStateException("finalAnswer was already set to " + this.finalAnswer);
            }
            this.finalAnswer = finalAnswer;
            this.finalAnswerSet = true;
            return this;
        }

        /**
         * The ranker asked when a query has fewer than three candidates. Default none (ties). Not closed by the
         * consensus ranker.
         *
         * @param fallback the fallback ranker
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder fallback(Ranker fallback) {
            Require.nonNull(fallback, "fallback");
            Require.unset(this.fallback, "fallback", fallback, Ranker::name);
            this.fallback = fallback;
            return this;
        }

        /**
         * Builds the ranker.
         *
         * @return the ranker
         */
        public ConsensusRanker build() {
            return new ConsensusRanker(this);
        }
    }
}
