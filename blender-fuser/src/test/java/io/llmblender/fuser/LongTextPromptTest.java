package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.core.llm.Prompt;
import io.llmblender.djl.LongTexts;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Candidates, instructions and inputs of more than {@link LongTexts#PRECUT_MIN_CHARS} characters are cut at white
 * space before tokenizing; the prompt must be exactly the one their whole text gives. The reference is a shorter
 * prefix under the threshold (tokenized whole) that holds far more tokens than the prompt keeps.
 */
class LongTextPromptTest {

    private static final String ANSWER =
            "Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at"
                    + " the farmers' market, with émojis 😀 and 日本語. ";
    private static GenFuser fuser;

    @BeforeAll
    static void load() {
        fuser = GenFuser.builder(GoldenDecodingTest.DIR)
                .device("cpu")
                .decoding(Decoding.greedy())
                .maxNewTokens(4)
                .build();
    }

    @AfterAll
    static void close() {
        fuser.close();
    }

    private static String repeated(int chars) {
        return ANSWER.repeat(chars / ANSWER.length() + 1);
    }

    private static String wholeReference(String text) {
        return text.substring(0, text.lastIndexOf(' ', LongTexts.PRECUT_MIN_CHARS - 1));
    }

    @Test
    void promptIds_hugeCandidate_equalTokenizingItWhole() {
        String huge = repeated(2_000_000);
        Prompt q = Prompt.of("Which answer is best?");

        assertThat(fuser.promptIds(q, List.of(huge, "short")))
                .containsExactly(fuser.promptIds(q, List.of(wholeReference(huge), "short")));
    }

    @Test
    void promptIds_hugeInstructionAndInput_equalTokenizingThemWhole() {
        String huge = repeated(1_000_000);

        assertThat(fuser.promptIds(Prompt.of(huge, "x"), List.of("a", "b")))
                .containsExactly(fuser.promptIds(Prompt.of(wholeReference(huge), "x"), List.of("a", "b")));
        assertThat(fuser.promptIds(Prompt.of("Sum up.", huge), List.of("a", "b")))
                .containsExactly(fuser.promptIds(Prompt.of("Sum up.", wholeReference(huge)), List.of("a", "b")));
    }

    @Test
    void fuse_hugeCandidate_fusesWithinTheBudget() {
        assertThat(fuser.promptIds(Prompt.of("Which?"), List.of(repeated(3_000_000))))
                .hasSizeLessThanOrEqualTo(1024);
        assertThat(fuser.fuse(Prompt.of("Which?"), List.of(repeated(3_000_000), "short"))
                        .finishReason())
                .isNotNull();
    }
}
