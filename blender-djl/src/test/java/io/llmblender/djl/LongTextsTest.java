package io.llmblender.djl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LongTextsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void prefixFor_upToTheThreshold_keepsTheText() {
        String text = "word ".repeat(LongTexts.PRECUT_MIN_CHARS / 5);

        assertThat(LongTexts.prefixFor(text, 10, 4)).isSameAs(text);
    }

    @Test
    void prefixFor_longText_cutsAtTheFirstSpaceAfterRoomForTheTokens() {
        String text = "abcdefg ".repeat(20_000); // 160,000 characters

        String cut = LongTexts.prefixFor(text, 100, 5);

        int need = (100 + LongTexts.MARGIN_TOKENS) * 5; // 660 characters, inside the 83rd word
        assertThat(cut).hasSize(663).isEqualTo(text.substring(0, 663));
        assertThat(text.charAt(cut.length())).isEqualTo(' ');
        assertThat(cut.length()).isGreaterThanOrEqualTo(need);
    }

    @Test
    void prefixFor_noWhiteSpaceNearTheCut_keepsTheText() {
        String text = "x".repeat(200_000);

        assertThat(LongTexts.prefixFor(text, 100, 5)).isSameAs(text);
    }

    @Test
    void prefixFor_unusualWhiteSpace_isNotACutPoint() {
        String text = "a\u001Cb\u00A0".repeat(50_000) + " tail";

        assertThat(LongTexts.prefixFor(text, 10, 2)).isSameAs(text);
    }

    @Test
    void splitsOnWhitespace_knowsThePreTokenizers() throws Exception {
        assertThat(splits("{\"type\": \"ByteLevel\", \"use_regex\": true}")).isTrue();
        assertThat(splits("{\"type\": \"ByteLevel\", \"use_regex\": false}")).isFalse();
        assertThat(splits("{\"type\": \"Metaspace\", \"split\": true}")).isTrue();
        assertThat(splits("{\"type\": \"Metaspace\", \"split\": false}")).isFalse();
        assertThat(splits("{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\"},"
                        + " {\"type\": \"WhitespaceSplit\"}]}"))
                .isTrue();
        assertThat(splits("{\"type\": \"Digits\"}")).isFalse();
        assertThat(LongTexts.splitsOnWhitespace(JSON.readTree("{\"pre_tokenizer\": null}")))
                .isFalse();
    }

    @Test
    void longestToken_readsVocabularyAndAddedTokens() throws Exception {
        assertThat(LongTexts.longestToken(JSON.readTree("{\"model\": {\"vocab\": {\"a\": 0, \"abcd\": 1}},"
                        + " \"added_tokens\": [{\"content\": \"<|candidate1|>\"}]}")))
                .isEqualTo(14);
        assertThat(LongTexts.longestToken(
                        JSON.readTree("{\"model\": {\"vocab\": [[\"\u2581hello\", -1.0], [\"x\", -2.0]]}}")))
                .isEqualTo(6);
    }

    private static boolean splits(String pre) throws Exception {
        return LongTexts.splitsOnWhitespace(JSON.readTree("{\"pre_tokenizer\": " + pre + "}"));
    }
}
