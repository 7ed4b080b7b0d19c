package io.llmblender.core;

import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An in-process LLM client whose behaviour a test scripts: answer (after an optional delay),
 * throw, hang until interrupted, or answer null. Records the prompts and threads it saw and
 * whether it was interrupted.
 */
final class ScriptedClient implements LlmClient {

    private final String name;
    private final Function<Prompt, Generation> behaviour;
    private final long delayMillis;
    final List<Prompt> prompts = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);

    private ScriptedClient(String name, long delayMillis, Function<Prompt, Generation> behaviour) {
        this.name = name;
        this.delayMillis = delayMillis;
        this.behaviour = behaviour;
    }

    static ScriptedClient answering(String name, String text) {
        return new ScriptedClient(name, 0, p -> Generation.of(text));
    }

    static ScriptedClient answeringAfter(String name, String text, long delayMillis) {
        return new ScriptedClient(name, delayMillis, p -> Generation.of(text));
    }

    static ScriptedClient answering(String name, Function<Prompt, Generation> behaviour) {
        return new ScriptedClient(name, 0, behaviour);
    }

    static ScriptedClient failing(String name, String message) {
        return new ScriptedClient(name, 0, p -> {
            throw new LlmCallException(name, message);
        });
    }

    static ScriptedClient hanging(String name) {
        return new ScriptedClient(name, Long.MAX_VALUE, p -> Generation.of("never"));
    }

    static ScriptedClient answeringNull(String name) {
        return new ScriptedClient(name, 0, p -> null);
    }

    /** A client whose generateAsync throws instead of returning a future. */
    static final class Throwing implements LlmClient {
        private final String name;

        Throwing(String name) {
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
        public java.util.concurrent.CompletableFuture<Generation> generateAsync(Prompt prompt,
                java.util.concurrent.Executor executor) {
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
        if (delayMillis > 0) {
            try {
                TimeUnit.MILLISECONDS.sleep(delayMillis);
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
                throw new LlmCallException(name, "interrupted");
            }
        }
        return behaviour.apply(prompt);
    }
}
