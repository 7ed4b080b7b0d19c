package io.llmblender.router.label;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@link Tagger} from rules: each tag has regular expressions and keywords, and a query gets the
 * tag when any of them occurs in it, case-insensitively (Unicode case folding). Tags come out in
 * the order their rules were first added. For example:
 *
 * <pre>{@code
 * Tagger tagger = KeywordTagger.builder()
 *         .rule("math", "\\d+\\s*[-+x/]\\s*\\d+", "how many")
 *         .keywords("code", "python", "c++")
 *         .build();
 * tagger.tags("How many apples?");   // [math]
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class KeywordTagger implements Tagger {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

    private final Map<String, List<Pattern>> rules;

    private KeywordTagger(Map<String, List<Pattern>> rules) {
        this.rules = rules;
    }

    /**
     * A builder with no rules.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The tags whose rules match somewhere in the query ({@link java.util.regex.Matcher#find()}).
     *
     * @param query the query text
     * @return the matching tags in rule order, an unmodifiable set, empty when none matches
     * @throws NullPointerException if {@code query} is null
     */
    @Override
    public Set<String> tags(String query) {
        Require.nonNull(query, "query");
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, List<Pattern>> rule : rules.entrySet()) {
            for (Pattern pattern : rule.getValue()) {
                if (pattern.matcher(query).find()) {
                    out.add(rule.getKey());
                    break;
                }
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * The rules as tag to patterns, for diagnostics.
     *
     * @return the rules, e.g. {@code KeywordTagger{math=[\d+, how many]}}
     */
    @Override
    public String toString() {
        return "KeywordTagger" + rules;
    }

    /**
     * Collects the rules of a {@link KeywordTagger}. Rules added for the same tag accumulate. The
     * builder has no setters, so the rule "each setter may be called at most once" of the other
     * builders has nothing to refuse here: {@link #rule} and {@link #keywords} add rules and may be
     * called any number of times. Not thread-safe; each {@link #build()} returns an independent
     * tagger.
     */
    public static final class Builder {

        private final Map<String, List<Pattern>> rules = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Tags queries in which any of the regular expressions is found, case-insensitively.
         *
         * @param tag the tag, not blank
         * @param regexes at least one regular expression ({@link Pattern} syntax)
         * @return this builder
         * @throws NullPointerException if an argument or a regex is null
         * @throws IllegalArgumentException if the tag is blank, there is no regex, or a regex is
         *     invalid; the message names the tag and the regex
         */
        public Builder rule(String tag, String... regexes) {
            Require.nonBlank(tag, "tag");
            Require.nonNull(regexes, "regexes");
            if (regexes.length == 0) {
                throw new IllegalArgumentException(
                        "rule for tag " + Require.quote(tag) + " must have at least one regex");
            }
            List<Pattern> compiled = new ArrayList<>(regexes.length);
            for (int i = 0; i < regexes.length; i++) {
                String regex = Require.nonNull(regexes[i], "regexes[" + i + "]");
                try {
                    compiled.add(Pattern.compile(regex, FLAGS));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException(
                            "rule for tag " + Require.quote(tag) + ": invalid regex " + Require.quote(regex) + ": "
                                    + e.getDescription(),
                            e);
                }
            }
            rules.computeIfAbsent(tag, t -> new ArrayList<>()).addAll(compiled);
            return this;
        }

        /**
         * Tags queries containing any of the keywords as a whole word or phrase, case-insensitively:
         * the keyword is taken literally (no regex syntax) and must not be preceded or followed by a
         * letter, digit or underscore, so {@code "sum"} matches "the sum of" but not "summary".
         *
         * @param tag the tag, not blank
         * @param keywords at least one keyword, not blank
         * @return this builder
         * @throws NullPointerException if an argument or a keyword is null
         * @throws IllegalArgumentException if the tag or a keyword is blank, or there is no keyword
         */
        public Builder keywords(String tag, String... keywords) {
            Require.nonBlank(tag, "tag");
            Require.nonNull(keywords, "keywords");
            if (keywords.length == 0) {
                throw new IllegalArgumentException("keywords for tag " + Require.quote(tag) + " must not be empty");
            }
            String[] regexes = new String[keywords.length];
            for (int i = 0; i < keywords.length; i++) {
                String keyword = Require.nonBlank(keywords[i], "keywords[" + i + "]");
                regexes[i] = "(?<![\\p{L}\\p{N}_])" + Pattern.quote(keyword) + "(?![\\p{L}\\p{N}_])";
            }
            return rule(tag, regexes);
        }

        /**
         * Makes the tagger.
         *
         * @return an immutable tagger holding the rules added so far
         * @throws IllegalStateException if no rule was added
         */
        public KeywordTagger build() {
            if (rules.isEmpty()) {
                throw new IllegalStateException("a KeywordTagger needs at least one rule");
            }
            Map<String, List<Pattern>> copy = new LinkedHashMap<>();
            rules.forEach((tag, patterns) -> copy.put(tag, List.copyOf(patterns)));
            return new KeywordTagger(Collections.unmodifiableMap(copy));
        }
    }
}
