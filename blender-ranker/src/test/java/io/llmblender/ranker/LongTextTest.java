package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.core.rank.Ranking;
import io.llmblender.djl.LongTexts;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Texts of more than {@link LongTexts#PRECUT_MIN_CHARS} characters are cut at white space before tokenizing; the rows
 * must be exactly those of the same text tokenized whole. The reference here is a shorter prefix of the text, under
 * the threshold (so tokenized whole), which holds far more tokens than any row reads.
 */
class LongTextTest {

    private static final String ANSWER =
            "Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every"
                    + " day at the farmers' market, 日本語 and émojis 😀 included. ";
    private static PairRanker ranker;

    @BeforeAll
    static void load() {
        ranker = PairRanker.load(Fixtures.tinyRanker());
    }

    @AfterAll
    static void close() {
        ranker.close();
    }

    /** The text repeated to at least {@code chars} characters. */
    private static String repeated(int chars) {
        return ANSWER.repeat(chars / ANSWER.length() + 1);
    }

    /** A prefix under the threshold that ends where the long text continues with a space. */
    private static String wholeReference(String text) {
        int end = text.lastIndexOf(' ', LongTexts.PRECUT_MIN_CHARS - 1);
        return text.substring(0, end);
    }

    @Test
    void encodePair_hugeCandidatesAndSource_rowsEqualTokenizingWhole() {
        String huge = repeated(2_000_000);
        String reference = wholeReference(huge);

        assertThat(ranker.encodePair("How much?", huge, "short"))
                .containsExactly(ranker.encodePair("How much?", reference, "short"));
        assertThat(ranker.encodePair("How much?", "short", huge))
                .containsExactly(ranker.encodePair("How much?", "short", reference));
        assertThat(ranker.encodePair(huge, "a", "b")).containsExactly(ranker.encodePair(reference, "a", "b"));
    }

    @Test
    void rank_hugeCandidate_givesTheSameScoresAsItsPrefix() {
        String huge = repeated(1_000_000);

        Ranking long1 = ranker.rank("How much?", List.of(huge, "She makes $18.", "$14"));
        Ranking short1 = ranker.rank("How much?", List.of(wholeReference(huge), "She makes $18.", "$14"));

        assertThat(long1.scores()).containsExactly(short1.scores());
    }

    @Test
    void encodePair_hugeTextWithoutSpaces_isTokenizedWhole() {
        String noSpaces = "x".repeat(200_000);

        assertThat(ranker.encodePair("q", noSpaces, "b")).hasSizeLessThanOrEqualTo(ranker.maxRowLength());
    }
}
