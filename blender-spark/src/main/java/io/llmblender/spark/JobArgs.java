package io.llmblender.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} and {@code --flag} arguments of a job's {@code main}, checked against the names the job
 * knows. Immutable once parsed.
 */
final class JobArgs {

    private final Map<String, String> values;
    private final Set<String> flags;

    private JobArgs(Map<String, String> values, Set<String> flags) {
        this.values = values;
        this.flags = flags;
    }

    /**
     * Parses arguments.
     *
     * @throws IllegalArgumentException naming the argument when one is unknown, repeated or lacks its value
     */
    static JobArgs parse(String[] args, Set<String> valued, Set<String> flagNames) {
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        List<String> rest = List.of(args);
        for (int i = 0; i < rest.size(); i++) {
            String option = rest.get(i);
            if (flagNames.contains(option)) {
                flags.add(option);
            } else if (valued.contains(option)) {
                if (i + 1 >= rest.size()) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                if (values.put(option, rest.get(++i)) != null) {
                    throw new IllegalArgumentException(option + " given twice");
                }
            } else {
                throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new JobArgs(values, flags);
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    /**
     * Checks that an input option names something that exists, when it is a local path: no URI scheme ({@code hdfs://},
     * {@code s3a://}, ...) and no glob. Spark would otherwise fail after its start-up.
     *
     * @throws IllegalArgumentException naming the option and the value ({@code --input /x/y: no such file or
     *     directory}), and the absolute path when the value is relative
     */
    static void requireLocalInput(String option, String value) {
        if (!isLocalPath(value)) {
            return;
        }
        Path p = Path.of(value);
        if (!Files.exists(p)) {
            throw new IllegalArgumentException(option + " " + value + ": no such file or directory" + absolute(p));
        }
    }

    /**
     * Checks that an output option does not name something that exists, when it is a local path and the job would
     * refuse to write there ({@code ErrorIfExists}). Spark would otherwise fail after its start-up.
     *
     * @param option the option's name
     * @param value the option's value
     * @param remedy what to give instead, for the message
     * @throws IllegalArgumentException naming the option and the value
     */
    static void requireAbsentOutput(String option, String value, String remedy) {
        if (isLocalPath(value) && Files.exists(Path.of(value))) {
            throw new IllegalArgumentException(
                    option + " " + value + ": already exists" + absolute(Path.of(value)) + "; " + remedy);
        }
    }

    /** A path on this machine: no URI scheme and no glob. */
    private static boolean isLocalPath(String value) {
        return !value.contains(":/") && !value.matches(".*[*?\\[{].*");
    }

    private static String absolute(Path p) {
        return p.isAbsolute() ? "" : " (" + p.toAbsolutePath().normalize() + ")";
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** A positive integer option, or {@code fallback} when absent. */
    int positive(String name, int fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive integer, got " + value, e);
        }
    }
}
