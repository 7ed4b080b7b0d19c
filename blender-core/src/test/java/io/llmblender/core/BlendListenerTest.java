package io.llmblender.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.Ranking;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.ScriptedClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BlendListenerTest {

    /** Records every callback as a line. */
    static final class Recorder implements BlendListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Thread> blendThreads = new CopyOnWriteArrayList<>();

        @Override
        public Blend started(Prompt prompt) {
            events.add("start " + prompt.instruction());
            blendThreads.add(Thread.currentThread());
            return new Blend() {
                @Override
                public Step<Generation> call(String client) {
                    events.add("call " + client);
                    return (g, e) ->
                            events.add("called " + client + " " + (e != null ? "error " + e.getMessage() : g.text()));
                }

                @Override
                public Step<Ranking> ranking(String ranker, int candidates) {
                    events.add("rank " + ranker + " " + candidates);
                    return (r, e) -> events.add("ranked best=" + r.best());
                }

                @Override
                public Step<Fusion> fusion(String fuser, int candidates) {
                    events.add("fuse " + fuser + " " + candidates);
                    return (f, e) -> events.add("fused " + f.text());
                }

                @Override
                public void ended(BlendResult result, RuntimeException error) {
                    blendThreads.add(Thread.currentThread());
                    events.add("end "
                            + (result != null
                                    ? result.answer()
                                    : error.getClass().getSimpleName()));
                }
            };
        }
    }

    private static final Fuser JOIN = new Fuser() {
        @Override
        public String name() {
            return "join";
        }

        @Override
        public Fusion fuse(Prompt prompt, List<String> ranked) {
            return Fusion.of(String.join("+", ranked), "join", ranked.size(), FinishReason.STOP, -1);
        }
    };

    @Test
    void blend_listener_seesCallsRankingFusionAndEndOnTheBlendingThread() throws Exception {
        Recorder recorder = new Recorder();
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "short"))
                .client(ScriptedClient.answering("b", "longer"))
                .client(ScriptedClient.failing("c", "boom"))
                .ranker(new LengthRanker())
                .fuser(JOIN)
                .topK(2)
                .listener(recorder)
                .build()) {
            BlendResult result = blender.blend(Prompt.of("q"));
            assertThat(result.answer()).isEqualTo("longer+short");
        }

        assertThat(recorder.events.get(0)).isEqualTo("start q");
        // calls end on the clients' threads, so only the starts have a fixed order
        assertThat(recorder.events.stream().filter(e -> e.startsWith("call ")))
                .containsExactly("call a", "call b", "call c");
        assertThat(recorder.events)
                .contains("called a short", "called b longer")
                .anyMatch(e -> e.startsWith("called c error") && e.contains("boom"));
        assertThat(recorder.events.subList(recorder.events.size() - 5, recorder.events.size()))
                .containsExactly(
                        "rank length 2", "ranked best=1", "fuse join 2", "fused longer+short", "end longer+short");
        assertThat(recorder.blendThreads).containsOnly(Thread.currentThread());
    }

    @Test
    void blend_noAnswer_endsWithTheErrorItThrows() {
        Recorder recorder = new Recorder();
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.failing("c", "boom"))
                .listener(recorder)
                .build()) {
            assertThatThrownBy(() -> blender.blend(Prompt.of("q"))).isInstanceOf(NoAnswerException.class);
        }
        assertThat(recorder.events).last().isEqualTo("end NoAnswerException");
    }

    @Test
    void blend_throwingListener_neverChangesTheBlend() {
        BlendListener broken = prompt -> new BlendListener.Blend() {
            @Override
            public BlendListener.Step<Generation> call(String client) {
                return (g, e) -> {
                    throw new IllegalStateException("listener bug");
                };
            }

            @Override
            public void ended(BlendResult result, RuntimeException error) {
                throw new IllegalStateException("listener bug");
            }
        };
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "fine"))
                .listener(broken)
                .build()) {
            assertThat(blender.blend(Prompt.of("q")).answer()).isEqualTo("fine");
        }
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "fine"))
                .listener(prompt -> {
                    throw new IllegalStateException("listener bug");
                })
                .build()) {
            assertThat(blender.blend(Prompt.of("q")).answer()).isEqualTo("fine");
        }
    }

    @Test
    void builder_listenerTwice_isRefused() {
        BlendListener none = prompt -> BlendListener.Blend.NONE;
        Blender.Builder builder = Blender.builder().listener(none);
        assertThatThrownBy(() -> builder.listener(none))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("listener");
    }
}
