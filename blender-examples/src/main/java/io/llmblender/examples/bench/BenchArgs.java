package io.llmblender.examples.bench;

/** Parsing of the benchmarks' numeric options, with errors that name the option and the value. */
final class BenchArgs {

    private BenchArgs() {
    }

    static int positive(String value, String option) {
        int v = integer(value, option);
        if (v <= 0) {
            throw new IllegalArgumentException(option + " must be positive, got " + value);
        }
        return v;
    }

    static int nonNegative(String value, String option) {
        int v = integer(value, option);
        if (v < 0) {
            throw new IllegalArgumentException(option + " must not be negative, got " + value);
        }
        return v;
    }

    static int integer(String value, String option) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs an integer, got '" + value + "'", e);
        }
    }
}
