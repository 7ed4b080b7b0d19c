package io.llmblender.cli;

import io.llmblender.eval.dataset.Datasets.OnBadLine;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options the dataset commands ({@code rank}, {@code fuse}) share, as a picocli mixin: the input and output
 * files, {@code --limit}, {@code --on-bad-line} and {@code --overwrite}.
 */
final class DatasetFiles {

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "The dataset: JSONL, one MixInstruct record a line.")
    Path input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "FILE",
            description = "Where to write the records with this command's field added (JSONL); resumed if it exists.")
    Path output;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N records of the input.")
    Integer limit;

    @Option(
            names = "--on-bad-line",
            paramLabel = "stop|skip",
            defaultValue = "STOP",
            description = "At a line that is not a valid record: stop with an error (default), or skip it and go on.")
    OnBadLine onBadLine;

    @Option(names = "--overwrite", description = "Start the output over instead of resuming it.")
    boolean overwrite;

    /**
     * Checks what picocli's types do not: {@code --limit} at least 1, and an output that is not the input.
     *
     * @param spec the command, for usage errors
     * @throws picocli.CommandLine.ParameterException naming the option and the value
     */
    void check(CommandSpec spec) {
        if (limit != null) {
            DatasetCommands.requireAtLeast(spec, "--limit", limit, 1);
        }
        DatasetCommands.requireDistinct(spec, input, output);
    }
}
