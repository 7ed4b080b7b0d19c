package io.llmblender.core.llm;

import io.llmblender.core.error.LlmCallException;
import java.util.concurrent.atomic.AtomicInteger;

/** A test client whose every call fails with an {@link LlmCallException}. */
public final class FailingClient implements LlmClient {

    private final String name;
    private final AtomicInteger calls = new AtomicInteger();

    public FailingClient(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Generation generate(Prompt prompt) {
        calls.incrementAndGet();
        throw new LlmCallException(name, "endpoint unreachable");
    }

    /** How many times generate() was called. */
    public int calls() {
        return calls.get();
    }
}
