package io.llmblender.examples.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Parsing of the benchmarks' options, with errors that name the option and the value, and the
 * repository root their default paths resolve against.
 */
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

    static double fraction(String value, String option) {
        double v;
        try {
            v = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + value + "'", e);
        }
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(option + " must be in [0, 1], got " + value);
        }
        return v;
    }

    /**
     * The repository root: the nearest directory, from the working directory up, that holds the
     * committed test models; the working directory itself when none does.
     */
    static Path repositoryRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("models/pairranker/ranker_config.json"))
                    && Files.isRegularFile(p.resolve("models/genfuser/fuser_config.json"))) {
                return p;
            }
        }
        return cwd;
    }
}
