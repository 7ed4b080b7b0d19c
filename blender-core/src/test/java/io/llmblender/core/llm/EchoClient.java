package io.llmblender.core.llm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A test client that answers with the contents of the prompt's messages joined by newlines, and
 * records every prompt it receives and the thread it ran on.
 */
public final class EchoClient implements LlmClient {

    private final String name;
    private final FinishReason finishReason;
    private final TokenUsage usage;
    private final List<Prompt> prompts = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    public EchoClient(String name) {
        this(name, FinishReason.STOP, null);
    }

    public EchoClient(String name, FinishReason finishReason, TokenUsage usage) {
        this.name = name;
        this.finishReason = finishReason;
        this.usage = usage;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Generation generate(Prompt prompt) {
        prompts.add(prompt);
        threads.add(Thread.currentThread());
        String text = prompt.messages().stream().map(ChatMessage::content).collect(Collectors.joining("\n"));
        return Generation.of(text, finishReason, usage);
    }

    /** The prompts received, in call order. */
    public List<Prompt> prompts() {
        return List.copyOf(prompts);
    }

    /** The last prompt received. */
    public Prompt lastPrompt() {
        return prompts.get(prompts.size() - 1);
    }

    /** The threads generate() ran on, in call order. */
    public List<Thread> threads() {
        return List.copyOf(threads);
    }
}
