package io.llmblender.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder, being written. */
@Command(name = "fuse", description = "(being written)")
final class FuseCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("fuse is not written yet");
    }
}
