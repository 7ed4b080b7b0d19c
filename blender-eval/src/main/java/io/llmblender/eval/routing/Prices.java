package io.llmblender.eval.routing;

import io.llmblender.core.error.FileContentException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one call of each LLM costs, in any unit of money the caller likes (dollars per call, or per 1,000 queries):
 * the cost axis of a routing evaluation. {@link #calls(Collection)} prices every call at 1, so cost is the number of
 * LLM calls.
 *
 * <p>File format ({@link #read}): UTF-8 text, one {@code model,price} per line (a comma or a tab between), blank lines
 * and lines starting with {@code #} ignored, prices finite and not negative, each model once.
 *
 * <p>Immutable and thread-safe.
 *
 * @param perCall model name to the price of one call, in insertion order
 * @param unit what a price counts, for reports ({@code calls} for {@link #calls(Collection)})
 */
public record Prices(Map<String, Double> perCall, String unit) {

    /** The unit of {@link #calls(Collection)}. */
    public static final String CALLS = "calls";

    /**
     * Copies and checks the prices.
     *
     * @param perCall the prices
     * @param unit the unit, not blank
     * @throws IllegalArgumentException naming the model and value of a negative or non-finite price, or a blank unit
     */
    public Prices {
        perCall = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perCall));
        for (var e : perCall.entrySet()) {
            if (!(e.getValue() >= 0) || e.getValue().isInfinite()) {
                throw new IllegalArgumentException(
                        "price of '" + e.getKey() + "' must be finite and not negative, found " + e.getValue());
            }
        }
        if (unit == null || unit.isBlank()) {
            throw new IllegalArgumentException("unit must not be blank, found '" + unit + "'");
        }
    }

    /**
     * Unit prices: every call costs 1, so costs count calls.
     *
     * @param llms the LLMs
     * @return prices of 1 in unit {@value #CALLS}
     */
    public static Prices calls(Collection<String> llms) {
        Map<String, Double> m = new LinkedHashMap<>();
        llms.forEach(l -> m.put(l, 1.0));
        return new Prices(m, CALLS);
    }

    /**
     * Reads a prices file (format in the class documentation).
     *
     * @param file the file
     * @param unit the unit its prices are in, for reports (for example {@code USD per call})
     * @return the prices
     * @throws FileContentException naming the file and line of a line that is not {@code model,price}, a price that is
     *     not a finite non-negative number, or a model given twice; or, for the whole file, one that cannot be read
     */
    public static Prices read(Path file, String unit) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FileContentException(
                    file,
                    FileContentException.WHOLE_FILE,
                    "cannot read prices file " + file + ": " + e.getMessage(),
                    e);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < lines.size(); k++) {
            String line = lines.get(k).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int cut = Math.max(line.lastIndexOf(','), line.lastIndexOf('\t'));
            String where = file + ":" + (k + 1) + ": ";
            if (cut <= 0) {
                throw new FileContentException(file, k + 1, where + "expected 'model,price', found '" + line + "'");
            }
            String model = line.substring(0, cut).strip();
            String value = line.substring(cut + 1).strip();
            double price;
            try {
                price = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new FileContentException(
                        file, k + 1, where + "price of '" + model + "' must be a number, found '" + value + "'", e);
            }
            if (!(price >= 0) || Double.isInfinite(price)) {
                throw new FileContentException(
                        file,
                        k + 1,
                        where + "price of '" + model + "' must be finite and not negative, found " + value);
            }
            if (m.put(model, price) != null) {
                throw new FileContentException(
                        file, k + 1, where + "model '" + model + "' was priced on an earlier line");
            }
        }
        return new Prices(m, unit);
    }

    /**
     * The price of one call.
     *
     * @param llm the model
     * @return its price
     * @throws IllegalArgumentException naming the model and the priced ones when it has no price
     */
    public double of(String llm) {
        Double p = perCall.get(llm);
        if (p == null) {
            throw new IllegalArgumentException("no price for LLM '" + llm + "'; priced: " + perCall.keySet());
        }
        return p;
    }

    /**
     * Checks that every LLM has a price.
     *
     * @param llms the LLMs
     * @return this
     * @throws IllegalArgumentException naming the first LLM without a price
     */
    public Prices requireAll(Collection<String> llms) {
        llms.forEach(this::of);
        return this;
    }
}
