package io.llmblender.examples.bench;

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
 * GSM8K questions with two real LLMs' answers, the benchmarks' source of realistic texts: the
 * RouteLLM CSV ({@code prompt}, then a correctness and a {@code *_response} column per model),
 * from a file or from the licensed 60-question sample on the class path.
 */
final class Gsm8kData {

    /** The class-path sample (see its README beside it for origin and licence). */
    static final String RESOURCE = "/io/llmblender/examples/data/gsm8k-sample.csv";

    private Gsm8kData() {
    }

    /**
     * One GSM8K question and two models' answers to it, as written in the data.
     *
     * @param prompt the question
     * @param answerA the first model's answer
     * @param answerB the second model's answer
     */
    record Question(String prompt, String answerA, String answerB) {
    }

    /**
     * Reads the questions.
     *
     * @param file a CSV file, or {@code null} for the class-path sample
     * @return the questions in file order
     * @throws IOException if the data is missing or malformed
     */
    static List<Question> load(Path file) throws IOException {
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
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).endsWith("_response")) {
                answers.add(i);
            }
        }
        if (prompt < 0 || answers.size() < 2) {
            throw new IOException("the data needs a 'prompt' column and two '*_response' columns; header: " + header);
        }
        List<Question> out = new ArrayList<>();
        for (List<String> record : records.subList(1, records.size())) {
            if (record.size() != header.size()) {
                throw new IOException("a record of " + source + " has " + record.size() + " fields, the header "
                        + header.size());
            }
            out.add(new Question(record.get(prompt), record.get(answers.get(0)), record.get(answers.get(1))));
        }
        return out;
    }

    /** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
    static final class Csv {
        private Csv() {
        }

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

        private static void endRecord(List<List<String>> records, List<String> record, StringBuilder field,
                                      boolean any) {
            if (!any && field.length() == 0 && record.isEmpty()) {
                return; // a blank line, or the end after a final line break
            }
            record.add(field.toString());
            field.setLength(0);
            records.add(record);
        }
    }

}
