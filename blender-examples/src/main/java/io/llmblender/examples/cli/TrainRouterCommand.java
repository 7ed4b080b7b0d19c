package io.llmblender.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder, being written. */
@Command(name = "train-router", description = "(being written)")
final class TrainRouterCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("train-router is not written yet");
    }
}
