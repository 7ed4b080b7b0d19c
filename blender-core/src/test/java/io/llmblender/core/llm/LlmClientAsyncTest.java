package io.llmblender.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.LlmCallException;
import io.llmblender.testkit.ScriptedClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlmClientAsyncTest {

    private static final String THREAD_PREFIX = "llm-async-test-";

    private final List<ExecutorService> executors = new ArrayList<>();

    private ExecutorService newExecutor(int threads) {
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executors.add(executor);
        return executor;
    }

    @AfterEach
    void shutDownExecutors() throws InterruptedException {
        for (ExecutorService executor : executors) {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void generateAsync_runsGenerateOnExecutorThread() throws Exception {
        ScriptedClient client = ScriptedClient.echo("echo");

        Generation g = client.generateAsync(Prompt.of("hi"), newExecutor(1)).get(5, TimeUnit.SECONDS);

        assertThat(g.text()).isEqualTo("hi");
        assertThat(client.threads())
                .singleElement()
                .satisfies(t -> assertThat(t.getName()).startsWith(THREAD_PREFIX));
    }

    @Test
    void generateAsync_passesPromptThrough() throws Exception {
        ScriptedClient client = ScriptedClient.echo("echo");
        Prompt prompt = Prompt.of("Translate.", "Bonjour").withSystem("Be brief.");

        client.generateAsync(prompt, newExecutor(1)).get(5, TimeUnit.SECONDS);

        assertThat(client.prompts()).containsExactly(prompt);
    }

    @Test
    void generateAsync_throwingGenerate_failsFutureWithThatException() {
        CompletableFuture<Generation> f =
                ScriptedClient.failing("bad", "endpoint unreachable").generateAsync(Prompt.of("hi"), newExecutor(1));

        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("bad");
    }

    @Test
    void generateAsync_cancelWhileSleeping_interruptsGenerate() throws Exception {
        ScriptedClient client = ScriptedClient.hanging("blocking");
        CompletableFuture<Generation> f = client.generateAsync(Prompt.of("hi"), newExecutor(1));
        assertThat(client.started.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(f.cancel(true)).isTrue();

        assertThat(client.interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void generateAsync_cancelWhileAwaitingLatch_interruptsGenerate() throws Exception {
        ScriptedClient client = ScriptedClient.hangingOnLatch("blocking");
        CompletableFuture<Generation> f = client.generateAsync(Prompt.of("hi"), newExecutor(1));
        assertThat(client.started.await(5, TimeUnit.SECONDS)).isTrue();

        f.cancel(false);

        assertThat(client.interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void generateAsync_cancelled_futureReportsCancellation() throws Exception {
        ScriptedClient client = ScriptedClient.hangingOnLatch("blocking");
        CompletableFuture<Generation> f = client.generateAsync(Prompt.of("hi"), newExecutor(1));
        assertThat(client.started.await(5, TimeUnit.SECONDS)).isTrue();

        f.cancel(true);
        assertThat(client.interrupted.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(f).isCancelled();
        assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void generateAsync_cancelledBeforeStart_neverCallsGenerate() throws Exception {
        ExecutorService executor = newExecutor(1);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ScriptedClient client = ScriptedClient.hangingOnLatch("blocking");
        CompletableFuture<Generation> f = client.generateAsync(Prompt.of("hi"), executor);

        f.cancel(true);
        release.countDown();
        executor.shutdown();
        assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

        assertThat(client.calls()).isZero();
    }

    @Test
    void generateAsync_shutDownExecutor_failsWithRejectedExecution() {
        ExecutorService executor = newExecutor(1);
        executor.shutdown();
        ScriptedClient client = ScriptedClient.echo("echo");

        CompletableFuture<Generation> f = client.generateAsync(Prompt.of("hi"), executor);

        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::join).cause().isInstanceOf(RejectedExecutionException.class);
        assertThat(client.prompts()).isEmpty();
    }

    @Test
    void generateAsync_rejectingExecutor_failsWithThatException() {
        RejectedExecutionException rejection = new RejectedExecutionException("full");

        CompletableFuture<Generation> f = ScriptedClient.echo("echo").generateAsync(Prompt.of("hi"), r -> {
            throw rejection;
        });

        assertThatThrownBy(f::join).cause().isSameAs(rejection);
    }
}
