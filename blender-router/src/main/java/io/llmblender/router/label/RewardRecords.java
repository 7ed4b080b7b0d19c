package io.llmblender.router.label;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.check.Require;
import io.llmblender.core.error.BlenderException;
import io.llmblender.core.error.FileContentException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes {@link RewardRecord}s as JSONL, and small operations over lists of them.
 *
 * <p><b>Format.</b> UTF-8, one JSON object per line:
 * {@code {"query": "...", "rewards": {"gpt-4": 1.0, "mixtral": 0.0}, "tags": ["math"]}}. {@code query}
 * is a string; {@code rewards} a non-empty object of LLM name to finite number, in the order the
 * LLMs should be listed; {@code tags} an optional array of non-blank strings. Blank lines are
 * skipped; any other field, a duplicate key, or a line that is not such an object is an error.
 *
 * <p>Stateless and thread-safe.
 */
public final class RewardRecords {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> FIELDS = Set.of("query", "rewards", "tags");

    private RewardRecords() {}

    /**
     * Reads a JSONL file of records.
     *
     * @param jsonl the file, UTF-8
     * @return the records in file order, an unmodifiable list
     * @throws NullPointerException if {@code jsonl} is null
     * @throws FileContentException if a line is not a valid record (the message names the file, the 1-based line
     *     number and what is wrong: {@code data.jsonl:3: not valid JSON: ...}), or the file cannot be read
     */
    public static List<RewardRecord> read(Path jsonl) {
        Require.nonNull(jsonl, "jsonl");
        try (Reader reader = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            return read(reader, jsonl.toString());
        } catch (IOException e) {
            throw new FileContentException(
                    "cannot read " + jsonl + ": " + e.getMessage(), jsonl, FileContentException.WHOLE_FILE, e);
        }
    }

    /**
     * Reads JSONL records from a reader, which is read to its end and not closed.
     *
     * @param reader the text
     * @param sourceName a name for the text used in error messages, for example a file name
     * @return the records in order, an unmodifiable list
     * @throws NullPointerException if an argument is null
     * @throws FileContentException if a line is not a valid record (the message names the source, the 1-based line
     *     number and what is wrong), or the reader fails
     */
    public static List<RewardRecord> read(Reader reader, String sourceName) {
        Require.nonNull(reader, "reader");
        Require.nonNull(sourceName, "sourceName");
        BufferedReader lines = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
        List<RewardRecord> out = new ArrayList<>();
        int lineNo = 0;
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                lineNo++;
                if (!line.isBlank()) {
                    try {
                        out.add(parseLine(line, sourceName + ":" + lineNo));
                    } catch (IllegalArgumentException e) {
                        throw new FileContentException(e.getMessage(), sourcePath(sourceName), lineNo, e);
                    }
                }
            }
        } catch (IOException e) {
            throw new FileContentException(
                    "cannot read " + sourceName + " after line " + lineNo + ": " + e.getMessage(),
                    sourcePath(sourceName),
                    lineNo,
                    e);
        }
        return List.copyOf(out);
    }

    /**
     * Writes records as JSONL, replacing the file. Each record is one line with {@code query},
     * {@code rewards} (in the record's order) and {@code tags} (always written, possibly empty);
     * {@link #read(Path)} gives back equal records.
     *
     * @param jsonl the file, written in UTF-8; its parent directory must exist
     * @param records the records, not null, no null element
     * @throws NullPointerException if an argument or a record is null
     * @throws BlenderException if the file cannot be written
     */
    public static void write(Path jsonl, List<RewardRecord> records) {
        Require.nonNull(jsonl, "jsonl");
        requireRecords(records);
        try (BufferedWriter writer = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8)) {
            write(writer, records);
        } catch (IOException e) {
            throw new BlenderException("cannot write " + jsonl + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes records as JSONL lines, each ended by {@code '\n'}, to a writer, which is flushed and
     * not closed.
     *
     * @param writer the destination
     * @param records the records, not null, no null element
     * @throws NullPointerException if an argument or a record is null
     * @throws BlenderException if the writer fails
     */
    public static void write(Writer writer, List<RewardRecord> records) {
        Require.nonNull(writer, "writer");
        requireRecords(records);
        try {
            for (RewardRecord record : records) {
                writer.write(toJson(record));
                writer.write('\n');
            }
            writer.flush();
        } catch (IOException e) {
            throw new BlenderException("cannot write records: " + e.getMessage(), e);
        }
    }

    /**
     * The LLM names shared by all records, in the order of the first record's rewards. Every
     * record must have a reward for exactly the same set of LLMs (in any order). A router never
     * takes its LLM order from the records: {@link io.llmblender.router.ZooterRouter#train} is
     * given an explicit list, and this method is one way to make it, meaningful when the first
     * record's rewards have a defined order, as records read from JSONL do (file order). Rewards
     * given as a {@code Map.of}, whose iteration order changes from one JVM run to the next, give
     * no such order: write the list out instead.
     *
     * @param records the records, not empty, no null element
     * @return the names, an unmodifiable list
     * @throws NullPointerException if {@code records} or a record is null
     * @throws IllegalArgumentException if there are no records or two records disagree on the set
     *     of LLMs; the message names the first disagreeing record and the LLMs missing or extra
     */
    public static List<String> llmNames(List<RewardRecord> records) {
        requireRecords(records);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("records must not be empty");
        }
        List<String> names = List.copyOf(records.get(0).rewards().keySet());
        requireLlms(records, names);
        return names;
    }

    /**
     * Adds a tagger's tags to every record: each record keeps its own tags and gains those the
     * tagger gives its query (a union; order: own tags first). The tagger is called once per
     * record, in order, from the calling thread.
     *
     * @param records the records, not null, no null element
     * @param tagger the tagger
     * @return new records in the same order, an unmodifiable list
     * @throws NullPointerException if an argument or a record is null, or the tagger returns null
     * @throws IllegalArgumentException if the tagger returns a blank tag
     */
    public static List<RewardRecord> withTags(List<RewardRecord> records, Tagger tagger) {
        requireRecords(records);
        Require.nonNull(tagger, "tagger");
        List<RewardRecord> out = new ArrayList<>(records.size());
        for (RewardRecord record : records) {
            Set<String> tags =
                    Require.nonNull(tagger.tags(record.query()), "tags of query " + Require.quote(record.query()));
            out.add(record.withTags(tags));
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- package-private helpers

    static void requireLlms(List<RewardRecord> records, List<String> names) {
        Set<String> expected = new LinkedHashSet<>(names);
        for (int i = 0; i < records.size(); i++) {
            RewardRecord record = records.get(i);
            Set<String> found = record.rewards().keySet();
            if (!found.equals(expected)) {
                Set<String> missing = new LinkedHashSet<>(expected);
                missing.removeAll(found);
                Set<String> extra = new LinkedHashSet<>(found);
                extra.removeAll(expected);
                throw new IllegalArgumentException("records[" + i + "] (query " + Require.quote(record.query())
                        + ") must have rewards for LLMs " + expected + ", found " + found
                        + (missing.isEmpty() ? "" : "; missing " + missing)
                        + (extra.isEmpty() ? "" : "; extra " + extra));
            }
        }
    }

    static void requireRecords(List<RewardRecord> records) {
        Require.nonNull(records, "records");
        for (int i = 0; i < records.size(); i++) {
            Require.nonNull(records.get(i), "records[" + i + "]");
        }
    }

    // ---------------------------------------------------------------- parsing

    private static RewardRecord parseLine(String line, String where) {
        JsonNode root;
        try {
            root = MAPPER.readTree(line);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(where + ": must be a JSON object, found "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!FIELDS.contains(field.getKey())) {
                throw new IllegalArgumentException(where + ": unknown field " + Require.quote(field.getKey())
                        + "; known fields are [query, rewards, tags]");
            }
        }
        JsonNode query = root.get("query");
        if (query == null || query.isNull()) {
            throw new IllegalArgumentException(where + ": missing field \"query\"");
        }
        if (!query.isTextual()) {
            throw new IllegalArgumentException(where + ": \"query\" must be a string, found " + query);
        }
        JsonNode rewards = root.get("rewards");
        if (rewards == null || rewards.isNull()) {
            throw new IllegalArgumentException(where + ": missing field \"rewards\"");
        }
        if (!rewards.isObject()) {
            throw new IllegalArgumentException(
                    where + ": \"rewards\" must be an object of LLM name to number, found " + rewards);
        }
        Map<String, Double> rewardMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : rewards.properties()) {
            JsonNode value = entry.getValue();
            String field = "rewards[" + Require.quote(entry.getKey()) + "]";
            if (!value.isNumber()) {
                throw new IllegalArgumentException(where + ": " + field + " must be a number, found " + value);
            }
            rewardMap.put(entry.getKey(), value.doubleValue());
        }
        Set<String> tags = new LinkedHashSet<>();
        JsonNode tagNode = root.get("tags");
        if (tagNode != null && !tagNode.isNull()) {
            if (!tagNode.isArray()) {
                throw new IllegalArgumentException(where + ": \"tags\" must be an array of strings, found " + tagNode);
            }
            for (JsonNode tag : tagNode) {
                if (!tag.isTextual()) {
                    throw new IllegalArgumentException(where + ": \"tags\" must hold only strings, found " + tag);
                }
                tags.add(tag.textValue());
            }
        }
        try {
            return new RewardRecord(query.textValue(), rewardMap, tags);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static String toJson(RewardRecord record) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("query", record.query());
        ObjectNode rewards = node.putObject("rewards");
        for (Map.Entry<String, Double> e : record.rewards().entrySet()) {
            rewards.put(e.getKey(), e.getValue().doubleValue());
        }
        ArrayNode tags = node.putArray("tags");
        for (String tag : record.tags()) {
            tags.add(tag);
        }
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialize record of query " + Require.quote(record.query()), e);
        }
    }

    /** The source name as a path for FileContentException; a name that is not a path is kept as one file name. */
    private static Path sourcePath(String sourceName) {
        try {
            return Path.of(sourceName);
        } catch (InvalidPathException e) {
            return Path.of(sourceName.replaceAll("[^A-Za-z0-9._-]", "_"));
        }
    }
}
