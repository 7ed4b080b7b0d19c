package io.llmblender.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder, being written. */
@Command(name = "route", description = "(being written)")
final class RouteCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("route is not written yet");
    }
}
