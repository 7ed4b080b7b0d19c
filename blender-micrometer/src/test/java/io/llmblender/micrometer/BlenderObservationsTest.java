package io.llmblender.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.Blender;
import io.llmblender.core.NoAnswerException;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.ScriptedClient;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BlenderObservationsTest {

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

    private final TestObservationRegistry registry = TestObservationRegistry.create();
    private final List<Observation.Context> started = new CopyOnWriteArrayList<>();
    private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    @BeforeEach
    void capture() {
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                started.add(context);
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    private static Map<String, String> low(Observation.Context c) {
        return c.getLowCardinalityKeyValues().stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }

    private static Map<String, String> high(Observation.Context c) {
        return c.getHighCardinalityKeyValues().stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }

    private List<Observation.Context> named(String name) {
        return started.stream().filter(c -> name.equals(c.getName())).toList();
    }

    @Test
    void blend_observesBlendCallsRankingAndFusionInGenAiTerms() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.echo("a", FinishReason.STOP, new TokenUsage(10, 3)))
                .client(ScriptedClient.answering("b", "a much longer answer"))
                .client(ScriptedClient.failing("c", "boom"))
                .ranker(new LengthRanker())
                .fuser(JOIN)
                .listener(BlenderObservations.builder(registry)
                        .models(Map.of("a", "gpt-4o-mini"))
                        .build())
                .build()) {
            blender.blend(Prompt.of("secret question"));
        }

        assertThat(named(BlenderObservations.BLEND)).singleElement().satisfies(blend -> {
            assertThat(low(blend))
                    .containsEntry("gen_ai.operation.name", "blend")
                    .containsEntry("blender.mode", "blend")
                    .containsEntry("gen_ai.response.model", "join")
                    .containsEntry("error.type", "none");
            assertThat(high(blend))
                    .containsEntry("gen_ai.usage.input_tokens", "10")
                    .containsEntry("gen_ai.usage.output_tokens", "3")
                    .containsEntry("blender.failures", "1");
            assertThat(high(blend).values()).noneMatch(v -> v.contains("secret"));
            assertThat(low(blend).values()).noneMatch(v -> v.contains("secret"));
        });
        Observation.Context blend = named(BlenderObservations.BLEND).get(0);

        List<Observation.Context> calls = named(BlenderObservations.CALL);
        assertThat(calls).hasSize(3).allSatisfy(c -> {
            assertThat(c.getParentObservation().getContextView()).isSameAs(blend);
            assertThat(low(c)).containsEntry("gen_ai.operation.name", "chat");
        });
        Map<String, Observation.Context> byClient =
                calls.stream().collect(Collectors.toMap(c -> low(c).get("blender.client"), c -> c));
        assertThat(low(byClient.get("a")))
                .containsEntry("gen_ai.request.model", "gpt-4o-mini")
                .containsEntry("gen_ai.response.finish_reasons", "stop")
                .containsEntry("error.type", "none");
        assertThat(high(byClient.get("a")))
                .containsEntry("gen_ai.usage.input_tokens", "10")
                .containsEntry("gen_ai.usage.output_tokens", "3");
        assertThat(low(byClient.get("b"))).containsEntry("gen_ai.request.model", "b");
        assertThat(high(byClient.get("b"))).doesNotContainKey("gen_ai.usage.input_tokens");
        assertThat(low(byClient.get("c"))).containsEntry("error.type", "LlmCallException");
        assertThat(byClient.get("c").getError()).hasMessageContaining("boom");

        assertThat(named(BlenderObservations.RANK)).singleElement().satisfies(r -> {
            assertThat(low(r)).containsEntry("blender.ranker", "length").containsEntry("gen_ai.operation.name", "rank");
            assertThat(high(r)).containsEntry("blender.candidates", "2");
            assertThat(r.getParentObservation().getContextView()).isSameAs(blend);
        });
        assertThat(named(BlenderObservations.FUSE))
                .singleElement()
                .satisfies(f -> assertThat(low(f)).containsEntry("blender.fuser", "join"));

        assertThat(started).hasSize(6);
        assertThat(stopped).containsExactlyInAnyOrderElementsOf(started);
        TestObservationRegistryAssert.assertThat(registry)
                .doesNotHaveAnyRemainingCurrentObservation()
                .hasNumberOfObservationsWithNameEqualTo(BlenderObservations.CALL, 3);
    }

    @Test
    void blend_noAnswer_isObservedWithItsError() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.failing("c", "boom"))
                .listener(BlenderObservations.builder(registry).build())
                .build()) {
            assertThatThrownBy(() -> blender.blend(Prompt.of("q"))).isInstanceOf(NoAnswerException.class);
        }
        assertThat(named(BlenderObservations.BLEND)).singleElement().satisfies(b -> {
            assertThat(low(b)).containsEntry("error.type", "NoAnswerException");
            assertThat(high(b)).containsEntry("blender.failures", "1");
            assertThat(b.getError()).isInstanceOf(NoAnswerException.class);
        });
    }

    @Test
    void recordPrompts_on_addsThePromptAsHighCardinality() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "x"))
                .listener(BlenderObservations.builder(registry)
                        .recordPrompts(true)
                        .build())
                .build()) {
            blender.blend(Prompt.of("what is up"));
        }
        assertThat(high(named(BlenderObservations.BLEND).get(0))).containsEntry("gen_ai.prompt", "what is up");
    }

    @Test
    void blend_scope_isOpenWhileTheBlendRuns() {
        List<Observation> seen = new CopyOnWriteArrayList<>();
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.answering("a", "x"))
                .ranker(new LengthRanker() {
                    @Override
                    public String name() {
                        seen.add(registry.getCurrentObservation());
                        return super.name();
                    }
                })
                .client(ScriptedClient.answering("b", "y"))
                .listener(BlenderObservations.builder(registry).build())
                .build()) {
            blender.blend(Prompt.of("q"));
        }
        assertThat(seen)
                .isNotEmpty()
                .allSatisfy(o -> assertThat(o.getContextView().getName()).isEqualTo(BlenderObservations.BLEND));
        assertThat(registry.getCurrentObservation()).isNull();
    }

    @Test
    void builder_badModels_nameTheEntry() {
        assertThatThrownBy(() -> BlenderObservations.builder(registry).models(Map.of("a", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("models[a]");
    }
}
