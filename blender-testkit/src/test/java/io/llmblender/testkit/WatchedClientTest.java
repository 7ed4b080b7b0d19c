package io.llmblender.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchedClientTest {

    private static final Prompt PROMPT = Prompt.of("hi");

    @Test
    void generateAsync_returnsTheWrappedFutureAndRecordsIt() throws Exception {
        ScriptedClient hanging = ScriptedClient.hanging("slow");
        WatchedClient watched = WatchedClient.of(hanging);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            CompletableFuture<Generation> call = watched.generateAsync(PROMPT, pool);
            assertThat(watched.calls()).containsExactly(call);
            assertThat(watched.name()).isEqualTo("slow");
            hanging.started.await();

            call.cancel(true);
            assertThat(hanging.interrupted.await(5, TimeUnit.SECONDS))
                    .as("cancelling reached the wrapped call")
                    .isTrue();
            watched.awaitDone(1);
            assertThat(watched.calls())
                    .singleElement()
                    .satisfies(f -> assertThat(f).isCancelled());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void awaitDone_waitsUntilTheCallsAreDone() throws Exception {
        CompletableFuture<Generation> pending = new CompletableFuture<>();
        WatchedClient watched = WatchedClient.of(new LlmClient() {
            @Override
            public String name() {
                return "pending";
            }

            @Override
            public Generation generate(Prompt prompt) {
                return Generation.of("sync");
            }

            @Override
            public CompletableFuture<Generation> generateAsync(Prompt prompt, Executor executor) {
                return pending;
            }
        });
        assertThat(watched.generate(PROMPT).text()).isEqualTo("sync");
        assertThat(watched.calls()).as("generate is not recorded").isEmpty();
        Thread answerer = new Thread(() -> {
            CompletableFuture<Generation> unused = watched.generateAsync(PROMPT, Runnable::run);
            pending.complete(Generation.of("late"));
        });
        answerer.start();
        watched.awaitDone(1);
        assertThat(watched.calls())
                .singleElement()
                .satisfies(f -> assertThat(f).isCompletedWithValue(Generation.of("late")));
        answerer.join();
    }
}
