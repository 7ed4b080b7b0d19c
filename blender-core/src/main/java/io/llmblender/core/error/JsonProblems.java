package io.llmblender.core.error;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Words a JSON parser's complaint in this project's terms, for the messages users see: what is wrong and where,
 * without the parser's feature names ({@code JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS}), stream descriptions or
 * {@code line -1}. Recognises Jackson's messages (every module that reads JSON uses Jackson) without depending on it:
 * callers pass the parser's original message and location. Stateless and thread-safe.
 */
public final class JsonProblems {

    private static final Pattern QUOTED = Pattern.compile("'([^']{0,60})");
    private static final Pattern CHARACTER = Pattern.compile("\\('(.{1,6}?)' \\(code");

    private JsonProblems() {}

    /**
     * What is wrong with a JSON text and where, e.g. {@code "line 1, column 12: NaN is not a JSON number"}.
     *
     * @param parserMessage the parser's message without its location (Jackson's {@code getOriginalMessage()}); null
     *     reads as empty
     * @param line the 1-based line of the problem, or 0 or less when unknown or not worth saying (a one-line record)
     * @param column the 1-based column, or 0 or less when unknown
     * @return the description: {@code "line L, column C: what"}, {@code "column C: what"} (no line) or just
     *     {@code "what"} (no column); {@code "it is not valid JSON"} for messages it does not recognise
     */
    public static String describe(String parserMessage, long line, long column) {
        String raw = parserMessage == null ? "" : parserMessage;
        String what;
        Matcher m;
        if (raw.startsWith("Non-standard token")) {
            m = QUOTED.matcher(raw);
            what = (m.find() ? m.group(1) : "the value") + " is not a JSON number";
        } else if (raw.startsWith("Unexpected end-of-input") || raw.contains("end-of-input")) {
            what = "the JSON ends before it is complete";
        } else if (raw.startsWith("Trailing token") || raw.contains("trailing token")) {
            what = "there is more after the JSON value; give one JSON value";
        } else if (raw.startsWith("Duplicate field") || raw.startsWith("Duplicate Object property")) {
            m = QUOTED.matcher(raw);
            what = "the field " + (m.find() ? "'" + m.group(1) + "' " : "") + "appears twice";
        } else if (raw.startsWith("Unrecognized token")) {
            m = QUOTED.matcher(raw);
            what = "unexpected word " + (m.find() ? "'" + cut(m.group(1)) + "'" : "") + "; strings need double quotes";
        } else if (raw.startsWith("Unexpected character")) {
            m = CHARACTER.matcher(raw);
            what = "unexpected character " + (m.find() ? "'" + m.group(1) + "'" : "")
                    + (raw.contains("double-quote to start field name") ? "; field names need double quotes" : "");
        } else if (raw.startsWith("Illegal unquoted character")) {
            what = "a control character (such as a raw newline) inside a string must be escaped";
        } else if (raw.contains("nesting depth")) {
            what = "the JSON is nested too deeply";
        } else if (raw.contains("Number value length") || raw.contains("number length")) {
            what = "a number is too long";
        } else {
            what = "it is not valid JSON";
        }
        if (line > 0 && column > 0) {
            return "line " + line + ", column " + column + ": " + what;
        }
        return column > 0 ? "column " + column + ": " + what : what;
    }

    private static String cut(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
