package io.llmblender.eval.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.Candidate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of a MixInstruct-format dataset: an id, the instruction and input of a query, an optional reference output,
 * and the candidates, each the answer of one LLM ({@code model}, {@code text}) with optional reference scores
 * ({@code scores}: metric name to number). Fields the tool does not know (for example {@code cmp_results}, or what an
 * earlier command added) are kept in {@link #json()}, so a command can echo the record with its own fields added.
 *
 * <pre>{@code
 * {"id": "q1", "instruction": "Name a colour.", "input": "", "output": "Red.",
 *  "candidates": [{"model": "llama", "text": "Blue.", "scores": {"bleu": 0.1}},
 *                 {"model": "qwen", "text": "Red.", "scores": {"bleu": 1.0}}]}
 * }</pre>
 *
 * <p>Immutable (the JSON is a private deep copy).
 */
public final class DatasetRecord {

    /**
     * One LLM's answer with its reference scores.
     *
     * @param model the LLM's name
     * @param text the answer
     * @param scores metric name to value, in file order, possibly empty
     */
    public record Candidate(String model, String text, Map<String, Double> scores) {
        /**
         * Copies the scores.
         *
         * @param model the LLM's name
         * @param text the answer
         * @param scores metric name to value
         */
        public Candidate {
            scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        }
    }

    private final ObjectNode json;
    private final String id;
    private final String instruction;
    private final String input;
    private final List<Candidate> candidates;

    private DatasetRecord(ObjectNode json, String id, String instruction, String input, List<Candidate> candidates) {
        this.json = json;
        this.id = id;
        this.instruction = instruction;
        this.input = input;
        this.candidates = candidates;
    }

    /**
     * Reads a record from its JSON object.
     *
     * @param json the parsed line; not modified
     * @return the record
     * @throws IllegalArgumentException naming the field and the value when a field is missing or of the wrong type:
     *     {@code id} (string or number), {@code instruction} (string), {@code input} (string, optional),
     *     {@code candidates} (array, may be empty) of objects with {@code model} and {@code text} (strings) and
     *     {@code scores} (object of numbers, optional)
     */
    public static DatasetRecord of(ObjectNode json) {
        JsonNode idNode = json.get("id");
        if (idNode == null || !(idNode.isTextual() || idNode.isNumber())) {
            throw new IllegalArgumentException("field 'id' must be a string or a number, found " + describe(idNode));
        }
        String instruction = text(json, "instruction", "instruction", false);
        String input = text(json, "input", "input", true);
        JsonNode cands = json.get("candidates");
        if (cands == null || !cands.isArray()) {
            throw new IllegalArgumentException("field 'candidates' must be an array, found " + describe(cands));
        }
        List<Candidate> candidates = new ArrayList<>(cands.size());
        for (int i = 0; i < cands.size(); i++) {
            JsonNode c = cands.get(i);
            String where = "candidates[" + i + "]";
            if (!c.isObject()) {
                throw new IllegalArgumentException("field '" + where + "' must be an object, found " + describe(c));
            }
            String model = text(c, "model", where + ".model", false);
            String text = text(c, "text", where + ".text", false);
            Map<String, Double> scores = new LinkedHashMap<>();
            JsonNode s = c.get("scores");
            if (s != null && !s.isNull()) {
                if (!s.isObject()) {
                    throw new IllegalArgumentException(
                            "field '" + where + ".scores' must be an object, found " + describe(s));
                }
                for (var e : s.properties()) {
                    if (!e.getValue().isNumber()) {
                        throw new IllegalArgumentException("field '" + where + ".scores." + e.getKey()
                                + "' must be a number, found " + describe(e.getValue()));
                    }
                    scores.put(e.getKey(), e.getValue().asDouble());
                }
            }
            candidates.add(new Candidate(model, text, scores));
        }
        return new DatasetRecord(json.deepCopy(), idNode.asText(), instruction, input, List.copyOf(candidates));
    }

    /**
     * The record's id, as text.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The query's instruction.
     *
     * @return the instruction, possibly empty
     */
    public String instruction() {
        return instruction;
    }

    /**
     * The query's input.
     *
     * @return the input, empty when absent
     */
    public String input() {
        return input;
    }

    /**
     * The candidates in file order.
     *
     * @return an unmodifiable list
     */
    public List<Candidate> candidates() {
        return candidates;
    }

    /**
     * The candidates' texts, in file order.
     *
     * @return an unmodifiable list
     */
    public List<String> texts() {
        List<String> out = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            out.add(c.text());
        }
        return List.copyOf(out);
    }

    /**
     * The whole record as read, including fields the tool does not interpret.
     *
     * @return a fresh deep copy, free to modify
     */
    public ObjectNode json() {
        return json.deepCopy();
    }

    private static String text(JsonNode node, String field, String where, boolean optional) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (optional) {
                return "";
            }
            throw new IllegalArgumentException("field '" + where + "' is missing");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field '" + where + "' must be a string, found " + describe(v));
        }
        return v.asText();
    }

    static String describe(JsonNode v) {
        if (v == null) {
            return "nothing";
        }
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
