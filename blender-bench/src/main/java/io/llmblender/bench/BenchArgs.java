package io.llmblender.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The benchmarks' command lines: parsing with picocli, the checks on option values that picocli's
 * types do not express (with errors that name the option and the value given), and the repository
 * root their default paths resolve against.
 */
final class BenchArgs {

    /** Exit code of a usage error: an unknown option, a missing or malformed value. */
    static final int USAGE_ERROR = 2;

    private BenchArgs() {}

    /** A picocli-annotated options object that checks its values once they are parsed. */
    interface Checked {
        /**
         * Checks the parsed values and settles the ones that depend on others or on {@code none}.
         *
         * @param commandLine the command line that parsed them
         * @throws ParameterException naming the option and the value, if a value is out of range
         */
        void check(CommandLine commandLine);
    }

    /**
     * Parses the command line into {@code options} and checks it. As before picocli, an option given
     * twice keeps its last value. The checks are skipped when {@code --help} or {@code --version}
     * is given.
     *
     * @return {@code options}
     * @throws ParameterException on an unknown option, a malformed value or a value out of range
     */
    static <T extends Checked> T parse(T options, String... args) {
        CommandLine commandLine = commandLine(options);
        commandLine.parseArgs(args);
        if (!commandLine.isUsageHelpRequested() && !commandLine.isVersionHelpRequested()) {
            options.check(commandLine);
        }
        return options;
    }

    /**
     * Parses the command line of a benchmark's {@code main}: prints the usage (or the version) and
     * returns {@code null} for {@code --help} (or {@code --version}); on a usage error prints the
     * message and the usage (or, for a mistyped option, the likely ones) to standard error and exits
     * with {@link #USAGE_ERROR}, as picocli's own handler would.
     *
     * @return {@code options}, parsed and checked, or {@code null} if there is nothing to run
     */
    static <T extends Checked> T parseOrExit(T options, String[] args) {
        CommandLine commandLine = commandLine(options);
        try {
            commandLine.parseArgs(args);
            if (CommandLine.printHelpIfRequested(commandLine.getParseResult())) {
                return null;
            }
            options.check(commandLine);
            return options;
        } catch (ParameterException e) {
            PrintWriter err = commandLine.getErr();
            err.println(e.getMessage());
            if (!UnmatchedArgumentException.printSuggestions(e, err)) {
                commandLine.usage(err);
            }
            err.flush();
            System.exit(USAGE_ERROR);
            return null;
        }
    }

    private static CommandLine commandLine(Object options) {
        return new CommandLine(options).setOverwrittenOptionsAllowed(true);
    }

    /**
     * Checks that an option's value is positive.
     *
     * @throws ParameterException {@code --reps must be positive, got 0}
     */
    static void positive(CommandLine commandLine, String option, long value) {
        if (value <= 0) {
            throw invalid(commandLine, option, "must be positive");
        }
    }

    /**
     * Checks that an option's value is not negative.
     *
     * @throws ParameterException {@code --warmup must not be negative, got -1}
     */
    static void nonNegative(CommandLine commandLine, String option, long value) {
        if (value < 0) {
            throw invalid(commandLine, option, "must not be negative");
        }
    }

    /**
     * Checks that an option's value is at least {@code min}.
     *
     * @throws ParameterException {@code --folds must be at least 2, got 1}
     */
    static void atLeast(CommandLine commandLine, String option, long value, long min) {
        if (value < min) {
            throw invalid(commandLine, option, "must be at least " + min);
        }
    }

    /**
     * Checks that an option's value lies in [0, 1].
     *
     * @throws ParameterException {@code --beta must be in [0, 1], got 2}
     */
    static void fraction(CommandLine commandLine, String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw invalid(commandLine, option, "must be in [0, 1]");
        }
    }

    /**
     * Checks that a directory given explicitly exists.
     *
     * @throws ParameterException {@code --tiny: no directory /abs/path}
     */
    static void existingDir(CommandLine commandLine, String option, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(commandLine, option + ": no directory " + dir.toAbsolutePath());
        }
    }

    /** {@code null} for the value {@code none}, the path otherwise. */
    static Path noneToNull(Path value) {
        return value == null || "none".equals(value.toString()) ? null : value;
    }

    /** Whether the option was given on the command line (as opposed to left at its default). */
    static boolean given(CommandLine commandLine, String option) {
        return commandLine.getParseResult().hasMatchedOption(option);
    }

    /** "{@code option rule, got value}", the value as given on the command line. */
    private static ParameterException invalid(CommandLine commandLine, String option, String rule) {
        List<String> values = given(commandLine, option)
                ? commandLine.getParseResult().matchedOption(option).originalStringValues()
                : List.of();
        String value = values.isEmpty() ? "its default" : values.get(values.size() - 1);
        return new ParameterException(commandLine, option + " " + rule + ", got " + value);
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
