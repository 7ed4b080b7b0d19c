package io.llmblender.micrometer;

import io.llmblender.core.BlendListener;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Candidate;
import io.llmblender.core.NoAnswerException;
import io.llmblender.core.check.Require;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.core.rank.Ranking;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Micrometer {@link Observation}s of blends, named and tagged after OpenTelemetry's GenAI semantic
 * conventions: a {@link BlendListener} to give {@link io.llmblender.core.Blender.Builder#listener}.
 *
 * <pre>{@code
 * Blender blender = Blender.builder()
 *         .clients(clients)
 *         .listener(BlenderObservations.builder(observationRegistry).build())
 *         .build();
 * }</pre>
 *
 * <p><b>What is observed.</b> Each blend is an observation named {@value #BLEND}; inside it (as children,
 * whatever thread runs them) each LLM call is a {@value #CALL} observation (the name of OpenTelemetry's
 * {@code gen_ai.client.operation.duration} metric, without the unit), the ranking a {@value #RANK} and the
 * fusion a {@value #FUSE} observation. The blend's observation is in scope on the blending thread while the
 * blend runs, so work the app observes there nests under it.
 *
 * <p><b>Tags.</b> Low-cardinality (on metrics and traces), every value from a bounded set:
 * <ul>
 *   <li>{@code gen_ai.operation.name}: {@code blend}, {@code chat} (an LLM call), {@code rank}, {@code fuse};
 *   <li>{@code gen_ai.provider.name}: {@code blender};
 *   <li>calls: {@code gen_ai.request.model} (the upstream's model, from {@link Builder#models}, else the
 *       client's name), {@code blender.client} (the client's name), {@code gen_ai.response.finish_reasons}
 *       ({@code stop}, {@code length}, ...), {@code error.type} ({@code none}, {@code cancelled} or the
 *       exception's simple class name);
 *   <li>blends: {@code blender.mode} ({@code blend} or {@code route}: the branch taken),
 *       {@code gen_ai.response.model} (the chosen LLM's client name, or the fuser's name when fused),
 *       {@code error.type};
 *   <li>ranking and fusion: {@code blender.ranker} / {@code blender.fuser} (the component's name),
 *       {@code error.type}.
 * </ul>
 * High-cardinality (traces only): {@code gen_ai.usage.input_tokens} and {@code gen_ai.usage.output_tokens}
 * on calls (when the LLM reported them) and on blends (summed over every answer), {@code blender.candidates}
 * on ranking and fusion, {@code blender.failures} on blends, and the prompt text as {@code gen_ai.prompt}
 * only when {@link Builder#recordPrompts(boolean)} is on (off by default: prompts may hold personal data).
 *
 * <p><b>Thread-safety.</b> Immutable and thread-safe; one instance serves any number of Blenders.
 */
public final class BlenderObservations implements BlendListener {

    /** The name of a blend's observation. */
    public static final String BLEND = "blender.blend";

    /** The name of an LLM call's observation. */
    public static final String CALL = "gen_ai.client.operation";

    /** The name of a ranking's observation. */
    public static final String RANK = "blender.rank";

    /** The name of a fusion's observation. */
    public static final String FUSE = "blender.fuse";

    private static final String NO_VALUE = "none";

    private final ObservationRegistry registry;
    private final Map<String, String> models;
    private final boolean recordPrompts;

    private BlenderObservations(Builder b) {
        this.registry = b.registry;
        this.models = b.models == null ? Map.of() : b.models;
        this.recordPrompts = b.recordPrompts;
    }

    /**
     * Starts configuring observations.
     *
     * @param registry where observations go, not null
     * @return a new builder
     */
    public static Builder builder(ObservationRegistry registry) {
        return new Builder(Require.nonNull(registry, "registry"));
    }

    @Override
    public Blend started(Prompt prompt) {
        if (registry.isNoop()) {
            return Blend.NONE;
        }
        Observation blend = Observation.createNotStarted(BLEND, registry)
                .contextualName("blend")
                .lowCardinalityKeyValue("gen_ai.operation.name", "blend")
                .lowCardinalityKeyValue("gen_ai.provider.name", "blender");
        if (recordPrompts) {
            blend.highCardinalityKeyValue("gen_ai.prompt", prompt.task());
        }
        blend.start();
        Observation.Scope scope = blend.openScope();
        return new Watch(blend, scope);
    }

    private final class Watch implements Blend {
        private final Observation blend;
        private final Observation.Scope scope;

        Watch(Observation blend, Observation.Scope scope) {
            this.blend = blend;
            this.scope = scope;
        }

        @Override
        public Step<Generation> call(String client) {
            String model = models.getOrDefault(client, client);
            Observation call = child(CALL, "chat " + model, "chat")
                    .lowCardinalityKeyValue("gen_ai.request.model", model)
                    .lowCardinalityKeyValue("blender.client", client)
                    .start();
            return (g, e) -> {
                call.lowCardinalityKeyValue(
                        "gen_ai.response.finish_reasons",
                        g == null ? NO_VALUE : g.finishReason().name().toLowerCase(Locale.ROOT));
                if (g != null && g.usage().isPresent()) {
                    usage(call, g.usage().get().promptTokens(), g.usage().get().completionTokens());
                }
                end(call, e);
            };
        }

        @Override
        public Step<Ranking> ranking(String ranker, int candidates) {
            Observation rank = child(RANK, "rank", "rank")
                    .lowCardinalityKeyValue("blender.ranker", ranker)
                    .highCardinalityKeyValue("blender.candidates", Integer.toString(candidates))
                    .start();
            return (r, e) -> end(rank, e);
        }

        @Override
        public Step<Fusion> fusion(String fuser, int candidates) {
            Observation fuse = child(FUSE, "fuse", "fuse")
                    .lowCardinalityKeyValue("blender.fuser", fuser)
                    .highCardinalityKeyValue("blender.candidates", Integer.toString(candidates))
                    .start();
            return (f, e) -> end(fuse, e);
        }

        @Override
        public void ended(BlendResult result, RuntimeException error) {
            if (result != null) {
                blend.lowCardinalityKeyValue(
                        "blender.mode", result.mode().name().toLowerCase(Locale.ROOT));
                blend.lowCardinalityKeyValue(
                        "gen_ai.response.model",
                        result.fusion()
                                .map(Fusion::fuserName)
                                .orElse(result.best().client()));
                blend.highCardinalityKeyValue(
                        "blender.failures", Integer.toString(result.failures().size()));
                long input = 0;
                long output = 0;
                for (Candidate c : result.candidates()) {
                    if (c.usage().isPresent()) {
                        TokenUsage u = c.usage().get();
                        input += u.promptTokens();
                        output += u.completionTokens();
                    }
                }
                usage(blend, input, output);
            } else {
                blend.lowCardinalityKeyValue("blender.mode", NO_VALUE);
                blend.lowCardinalityKeyValue("gen_ai.response.model", NO_VALUE);
                if (error instanceof NoAnswerException noAnswer) {
                    blend.highCardinalityKeyValue(
                            "blender.failures",
                            Integer.toString(noAnswer.failures().size()));
                }
            }
            scope.close();
            end(blend, error);
        }

        private Observation child(String name, String contextualName, String operation) {
            return Observation.createNotStarted(name, registry)
                    .parentObservation(blend)
                    .contextualName(contextualName)
                    .lowCardinalityKeyValue("gen_ai.operation.name", operation)
                    .lowCardinalityKeyValue("gen_ai.provider.name", "blender");
        }
    }

    private static void usage(Observation observation, long input, long output) {
        observation.highCardinalityKeyValue("gen_ai.usage.input_tokens", Long.toString(input));
        observation.highCardinalityKeyValue("gen_ai.usage.output_tokens", Long.toString(output));
    }

    private static void end(Observation observation, Throwable error) {
        if (error == null) {
            observation.lowCardinalityKeyValue("error.type", NO_VALUE);
        } else {
            observation.lowCardinalityKeyValue(
                    "error.type",
                    error instanceof CancellationException
                            ? "cancelled"
                            : error.getClass().getSimpleName());
            observation.error(error);
        }
        observation.stop();
    }

    /** Configures {@link BlenderObservations}. Each setter may be called once; not thread-safe. */
    public static final class Builder {

        private final ObservationRegistry registry;
        private Map<String, String> models;
        private boolean recordPrompts;
        private boolean recordPromptsSet;

        private Builder(ObservationRegistry registry) {
            this.registry = registry;
        }

        /**
         * The model each client asks, for {@code gen_ai.request.model}. Default: none, so a call is tagged
         * with its client's name.
         *
         * @param modelsByClient client name to model name, copied; no blank keys or values
         * @return this builder
         * @throws IllegalArgumentException if a name is blank
         */
        public Builder models(Map<String, String> modelsByClient) {
            Require.nonNull(modelsByClient, "models");
            Require.unset(this.models, "models", modelsByClient);
            modelsByClient.forEach((client, model) -> {
                Require.nonBlank(client, "models key");
                Require.nonBlank(model, "models[" + client + "]");
            });
            this.models = Map.copyOf(modelsByClient);
            return this;
        }

        /**
         * Whether blends carry their prompt text as the high-cardinality tag {@code gen_ai.prompt}. Default:
         * false; prompts may hold personal data, and traces are often kept longer than logs.
         *
         * @param record true to record the prompt text
         * @return this builder
         */
        public Builder recordPrompts(boolean record) {
            Require.unset(recordPromptsSet ? this.recordPrompts : null, "recordPrompts", record);
            this.recordPrompts = record;
            this.recordPromptsSet = true;
            return this;
        }

        /**
         * Builds the listener.
         *
         * @return the listener
         */
        public BlenderObservations build() {
            return new BlenderObservations(this);
        }
    }
}
