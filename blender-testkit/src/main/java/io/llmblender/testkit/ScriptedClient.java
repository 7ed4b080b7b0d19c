package io.llmblender.testkit;

import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The in-process LLM client of the tests; a test scripts what it does: answer (after an optional
 * delay), echo the prompt, throw, hang until interrupted, or answer null. Records the prompts and
 * threads it saw, and signals when a call started and when one was interrupted.
 */
public final class ScriptedClient implements LlmClient {

    private final String name;
    private final Function<Prompt, Generation> behaviour;
    private final long delayMillis;
    private final boolean waitOnLatch;
    private final List<Prompt> prompts = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    /** Counted down when the first call starts. */
    public final CountDownLatch started = new CountDownLatch(1);
    /** Counted down when a delayed call is interrupted. */
    public final CountDownLatch interrupted = new CountDownLatch(1);

    private ScriptedClient(String name, long delayMillis, Function<Prompt, Generation> behaviour) {
        this(name, delayMillis, false, behaviour);
    }

    private ScriptedClient(String name, long delayMillis, boolean waitOnLatch, Function<Prompt, Generation> behaviour) {
        this.name = name;
        this.delayMillis = delayMillis;
        this.waitOnLatch = waitOnLatch;
        this.behaviour = behaviour;
    }

    /** Answers {@code text} at once. */
    public static ScriptedClient answering(String name, String text) {
        return new ScriptedClient(name, 0, p -> Generation.of(text));
    }

    /** Answers {@code text} after sleeping; an interrupt during the sleep fails the call. */
    public static ScriptedClient answeringAfter(String name, String text, long delayMillis) {
        return new ScriptedClient(name, delayMillis, p -> Generation.of(text));
    }

    /** Answers what the function computes. */
    public static ScriptedClient answering(String name, Function<Prompt, Generation> behaviour) {
        return new ScriptedClient(name, 0, behaviour);
    }

    /** Answers the contents of the prompt's messages joined by newlines. */
    public static ScriptedClient echo(String name) {
        return echo(name, FinishReason.STOP, null);
    }

    /** Echoes as {@link #echo(String)}, reporting the given finish reason and usage. */
    public static ScriptedClient echo(String name, FinishReason finishReason, TokenUsage usage) {
        return new ScriptedClient(
                name,
                0,
                p -> Generation.of(
                        p.messages().stream().map(ChatMessage::content).collect(Collectors.joining("\n")),
                        finishReason,
                        usage));
    }

    /** Fails every call with an {@link LlmCallException} carrying {@code message}. */
    public static ScriptedClient failing(String name, String message) {
        return new ScriptedClient(name, 0, p -> {
            throw new LlmCallException(name, message);
        });
    }

    /** Blocks until interrupted. */
    public static ScriptedClient hanging(String name) {
        return new ScriptedClient(name, Long.MAX_VALUE, p -> Generation.of("never"));
    }

    /** Blocks on a latch that is never released, until interrupted. */
    public static ScriptedClient hangingOnLatch(String name) {
        return new ScriptedClient(name, 0, true, p -> Generation.of("never"));
    }

    /** Answers {@code null}, breaking the SPI contract. */
    public static ScriptedClient answeringNull(String name) {
        return new ScriptedClient(name, 0, p -> null);
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

    /** How many times generate() was called. */
    public int calls() {
        return prompts.size();
    }

    /** A client whose generateAsync throws instead of returning a future. */
    public static final class Throwing implements LlmClient {
        private final String name;

        /** A client named {@code name}. */
        public Throwing(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Generation generate(Prompt prompt) {
            throw new IllegalStateException("generate must not be called");
        }

        @Override
        public CompletableFuture<Generation> generateAsync(Prompt prompt, Executor executor) {
            throw new LlmCallException(name, "refused to start");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Generation generate(Prompt prompt) {
        prompts.add(prompt);
        threads.add(Thread.currentThread());
        started.countDown();
        if (delayMillis > 0 || waitOnLatch) {
            try {
                if (waitOnLatch) {
                    new CountDownLatch(1).await();
                } else {
                    TimeUnit.MILLISECONDS.sleep(delayMillis);
                }
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
                throw new LlmCallException(name, "interrupted");
            }
        }
        return behaviour.apply(prompt);
    }
}
