package io.llmblender.cli;

import io.llmblender.eval.dataset.DatasetException;
import io.llmblender.eval.dataset.Datasets;
import io.llmblender.eval.dataset.Datasets.OnBadLine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What the dataset commands ({@code rank}, {@code fuse}) share: option checks, the records left to do after
 * {@code --limit} and resuming, bad-line handling for the checks a command adds to {@link Datasets#read}, and the
 * messages on standard error and the summary line on standard output.
 */
final class DatasetCommands {

    private DatasetCommands() {}

    /**
     * Fails with a usage error (exit code 2) when an option's value is below a minimum.
     *
     * @param spec the command, for the usage
     * @param option the option's name, for example {@code "--top-k"}
     * @param value the value given
     * @param min the smallest value allowed
     * @throws ParameterException {@code --top-k must be at least 1, found 0}
     */
    static void requireAtLeast(CommandSpec spec, String option, int value, int min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), option + " must be at least " + min + ", found " + value);
        }
    }

    /**
     * Fails with a usage error when the output is the input: resuming would find every record done, and
     * {@code --overwrite} would delete the input.
     *
     * @param spec the command, for the usage
     * @param input the {@code --input} file
     * @param output the {@code --output} file
     * @throws ParameterException if both name the same file
     */
    static void requireDistinct(CommandSpec spec, Path input, Path output) {
        boolean same;
        try {
            same = (Files.exists(input) && Files.exists(output))
                    ? Files.isSameFile(input, output)
                    : input.toAbsolutePath()
                            .normalize()
                            .equals(output.toAbsolutePath().normalize());
        } catch (IOException e) {
            same = false;
        }
        if (same) {
            throw new ParameterException(spec.commandLine(), "--output must not be the --input file, found " + output);
        }
    }

    /**
     * Handles a line that {@link Datasets#read} accepted but the command cannot use, as {@link Datasets#read} handles
     * its own bad lines: under {@link OnBadLine#STOP} fails, under {@link OnBadLine#SKIP} records the message.
     *
     * @param file the input file
     * @param line the line's number
     * @param problem what is wrong, naming the field
     * @param policy the {@code --on-bad-line} policy
     * @param skipped where skipped lines' messages go
     * @throws DatasetException {@code file:line: problem} under {@link OnBadLine#STOP}
     */
    static void badLine(Path file, int line, String problem, OnBadLine policy, List<String> skipped) {
        String message = file + ":" + line + ": " + problem;
        if (policy == OnBadLine.STOP) {
            throw new DatasetException(file, line, message + " (--on-bad-line skip goes on without such lines)");
        }
        skipped.add(message);
    }

    /**
     * Reports skipped lines on standard error, one line each.
     *
     * @param err standard error
     * @param skipped the messages, {@code file:line: what is wrong}
     */
    static void reportSkipped(PrintWriter err, List<String> skipped) {
        for (String message : skipped) {
            err.println("skipped " + message);
        }
        err.flush();
    }

    /**
     * What this run has to do.
     *
     * @param lines the records to do, in file order
     * @param alreadyDone how many of the considered records the output already holds
     */
    record Todo(List<Datasets.Line> lines, int alreadyDone) {}

    /**
     * The records this run has to do: the first {@code limit} valid records of the input, less those whose id the
     * output already holds, and how many of them it holds.
     *
     * @param lines the valid records, in file order
     * @param limit how many records of the input to consider, or {@code null} for all
     * @param done the ids already written
     * @return the records to do, in file order, and the count already done
     */
    static Todo todo(List<Datasets.Line> lines, Integer limit, Set<String> done) {
        List<Datasets.Line> considered = limit == null ? lines : lines.subList(0, Math.min(limit, lines.size()));
        List<Datasets.Line> todo = new ArrayList<>(considered.size());
        for (Datasets.Line line : considered) {
            if (!done.contains(line.record().id())) {
                todo.add(line);
            }
        }
        return new Todo(todo, considered.size() - todo.size());
    }

    /**
     * Consecutive slices of at most {@code size} elements.
     *
     * @param items the items
     * @param size the largest slice, at least 1
     * @param <T> the element type
     * @return views of the list, in order
     */
    static <T> List<List<T>> batches(List<T> items, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int start = 0; start < items.size(); start += size) {
            out.add(items.subList(start, Math.min(items.size(), start + size)));
        }
        return out;
    }

    /**
     * Says on standard error that a bundled test model is in use, when it is.
     *
     * @param err standard error
     * @param value the model option's value
     */
    static void noteTestModel(PrintWriter err, String value) {
        if (ModelOptions.TEST.equals(value)) {
            err.println("note: " + ModelOptions.TEST_MODEL_NOTE);
            err.flush();
        }
    }

    /**
     * Closes what a command made, last made first; a failure to close is reported and does not stop the others.
     *
     * @param made the resources, in creation order
     * @param err standard error
     */
    static void closeAll(List<AutoCloseable> made, PrintWriter err) {
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                made.get(i).close();
            } catch (Exception e) {
                err.println("warning: closing " + made.get(i) + " failed: " + e.getMessage());
            }
        }
    }

    /**
     * The summary line of a run: {@code ranked 98 records (2 already done, 1 bad line skipped) in 3.2 s -> out.jsonl}.
     *
     * @param verb what was done, for example {@code "ranked"}
     * @param written records written by this run
     * @param alreadyDone records found in the output already
     * @param skipped bad lines skipped
     * @param nanos how long the run took
     * @param output the output file
     * @return the line
     */
    static String summary(String verb, int written, int alreadyDone, int skipped, long nanos, Path output) {
        List<String> notes = new ArrayList<>(2);
        if (alreadyDone > 0) {
            notes.add(alreadyDone + " already done");
        }
        if (skipped > 0) {
            notes.add(plural(skipped, "bad line") + " skipped");
        }
        return verb + " " + plural(written, "record") + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")")
                + String.format(Locale.ROOT, " in %.1f s -> ", nanos / 1e9) + output;
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
