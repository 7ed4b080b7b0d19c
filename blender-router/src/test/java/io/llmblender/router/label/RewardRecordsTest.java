package io.llmblender.router.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.FileContentException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardRecordsTest {

    private static Map<String, Double> rewards(Object... nameThenReward) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenReward.length; i += 2) {
            m.put((String) nameThenReward[i], (Double) nameThenReward[i + 1]);
        }
        return m;
    }

    private static List<RewardRecord> read(String text) {
        return RewardRecords.read(new StringReader(text), "data.jsonl");
    }

    private static void assertBadLine(String text, String message) {
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(FileContentException.class)
                .hasMessage(message);
    }

    @Test
    void write_unwritablePath_isABlenderExceptionNamingTheFile(@TempDir Path dir) throws Exception {
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        Path target = notADir.resolve("records.jsonl");
        List<RewardRecord> records = List.of(new RewardRecord("q", rewards("a", 1.0, "b", 0.0), Set.of()));
        assertThatThrownBy(() -> RewardRecords.write(target, records))
                .isExactlyInstanceOf(io.llmblender.core.error.BlenderException.class)
                .hasMessageStartingWith("cannot write " + target);
    }

    @Test
    void writeThenRead_roundTrips(@TempDir Path dir) throws Exception {
        List<RewardRecord> records = List.of(
                new RewardRecord("What is 2+2?", rewards("gpt-4", 1.0, "mixtral", -0.5), Set.of("math")),
                RewardRecord.of("Say \"hi\"\nin \u00e9t\u00e9 \uD83D\uDE00", rewards("gpt-4", 0.1, "mixtral", 1e-17)),
                new RewardRecord("", rewards("mixtral", 3.0, "gpt-4", -2.25), new LinkedHashSet<>(List.of("z", "a"))));
        Path file = dir.resolve("rewards.jsonl");
        RewardRecords.write(file, records);

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0))
                .isEqualTo(
                        "{\"query\":\"What is 2+2?\",\"rewards\":{\"gpt-4\":1.0,\"mixtral\":-0.5},\"tags\":[\"math\"]}");
        List<RewardRecord> back = RewardRecords.read(file);
        assertThat(back).isEqualTo(records);
        // orders survive: rewards and tags as written
        assertThat(back.get(2).rewards().keySet()).containsExactly("mixtral", "gpt-4");
        assertThat(back.get(2).tags()).containsExactly("z", "a");
    }

    @Test
    void write_toWriter_oneLinePerRecord() {
        StringWriter out = new StringWriter();
        RewardRecords.write(out, List.of(RewardRecord.of("q", rewards("a", 2.0))));
        assertThat(out.toString()).isEqualTo("{\"query\":\"q\",\"rewards\":{\"a\":2.0},\"tags\":[]}\n");
    }

    @Test
    void read_skipsBlankLines_andTagsAreOptional() {
        List<RewardRecord> records = read("\n{\"query\": \"q1\", \"rewards\": {\"a\": 1, \"b\": 0.5}}\n   \n"
                + "{\"query\": \"q2\", \"rewards\": {\"a\": -3e2, \"b\": 0}, \"tags\": [\"x\", \"y\"]}\n\n");
        assertThat(records)
                .containsExactly(
                        RewardRecord.of("q1", rewards("a", 1.0, "b", 0.5)),
                        new RewardRecord("q2", rewards("a", -300.0, "b", 0.0), new LinkedHashSet<>(List.of("x", "y"))));
    }

    @Test
    void read_nullTags_meansNoTags() {
        assertThat(read("{\"query\":\"q\",\"rewards\":{\"a\":1},\"tags\":null}")
                        .get(0)
                        .tags())
                .isEmpty();
    }

    @Test
    void read_empty_givesNoRecords() {
        assertThat(read("")).isEmpty();
        assertThat(read("\n \n")).isEmpty();
    }

    @Test
    void read_notJson_namesSourceAndLine() {
        String good = "{\"query\":\"q\",\"rewards\":{\"a\":1}}\n";
        assertThatThrownBy(() -> read(good + "\n{query: oops}\n"))
                .isInstanceOf(FileContentException.class)
                .hasMessageStartingWith("data.jsonl:3: not valid JSON: ");
        assertThatThrownBy(() -> read(good + "{\"query\":\"q\",\"rewards\":{\"a\":1}} {}"))
                .isInstanceOf(FileContentException.class)
                .hasMessageStartingWith("data.jsonl:2: not valid JSON: ");
    }

    @Test
    void read_badFields_sayWhatIsWrong() {
        assertBadLine("[1, 2]", "data.jsonl:1: must be a JSON object, found array");
        assertBadLine("{\"rewards\":{\"a\":1}}", "data.jsonl:1: missing field \"query\"");
        assertBadLine("{\"query\":7,\"rewards\":{\"a\":1}}", "data.jsonl:1: \"query\" must be a string, found 7");
        assertBadLine("{\"query\":\"q\"}", "data.jsonl:1: missing field \"rewards\"");
        assertBadLine(
                "{\"query\":\"q\",\"rewards\":[1]}",
                "data.jsonl:1: \"rewards\" must be an object of LLM name to number, found [1]");
        assertBadLine(
                "\n{\"query\":\"q\",\"rewards\":{\"a\":1,\"b\":\"high\"}}",
                "data.jsonl:2: rewards[\"b\"] must be a number, found \"high\"");
        assertBadLine("{\"query\":\"q\",\"rewards\":{}}", "data.jsonl:1: rewards must not be empty");
        assertBadLine(
                "{\"query\":\"q\",\"rewards\":{\"a\":1e400}}",
                "data.jsonl:1: rewards[\"a\"] must be finite, found Infinity");
        assertBadLine(
                "{\"query\":\"q\",\"rewards\":{\"a\":1},\"tags\":\"math\"}",
                "data.jsonl:1: \"tags\" must be an array of strings, found \"math\"");
        assertBadLine(
                "{\"query\":\"q\",\"rewards\":{\"a\":1},\"tags\":[\"\"]}",
                "data.jsonl:1: tags element must not be blank, found \"\"");
        assertBadLine(
                "{\"query\":\"q\",\"rewards\":{\"a\":1},\"tag\":[\"math\"]}",
                "data.jsonl:1: unknown field \"tag\"; known fields are [query, rewards, tags]");
    }

    @Test
    void read_duplicateKey_isRejected() {
        assertThatThrownBy(() -> read("{\"query\":\"q\",\"rewards\":{\"a\":1,\"a\":2}}"))
                .isInstanceOf(FileContentException.class)
                .hasMessageStartingWith("data.jsonl:1: not valid JSON: Duplicate field 'a'");
    }

    @Test
    void read_missingFile_isUncheckedIo(@TempDir Path dir) {
        Path missing = dir.resolve("none.jsonl");
        assertThatThrownBy(() -> RewardRecords.read(missing))
                .isInstanceOf(FileContentException.class)
                .hasMessageStartingWith("cannot read " + missing);
    }

    @Test
    void read_fromFile_namesFileInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"query\":\"q\",\"rewards\":{\"a\":1}}\nnope\n");
        assertThatThrownBy(() -> RewardRecords.read(file))
                .isInstanceOf(FileContentException.class)
                .hasMessageStartingWith(file + ":2: not valid JSON");
    }

    @Test
    void llmNames_firstRecordOrder_otherOrdersAccepted() {
        List<RewardRecord> records = List.of(
                RewardRecord.of("q1", rewards("b", 1.0, "a", 2.0, "c", 0.0)),
                RewardRecord.of("q2", rewards("a", 1.0, "c", 2.0, "b", 0.0)));
        assertThat(RewardRecords.llmNames(records)).containsExactly("b", "a", "c");
    }

    @Test
    void llmNames_disagreeingRecords_failNamingTheRecord() {
        List<RewardRecord> records = List.of(
                RewardRecord.of("q1", rewards("a", 1.0, "b", 2.0)),
                RewardRecord.of("q2", rewards("a", 1.0, "b", 2.0)),
                RewardRecord.of("q3", rewards("a", 1.0, "c", 2.0)));
        assertThatThrownBy(() -> RewardRecords.llmNames(records))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("records[2] (query \"q3\") must have rewards for LLMs [a, b], found [a, c];"
                        + " missing [b]; extra [c]");
        assertThatThrownBy(() -> RewardRecords.llmNames(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("records must not be empty");
    }

    @Test
    void record_copiesAndValidates() {
        Map<String, Double> r = rewards("a", 1.0);
        Set<String> tags = new LinkedHashSet<>(List.of("t"));
        RewardRecord record = new RewardRecord("q", r, tags);
        r.put("b", 2.0);
        tags.add("u");
        assertThat(record.rewards()).containsOnlyKeys("a");
        assertThat(record.tags()).containsExactly("t");
        assertThatThrownBy(() -> record.rewards().put("c", 1.0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> RewardRecord.of("q", rewards("a", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rewards[\"a\"] must be finite, found NaN");
        assertThatThrownBy(() -> RewardRecord.of(null, rewards("a", 1.0)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("query must not be null");
        assertThatThrownBy(() -> RewardRecord.of("q", rewards(" ", 1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rewards key must not be blank, found \" \"");
    }

    @Test
    void rewardsIn_givesRequestedOrder() {
        RewardRecord record = RewardRecord.of("q", rewards("a", 1.0, "b", 2.0));
        assertThat(record.rewardsIn(List.of("b", "a"))).containsExactly(2.0, 1.0);
        assertThatThrownBy(() -> record.rewardsIn(List.of("c")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("record of query \"q\" has no reward for LLM \"c\", found LLMs [a, b]");
    }
}
