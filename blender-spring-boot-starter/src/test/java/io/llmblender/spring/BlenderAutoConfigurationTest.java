package io.llmblender.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import io.llmblender.core.BlendListener;
import io.llmblender.core.Blender;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.rank.Ranker;
import io.llmblender.langchain4j.BlenderChatModel;
import io.llmblender.langchain4j.BlenderResponseMetadata;
import io.llmblender.micrometer.BlenderObservations;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.ranker.minilm.MiniLmRewardRanker;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class BlenderAutoConfigurationTest {

    private LoopbackOpenAiServer shortServer;
    private LoopbackOpenAiServer longServer;
    private ApplicationContextRunner runner;

    @BeforeEach
    void start() throws IOException {
        shortServer = new LoopbackOpenAiServer().reply(LoopbackOpenAiServer.completion("Paris.", "stop", 5, 2));
        longServer = new LoopbackOpenAiServer()
                .reply(LoopbackOpenAiServer.completion("The capital of France is Paris.", "stop", 6, 7));
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BlenderAutoConfiguration.class))
                .withPropertyValues(
                        "blender.llms[0].name=short",
                        "blender.llms[0].base-url=" + shortServer.baseUrl(),
                        "blender.llms[0].model=small-model",
                        "blender.llms[0].api-key=sk-SECRET-short",
                        "blender.llms[1].name=long",
                        "blender.llms[1].base-url=" + longServer.baseUrl(),
                        "blender.llms[1].model=large-model",
                        "blender.ranker.type=none",
                        "blender.top-k=2",
                        "blender.per-client-timeout=5s");
    }

    @AfterEach
    void stop() {
        shortServer.close();
        longServer.close();
    }

    @Test
    void properties_makeUpstreamsBlenderAndAChatModelThatBlends() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            Blender blender = context.getBean(Blender.class);
            assertThat(blender.clientNames()).containsExactly("short", "long");
            assertThat(blender.toString()).contains("topK=2").contains("ranker=none");
            assertThat(context.getBean(BlenderUpstreams.class).models())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("short", "small-model", "long", "large-model"));
            assertThat(context).doesNotHaveBean(Ranker.class).doesNotHaveBean(Fuser.class);

            ChatModel model = context.getBean(ChatModel.class);
            assertThat(model).isInstanceOf(BlenderChatModel.class);
            assertThat(model.chat("Capital of France?")).isEqualTo("Paris.");
            assertThat(shortServer.requests()).singleElement().satisfies(r -> {
                assertThat(r.body()).contains("small-model");
                assertThat(r.header("Authorization")).isEqualTo("Bearer sk-SECRET-short");
            });
            assertThat(longServer.requests())
                    .singleElement()
                    .satisfies(r -> assertThat(r.body()).contains("large-model"));
        });
    }

    @Test
    void appBeans_replaceTheAutoConfiguredOnes() {
        runner.withBean(Ranker.class, LengthRanker::new).run(context -> {
            ChatModel model = context.getBean(ChatModel.class);
            var response = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                    .messages(dev.langchain4j.data.message.UserMessage.from("Capital of France?"))
                    .build());
            assertThat(response.aiMessage().text()).isEqualTo("The capital of France is Paris.");
            assertThat(((BlenderResponseMetadata) response.metadata()).result().rankerName())
                    .contains("length");
        });
        runner.withBean(
                        "myBlender",
                        Blender.class,
                        () -> Blender.builder()
                                .client(io.llmblender.testkit.ScriptedClient.answering("x", "mine"))
                                .build())
                .run(context -> {
                    assertThat(context).hasSingleBean(Blender.class);
                    assertThat(context.getBean(ChatModel.class).chat("hi")).isEqualTo("mine");
                });
    }

    @Test
    void fuserLlm_makesAnLlmFuserOverThatUpstream() {
        runner.withPropertyValues("blender.fuser.llm=long").run(context -> {
            assertThat(context.getBean(Fuser.class).name()).isEqualTo("llm:long");
            assertThat(context.getBean(Blender.class).toString()).contains("fuser=llm:long");
        });
        runner.withPropertyValues("blender.fuser.llm=nobody")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining(
                                "blender.fuser.llm \"nobody\" names no LLM of blender.llms [short, long]"));
    }

    /** A context with one LLM on the short server and the given ranker properties. */
    private ApplicationContextRunner oneLlm(String... rankerProperties) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BlenderAutoConfiguration.class))
                .withPropertyValues(
                        "blender.llms[0].name=a",
                        "blender.llms[0].base-url=" + shortServer.baseUrl(),
                        "blender.llms[0].model=m")
                .withPropertyValues(rankerProperties);
    }

    @Test
    void rankerByDefault_isConsensusWithTheRewardRankerForPairs_othersOnRequest() {
        oneLlm().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Ranker.class).name()).isEqualTo(MiniLmRewardRanker.DEFAULT_NAME);
            assertThat(context.getBean(Blender.class).toString()).contains("ranker=" + MiniLmRewardRanker.DEFAULT_NAME);
        });
        oneLlm().withClassLoader(new FilteredClassLoader(MiniLmRewardRanker.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(Ranker.class).name())
                            .as("without blender-ranker-minilm: the model-free default")
                            .isEqualTo("consensus-coverage");
                });
        oneLlm("blender.ranker.type=reward").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Ranker.class).name()).isEqualTo(MiniLmRewardRanker.NAME);
        });
        oneLlm("blender.ranker.type=minilm").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Ranker.class).name()).isEqualTo(MiniLmRanker.NAME);
            assertThat(context.getBean(Blender.class).toString()).contains(MiniLmRanker.NAME);
        });
    }

    @Test
    void badProperties_failNamingThePropertyPath() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BlenderAutoConfiguration.class))
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(
                                f -> assertThat(propertyError(f)).contains("blender.llms must list at least one LLM")));
        runner.withPropertyValues("blender.llms[1].base-url=")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(f -> assertThat(propertyError(f))
                                .isEqualTo("blender.llms[1].base-url must be set, found \"\"")));
        runner.withPropertyValues("blender.llms[1].base-url=not a url")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(f -> assertThat(propertyError(f)).startsWith("blender.llms[1].base-url: ")));
        runner.withPropertyValues("blender.llms[1].name=short")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(f -> assertThat(propertyError(f))
                                .contains("blender.llms[1].name \"short\" is already the name of another LLM")));
        runner.withPropertyValues("blender.top-k=0")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(f -> assertThat(propertyError(f))
                                .isEqualTo("blender.top-k: topK must be positive, found 0")));
        runner.withPropertyValues("blender.mode=route")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(
                                f -> assertThat(propertyError(f)).contains("blender.mode=route needs a Router bean")));
        runner.withPropertyValues("blender.ranker.type=magic")
                .run(context -> assertThat(context).getFailure().hasStackTraceContaining("blender.ranker.type"));
        runner.withPropertyValues("blender.ranker.type=dir")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(f -> assertThat(propertyError(f))
                                .isEqualTo("blender.ranker.dir must be set when blender.ranker.type=dir")));
        runner.withPropertyValues("blender.llms[0].api-key-env=BLENDER_TEST_UNSET_VARIABLE")
                .run(context -> assertThat(context)
                        .getFailure()
                        .satisfies(f -> assertThat(propertyError(f))
                                .contains("blender.llms[0].api-key")
                                .doesNotContain("sk-SECRET")));
        runner.withPropertyValues("blender.llms[0].base-url=ftp://x")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("blender.llms[0].base-url")
                        .satisfies(f -> assertThat(stackTrace(f)).doesNotContain("sk-SECRET")));
    }

    @Test
    void missingOptionalParts_leaveTheirBeansOut() {
        runner.withClassLoader(new FilteredClassLoader(BlenderChatModel.class)).run(context -> {
            assertThat(context).hasSingleBean(Blender.class).doesNotHaveBean(ChatModel.class);
        });
        runner.withPropertyValues("blender.ranker.type=minilm")
                .withClassLoader(new FilteredClassLoader(MiniLmRanker.class))
                .run(context -> assertThat(context).hasSingleBean(Blender.class).doesNotHaveBean(Ranker.class));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context ->
                        assertThat(context).hasSingleBean(Blender.class).doesNotHaveBean(HealthIndicator.class));
        runner.run(context -> assertThat(context).doesNotHaveBean(BlendListener.class));
        runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
                .withClassLoader(new FilteredClassLoader(BlenderObservations.class))
                .run(context -> assertThat(context).hasSingleBean(Blender.class).doesNotHaveBean(BlendListener.class));
    }

    @Test
    void observationRegistry_getsAnObservationPerBlendAndCall() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        List<Observation.Context> seen = new CopyOnWriteArrayList<>();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStop(Observation.Context context) {
                seen.add(context);
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        runner.withBean(ObservationRegistry.class, () -> registry).run(context -> {
            assertThat(context).hasSingleBean(BlendListener.class);
            context.getBean(ChatModel.class).chat("Capital of France?");
        });
        assertThat(seen)
                .extracting(Observation.Context::getName)
                .containsOnly(BlenderObservations.CALL, BlenderObservations.BLEND);
        assertThat(seen)
                .filteredOn(c -> c.getName().equals(BlenderObservations.CALL))
                .extracting(
                        c -> c.getLowCardinalityKeyValue("gen_ai.request.model").getValue())
                .containsExactlyInAnyOrder("small-model", "large-model");
    }

    @Test
    void severalListenerBeans_allSeeEveryBlend_andTwoRankersAreRefused() {
        List<String> seen = new CopyOnWriteArrayList<>();
        runner.withBean("first", BlendListener.class, () -> prompt -> (result, error) -> seen.add("first"))
                .withBean("second", BlendListener.class, () -> prompt -> (result, error) -> seen.add("second"))
                .run(context -> {
                    context.getBean(Blender.class).blend(io.llmblender.core.llm.Prompt.of("q"));
                    assertThat(seen).containsExactlyInAnyOrder("first", "second");
                });
        runner.withBean("r1", Ranker.class, LengthRanker::new)
                .withBean("r2", Ranker.class, LengthRanker::new)
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("r1")
                        .hasStackTraceContaining("r2"));
    }

    @Test
    void health_isUpWithDetails_andProbesUpstreamsOnDemand() {
        runner.run(context -> {
            Health health = context.getBean(BlenderHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("llms", List.of("short", "long"));
            assertThat(health.getDetails()).doesNotContainKey("upstreams");
            assertThat(shortServer.requests()).isEmpty();
        });
        runner.withPropertyValues("blender.health.probe-upstreams=true").run(context -> {
            BlenderHealthIndicator indicator = context.getBean(BlenderHealthIndicator.class);
            assertThat(indicator.health().getDetails())
                    .containsEntry("upstreams", Map.of("short", "reachable", "long", "reachable"));
            assertThat(shortServer.requests()).singleElement().satisfies(r -> {
                assertThat(r.path()).isEqualTo("/v1/models");
                assertThat(r.header("Authorization")).isNull();
            });
            longServer.close();
            Health oneDown = indicator.health();
            assertThat(oneDown.getStatus()).isEqualTo(Status.UP);
            assertThat(((Map<?, ?>) oneDown.getDetails().get("upstreams")).get("long"))
                    .isNotEqualTo("reachable");
            shortServer.close();
            assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
            context.getBean(Blender.class).close();
        });
    }

    /** The message of the first exception in the chain that names a blender.* property. */
    private static String propertyError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException
                    && t.getMessage() != null
                    && t.getMessage().startsWith("blender.")) {
                return t.getMessage();
            }
        }
        return stackTrace(failure);
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
