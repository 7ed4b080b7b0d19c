package io.llmblender.core;

import io.llmblender.core.error.BlenderException;
import java.util.List;

/**
 * No client of a blend answered. The message lists every client's failure; {@link #failures()}
 * holds them for programs.
 */
public final class NoAnswerException extends BlenderException {

    private final transient List<ClientFailure> failures;

    NoAnswerException(List<ClientFailure> failures) {
        super(message(failures));
        this.failures = List.copyOf(failures);
        for (ClientFailure f : failures) {
            addSuppressed(f.cause());
        }
    }

    private static String message(List<ClientFailure> failures) {
        StringBuilder sb = new StringBuilder("no LLM client answered (" + failures.size() + " failed):");
        for (ClientFailure f : failures) {
            sb.append("\n  ").append(f);
        }
        return sb.toString();
    }

    /**
     * Every client's failure, in client order.
     *
     * @return an unmodifiable list
     */
    public List<ClientFailure> failures() {
        return failures;
    }
}
