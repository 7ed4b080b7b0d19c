package io.llmblender.core;

import io.llmblender.core.check.Require;
import java.time.Duration;

/**
 * Why one participant of a blend gave no usable result: an LLM client that failed or ran out of
 * time, or the fuser. A blend records failures and goes on with the rest. Immutable.
 */
public final class ClientFailure {

    /** How the participant failed. */
    public enum Kind {
        /** It raised an error or answered nothing usable. */
        ERROR,
        /** It did not answer within the per-client timeout. */
        TIMEOUT,
        /** It did not answer before the blend's overall deadline. */
        DEADLINE
    }

    private final String name;
    private final Kind kind;
    private final Throwable cause;
    private final Duration elapsed;

    private ClientFailure(String name, Kind kind, Throwable cause, Duration elapsed) {
        this.name = Require.nonBlank(name, "name");
        this.kind = Require.nonNull(kind, "kind");
        this.cause = Require.nonNull(cause, "cause");
        this.elapsed = Require.nonNull(elapsed, "elapsed");
    }

    /**
     * A failure.
     *
     * @param name the client's (or fuser's) name
     * @param kind how it failed
     * @param cause the error; for time-outs a {@link java.util.concurrent.TimeoutException}
     *     saying which limit passed
     * @param elapsed time from the start of the call to the failure (or to giving up)
     * @return the failure
     */
    public static ClientFailure of(String name, Kind kind, Throwable cause, Duration elapsed) {
        return new ClientFailure(name, kind, cause, elapsed);
    }

    /**
     * The name of the client (or fuser) that failed.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * How it failed.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The error. Its message never contains a secret.
     *
     * @return the cause
     */
    public Throwable cause() {
        return cause;
    }

    /**
     * Time from the start of the call to the failure.
     *
     * @return the elapsed time
     */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * One line for logs and reports: name, kind and the cause's message.
     *
     * @return the summary
     */
    @Override
    public String toString() {
        return name + ": " + kind + " after " + elapsed.toMillis() + " ms ("
                + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
                + ")";
    }
}
