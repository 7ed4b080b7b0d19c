package io.llmblender.core.error;

import java.util.Objects;

/**
 * A call to an LLM failed: the endpoint was unreachable, answered an error, or answered something
 * that is not a completion. Carries the name of the client that failed, so a blend can report
 * which of its LLMs went wrong. The message never contains the client's API key.
 */
public class LlmCallException extends BlenderException {

    private final String clientName;

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
        super("LLM client '" + Objects.requireNonNull(clientName, "clientName") + "': " + message, cause);
        this.clientName = clientName;
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
