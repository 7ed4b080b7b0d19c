package io.llmblender.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Parser complaints, as Jackson 2.x words them, in the project's words. */
class JsonProblemsTest {

    @Test
    void describe_namesWhatIsWrongAndWhere_withoutParserFeatureNames() {
        assertThat(JsonProblems.describe(
                        "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", 1, 12))
                .isEqualTo("line 1, column 12: NaN is not a JSON number");
        assertThat(JsonProblems.describe(
                        "Unexpected end-of-input: expected close marker for Object (start marker at [Source: REDACTED"
                                + " (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])",
                        -1,
                        -1))
                .isEqualTo("the JSON ends before it is complete");
        assertThat(JsonProblems.describe(
                        "Unexpected character ('}' (code 125)): was expecting double-quote to start field name", 0, 9))
                .isEqualTo("column 9: unexpected character '}'; field names need double quotes");
        assertThat(JsonProblems.describe("Unrecognized token 'hello': was expecting (JSON String, Number, ...)", 2, 3))
                .isEqualTo("line 2, column 3: unexpected word 'hello'; strings need double quotes");
        assertThat(JsonProblems.describe("Duplicate field 'model'", 1, 30))
                .isEqualTo("line 1, column 30: the field 'model' appears twice");
        assertThat(JsonProblems.describe("something new", 0, 0)).isEqualTo("it is not valid JSON");
        assertThat(JsonProblems.describe(null, 0, 0)).isEqualTo("it is not valid JSON");
    }
}
