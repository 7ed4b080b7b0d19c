package io.llmblender.eval.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GSM8K questions with two real LLMs' answers and whether each was correct: the RouteLLM CSV
 * ({@code prompt}, then a correctness column {@code <model>} and an answer column
 * {@code <model>_response} per model), from a file or from the licensed copy on the class path.
 */
public final class Gsm8kData {

    /** The class-path copy (see its README beside it for origin and licence). */
    public static final String RESOURCE = "/io/llmblender/eval/data/gsm8k_responses.csv";

    private Gsm8kData() {}

    /**
     * One GSM8K question and two models' answers to it, as written in the data.
     *
     * @param prompt the question
     * @param answerA the first model's answer
     * @param answerB the second model's answer
     * @param correctA whether the first model's answer was correct
     * @param correctB whether the second model's answer was correct
     */
    public record Question(String prompt, String answerA, String answerB, boolean correctA, boolean correctB) {}

    /**
     * The data: the two models' names (the column headers) and the questions.
     *
     * @param modelA the first model, as {@link Question#answerA()}
     * @param modelB the second model
     * @param questions the questions in file order
     * @param source where the data came from, for reports
     */
    public record Table(String modelA, String modelB, List<Question> questions, String source) {}

    /**
     * Reads the questions.
     *
     * @param file a CSV file, or {@code null} for the class-path copy
     * @return the questions in file order
     * @throws IOException if the data is missing or malformed
     */
    public static List<Question> load(Path file) throws IOException {
        return read(file).questions();
    }

    /**
     * Reads the models and the questions.
     *
     * @param file a CSV file, or {@code null} for the class-path copy
     * @return the table
     * @throws IOException if the data is missing or malformed, naming the record and the field
     */
    public static Table read(Path file) throws IOException {
        List<List<String>> records;
        String source = file != null ? file.toString() : "classpath:" + RESOURCE;
        if (file != null) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                records = Csv.read(in);
            }
        } else {
            try (InputStream in = Gsm8kData.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException("missing class-path resource " + RESOURCE);
                }
                records = Csv.read(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
        }
        if (records.isEmpty()) {
            throw new IOException("no header in " + source);
        }
        List<String> header = records.get(0);
        int prompt = header.indexOf("prompt");
        List<Integer> answers = new ArrayList<>();
        List<Integer> correct = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            if (name.endsWith("_response")) {
                answers.add(i);
                correct.add(header.indexOf(name.substring(0, name.length() - "_response".length())));
            }
        }
        if (prompt < 0 || answers.size() < 2 || correct.subList(0, 2).contains(-1)) {
            throw new IOException("the data needs a 'prompt' column and, for two models, a '<model>' correctness"
                    + " column and a '<model>_response' column; header of " + source + ": " + header);
        }
        List<Question> out = new ArrayList<>();
        for (int r = 1; r < records.size(); r++) {
            List<String> record = records.get(r);
            if (record.size() != header.size()) {
                throw new IOException("record " + r + " of " + source + " has " + record.size() + " fields, the header "
                        + header.size());
            }
            out.add(new Question(
                    record.get(prompt),
                    record.get(answers.get(0)),
                    record.get(answers.get(1)),
                    bool(record, correct.get(0), header, r, source),
                    bool(record, correct.get(1), header, r, source)));
        }
        return new Table(header.get(correct.get(0)), header.get(correct.get(1)), List.copyOf(out), source);
    }

    private static boolean bool(List<String> record, int column, List<String> header, int r, String source)
            throws IOException {
        String value = record.get(column).trim();
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IOException("record " + r + " of " + source + ": field '" + header.get(column)
                + "' must be True or False, found '" + value + "'");
    }

    /** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
    static final class Csv {
        private Csv() {}

        /**
         * Reads every record.
         *
         * @param in the text
         * @return the records, each a list of fields
         * @throws IOException if reading fails or a quoted field is not closed
         */
        static List<List<String>> read(Reader in) throws IOException {
            List<List<String>> records = new ArrayList<>();
            List<String> record = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean any = false; // the current record has begun
            int c = in.read();
            while (c != -1) {
                if (quoted) {
                    if (c == '"') {
                        int next = in.read();
                        if (next == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            c = next;
                            continue;
                        }
                    } else {
                        field.append((char) c);
                    }
                } else if (c == '"' && field.length() == 0) {
                    quoted = true;
                    any = true;
                } else if (c == ',') {
                    record.add(field.toString());
                    field.setLength(0);
                    any = true;
                } else if (c == '\r' || c == '\n') {
                    if (c == '\r') {
                        int next = in.read();
                        if (next != '\n') {
                            endRecord(records, record, field, any);
                            record = new ArrayList<>();
                            any = false;
                            c = next;
                            continue;
                        }
                    }
                    endRecord(records, record, field, any);
                    record = new ArrayList<>();
                    any = false;
                } else {
                    field.append((char) c);
                    any = true;
                }
                c = in.read();
            }
            if (quoted) {
                throw new IOException("a quoted field is not closed at the end of the data");
            }
            endRecord(records, record, field, any);
            return records;
        }

        private static void endRecord(
                List<List<String>> records, List<String> record, StringBuilder field, boolean any) {
            if (!any && field.length() == 0 && record.isEmpty()) {
                return; // a blank line, or the end after a final line break
            }
            record.add(field.toString());
            field.setLength(0);
            records.add(record);
        }
    }
}
