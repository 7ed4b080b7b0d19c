package io.llmblender.core.error;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A call to an LLM failed: the endpoint was unreachable, answered an error, or answered something
 * that is not a completion. Carries the name of the client that failed, so a blend can report
 * which of its LLMs went wrong. The message never contains the client's API key.
 */
public class LlmCallException extends BlenderException {

    private final String clientName;
    private final int httpStatus;

    /**
     * Creates a call failure.
     *
     * @param clientName the {@link io.llmblender.core.llm.LlmClient#name() name} of the failing client
     * @param message what went wrong
     */
    public LlmCallException(String clientName, String message) {
        this(clientName, message, null);
    }

    /**
     * Creates a call failure with its cause.
     *
     * @param clientName the {@link io.llmblender.core.llm.LlmClient#name() name} of the failing client
     * @param message what went wrong
     * @param cause the underlying failure, may be {@code null}
     */
    public LlmCallException(String clientName, String message, Throwable cause) {
        this(clientName, -1, message, cause);
    }

    /**
     * Creates a call failure for an HTTP error answer.
     *
     * @param clientName the {@link io.llmblender.core.llm.LlmClient#name() name} of the failing client
     * @param httpStatus the HTTP status the endpoint answered, or -1 when there was no HTTP answer
     * @param message what went wrong, with a short excerpt of the answer's body
     * @param cause the underlying failure, may be {@code null}
     */
    public LlmCallException(String clientName, int httpStatus, String message, Throwable cause) {
        super("LLM client '" + Objects.requireNonNull(clientName, "clientName") + "': " + message, cause);
        this.clientName = clientName;
        this.httpStatus = httpStatus;
    }

    /**
     * The HTTP status the endpoint answered, when the failure was an HTTP error answer.
     *
     * @return the status, or empty when there was no HTTP answer (connection failure, time-out,
     *     malformed body of a successful answer, or a non-HTTP client)
     */
    public OptionalInt httpStatus() {
        return httpStatus < 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /**
     * The name of the client whose call failed.
     *
     * @return the client name, never {@code null}
     */
    public String clientName() {
        return clientName;
    }
}
