package io.llmblender.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder, being written. */
@Command(name = "blend", description = "(being written)")
final class BlendCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("blend is not written yet");
    }
}
