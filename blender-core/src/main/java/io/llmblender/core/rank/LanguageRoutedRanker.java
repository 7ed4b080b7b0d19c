package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import java.util.List;
import java.util.function.Supplier;

/**
 * Sends each query to the ranker that reads its language: a query written in Chinese (Han script) to a Chinese
 * ranker, every other query to the default ranker. An English-vocabulary model reads most Chinese characters as
 * {@code [UNK]} and ranks Chinese answers at random; a Chinese model reads English through a smaller vocabulary.
 *
 * <p><b>The rule.</b> For a text, the <em>Han share</em> is the number of Han code points divided by the number of
 * letters (code points for which {@link Character#isLetter(int)} holds; Han ideographs are letters), 0 for a text
 * with no letters. A query goes to the Chinese ranker when the prompt's Han share reaches the threshold, or when the
 * candidates' combined Han share does (default threshold {@value #DEFAULT_THRESHOLD}). So a Chinese prompt with
 * English answers (a translation request, say) goes to the Chinese ranker, which can read the question; an English
 * prompt with mostly Chinese answers too. Digits, punctuation, white space and code symbols do not count either
 * way.
 *
 * <p><b>Lazy loading.</b> The Chinese ranker is given as a supplier and created on the first Chinese query (once,
 * even under concurrent calls), so that users who never rank Chinese never load it. This ranker owns what the
 * supplier returned and closes it in {@link #close()}; it never closes the default ranker, which the caller owns.
 * If the supplier throws, the exception reaches the caller of that query and the next Chinese query tries again.
 *
 * <p>Thread-safe when both rankers are. {@link #name()} is {@code lang(DEFAULT|CHINESE)} with the two rankers'
 * names (the Chinese one's as configured, without loading it).
 */
public final class LanguageRoutedRanker implements Ranker {

    /** The default Han share from which a prompt or its answers count as Chinese. */
    public static final double DEFAULT_THRESHOLD = 0.3;

    private final Ranker defaultRanker;
    private final LazyRanker chinese;
    private final double threshold;
    private volatile boolean closed;

    private LanguageRoutedRanker(Builder b) {
        this.defaultRanker = b.defaultRanker;
        this.chinese = new LazyRanker(b.chineseName, b.chinese);
        this.threshold = b.threshold != null ? b.threshold : DEFAULT_THRESHOLD;
    }

    /**
     * A builder; {@code defaultRanker} and {@code chineseRanker} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The Han share of a text: Han code points over letters, 0 when it has no letters.
     *
     * @param text the text, not null
     * @return a share in [0, 1]
     */
    public static double hanShare(String text) {
        Require.nonNull(text, "text");
        int letters = 0;
        int han = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetter(cp)) {
                letters++;
                if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                    han++;
                }
            }
        }
        return letters == 0 ? 0.0 : (double) han / letters;
    }

    /**
     * Whether a query goes to the Chinese ranker (see the class description).
     *
     * @param source the prompt
     * @param candidates the answers
     * @return true for the Chinese ranker
     */
    public boolean isChinese(String source, List<String> candidates) {
        if (hanShare(source) >= threshold) {
            return true;
        }
        return hanShare(String.join("\n", candidates)) >= threshold;
    }

    @Override
    public String name() {
        return "lang(" + defaultRanker.name() + "|" + chinese.name() + ")";
    }

    @Override
    public PairwiseMatrix score(PairQuery query) {
        return pick(query).score(query);
    }

    @Override
    public PairwiseMatrix score(PairQuery query, java.util.function.Consumer<RankingCost> costs) {
        return pick(query).score(query, costs);
    }

    /** Scores the Chinese and the other queries each in one batch, keeping the input order. */
    @Override
    public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
        Require.nonNull(queries, "queries");
        return QuerySplit.scoreAll(
                queries,
                q -> isChinese(q.source(), q.candidates()),
                zh -> chinese().scoreAll(zh),
                other -> checkOpen(defaultRanker).scoreAll(other));
    }

    private Ranker pick(PairQuery query) {
        return isChinese(query.source(), query.candidates()) ? chinese() : checkOpen(defaultRanker);
    }

    private Ranker checkOpen(Ranker r) {
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
        return r;
    }

    private Ranker chinese() {
        checkOpen(defaultRanker);
        return chinese.get();
    }

    /**
     * Whether the Chinese ranker has been created (by a Chinese query).
     *
     * @return true once it is loaded
     */
    public boolean chineseLoaded() {
        return chinese.loaded();
    }

    /** Closes the Chinese ranker if it was created; never the default ranker. Idempotent. */
    @Override
    public void close() {
        closed = true;
        chinese.close();
    }

    @Override
    public String toString() {
        return "LanguageRoutedRanker[" + name() + ", threshold " + threshold + "]";
    }

    /** Builds a {@link LanguageRoutedRanker}. Not thread-safe; each setter may be called once. */
    public static final class Builder {
        private Ranker defaultRanker;
        private Supplier<? extends Ranker> chinese;
        private String chineseName;
        private Double threshold;

        private Builder() {}

        /**
         * The ranker of every query that is not Chinese. Not closed by the built ranker.
         *
         * @param ranker the ranker, not null
         * @return this builder
         */
        public Builder defaultRanker(Ranker ranker) {
            Require.unset(defaultRanker, "defaultRanker", ranker);
            this.defaultRanker = Require.nonNull(ranker, "defaultRanker");
            return this;
        }

        /**
         * The Chinese ranker, created on the first Chinese query and closed by the built ranker.
         *
         * @param name its name, for {@link #name()} before it is loaded, not blank
         * @param supplier creates it, not null; called at most once successfully
         * @return this builder
         */
        public Builder chineseRanker(String name, Supplier<? extends Ranker> supplier) {
            Require.unset(chinese, "chineseRanker", supplier);
            this.chineseName = Require.nonBlank(name, "chineseRanker name");
            this.chinese = Require.nonNull(supplier, "chineseRanker supplier");
            return this;
        }

        /**
         * The Han share from which a prompt, or its answers taken together, count as Chinese. Default
         * {@value LanguageRoutedRanker#DEFAULT_THRESHOLD}.
         *
         * @param share a share in (0, 1]
         * @return this builder
         */
        public Builder threshold(double share) {
            if (!(share > 0.0 && share <= 1.0)) {
                throw new IllegalArgumentException("threshold must be in (0, 1], found " + share);
            }
            Require.unset(threshold, "threshold", share);
            this.threshold = share;
            return this;
        }

        /**
         * Builds the ranker.
         *
         * @return the ranker
         * @throws IllegalStateException if the default or the Chinese ranker is missing
         */
        public LanguageRoutedRanker build() {
            if (defaultRanker == null) {
                throw new IllegalStateException("defaultRanker is required");
            }
            if (chinese == null) {
                throw new IllegalStateException("chineseRanker is required");
            }
            return new LanguageRoutedRanker(this);
        }
    }
}
