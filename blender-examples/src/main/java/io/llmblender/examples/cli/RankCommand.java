package io.llmblender.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder, being written. */
@Command(name = "rank", description = "(being written)")
final class RankCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("rank is not written yet");
    }
}
