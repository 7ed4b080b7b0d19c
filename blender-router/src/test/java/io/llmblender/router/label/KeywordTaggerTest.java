package io.llmblender.router.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeywordTaggerTest {

    private static final KeywordTagger TAGGER = KeywordTagger.builder()
            .rule("math", "\\d+\\s*[-+*/]\\s*\\d+", "how many")
            .keywords("code", "python", "c++", "sum")
            .rule("greeting", "^(hi|hello)\\b")
            .build();

    @Test
    void tags_regexMatchesAnywhere() {
        assertThat(TAGGER.tags("What is 12 * 7?")).containsExactly("math");
        assertThat(TAGGER.tags("what is 3+4")).containsExactly("math");
    }

    @Test
    void tags_caseInsensitive() {
        assertThat(TAGGER.tags("HOW MANY legs does a spider have?")).containsExactly("math");
        assertThat(TAGGER.tags("Write PYTHON")).containsExactly("code");
        // Unicode case folding, not only ASCII
        assertThat(KeywordTagger.builder().keywords("de", "über").build().tags("ÜBER ALLES"))
                .containsExactly("de");
    }

    @Test
    void tags_severalTags_inRuleOrder() {
        assertThat(TAGGER.tags("Hello! In Python, how many bytes is 2 + 2?"))
                .containsExactly("math", "code", "greeting");
    }

    @Test
    void tags_noMatch_isEmpty() {
        assertThat(TAGGER.tags("Tell me a story")).isEmpty();
        assertThat(TAGGER.tags("")).isEmpty();
    }

    @Test
    void keywords_matchWholeWordsLiterally() {
        assertThat(TAGGER.tags("the sum of these")).containsExactly("code");
        assertThat(TAGGER.tags("a summary please")).isEmpty();
        assertThat(TAGGER.tags("templates in C++ are hard")).containsExactly("code");
        // "+" is literal, not a regex quantifier
        assertThat(TAGGER.tags("ccc")).isEmpty();
    }

    @Test
    void rule_sameTagTwice_accumulates() {
        KeywordTagger tagger = KeywordTagger.builder()
                .rule("x", "foo")
                .rule("y", "baz")
                .rule("x", "bar")
                .build();
        assertThat(tagger.tags("bar")).containsExactly("x");
        assertThat(tagger.tags("foo baz")).containsExactly("x", "y");
    }

    @Test
    void tags_resultIsUnmodifiable() {
        assertThatThrownBy(() -> TAGGER.tags("python").add("z")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rule_invalidRegex_namesTagAndRegex() {
        assertThatThrownBy(() -> KeywordTagger.builder().rule("bad", "a(b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rule for tag \"bad\": invalid regex \"a(b\"");
    }

    @Test
    void builder_rejectsBadArguments() {
        assertThatThrownBy(() -> KeywordTagger.builder().rule(" ", "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tag must not be blank, found \" \"");
        assertThatThrownBy(() -> KeywordTagger.builder().rule("t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rule for tag \"t\" must have at least one regex");
        assertThatThrownBy(() -> KeywordTagger.builder().keywords("t", "ok", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keywords[1] must not be blank, found \"\"");
        assertThatThrownBy(() -> KeywordTagger.builder().rule("t", (String) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("regexes[0] must not be null");
        assertThatThrownBy(() -> KeywordTagger.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a KeywordTagger needs at least one rule");
        assertThatThrownBy(() -> TAGGER.tags(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("query must not be null");
    }

    @Test
    void withTags_unionsTaggerTagsWithOwnTags() {
        List<RewardRecord> records = List.of(
                new RewardRecord("how many?", Map.of("a", 1.0), Set.of("own")),
                RewardRecord.of("story", Map.of("a", 2.0)),
                new RewardRecord("python 1+1", Map.of("a", 3.0), Set.of("math")));
        List<RewardRecord> tagged = RewardRecords.withTags(records, TAGGER);
        assertThat(tagged.get(0).tags()).containsExactly("own", "math");
        assertThat(tagged.get(1).tags()).isEmpty();
        assertThat(tagged.get(2).tags()).containsExactly("math", "code");
        assertThat(tagged.get(2).rewards()).isEqualTo(records.get(2).rewards());
        assertThat(RewardRecords.withTags(records, q -> Set.of("all")).get(1).tags())
                .containsExactly("all");
    }
}
