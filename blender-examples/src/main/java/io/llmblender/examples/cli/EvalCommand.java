package io.llmblender.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder, being written. */
@Command(name = "eval", description = "(being written)")
final class EvalCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("eval is not written yet");
    }
}
