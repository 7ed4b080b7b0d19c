package io.llmblender.spring;

import io.llmblender.core.BlendListener;
import io.llmblender.core.BlendMode;
import io.llmblender.core.Blender;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankers;
import io.llmblender.core.route.Router;
import io.llmblender.langchain4j.BlenderChatModel;
import io.llmblender.micrometer.BlenderObservations;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.ranker.minilm.MiniLmRewardRanker;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Makes a {@link Blender} from {@code blender.*} properties: the upstream LLMs
 * ({@link BlenderUpstreams}), the default ranker (consensus; or the MiniLM ranker, an exported one, or none), an
 * optional LLM fuser, the
 * Micrometer observations when an {@link ObservationRegistry} bean exists, a LangChain4j
 * {@link BlenderChatModel} when LangChain4j is on the class path, and a health indicator when Spring Boot's
 * health support is.
 *
 * <p>Every bean backs off when the app defines one of its type ({@code @ConditionalOnMissingBean}): an app's
 * own {@link Ranker}, {@link Fuser}, {@link BlendListener}, {@link BlenderUpstreams} or {@link Blender} bean is
 * used instead. A {@link Router} bean, which the app always brings itself, is given to the Blender; modes
 * {@code route} and {@code adaptive} need one.
 *
 * <p>Bad properties fail the context with an {@link IllegalArgumentException} naming the property path and the
 * value (never an API key).
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration"
        })
@EnableConfigurationProperties(BlenderProperties.class)
public class BlenderAutoConfiguration {

    /** The trained reward ranker's class, which decides the default ranker (see {@link BlenderProperties.RankerType}). */
    static final String REWARD_RANKER = "io.llmblender.ranker.minilm.MiniLmRewardRanker";

    /** Made by Spring. */
    public BlenderAutoConfiguration() {}

    /**
     * The upstream LLMs of {@code blender.llms}, closed with the context.
     *
     * @param properties the properties
     * @return the upstreams
     */
    @Bean
    @ConditionalOnMissingBean
    public BlenderUpstreams blenderUpstreams(BlenderProperties properties) {
        List<BlenderProperties.Llm> llms = properties.getLlms();
        if (llms == null || llms.isEmpty()) {
            throw new IllegalArgumentException(
                    "blender.llms must list at least one LLM (name, base-url, model), found" + " none");
        }
        List<LlmClient> clients = new ArrayList<>();
        Map<String, String> models = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        try {
            for (int i = 0; i < llms.size(); i++) {
                BlenderProperties.Llm llm = llms.get(i);
                String at = "blender.llms[" + i + "]";
                String name = required(llm.getName(), at + ".name");
                if (!names.add(name)) {
                    throw new IllegalArgumentException(at + ".name \"" + name + "\" is already the name of another"
                            + " LLM; names must be unique");
                }
                OpenAiCompatibleClient.Builder b = OpenAiCompatibleClient.builder();
                property(at + ".name", () -> b.name(name));
                property(at + ".base-url", () -> b.baseUrl(required(llm.getBaseUrl(), at + ".base-url")));
                property(at + ".model", () -> b.model(required(llm.getModel(), at + ".model")));
                if (llm.getApiKey() != null && llm.getApiKeyEnv() != null) {
                    throw new IllegalArgumentException(
                            at + ".api-key and " + at + ".api-key-env are both set; set one of them");
                }
                if (llm.getApiKey() != null) {
                    property(at + ".api-key", () -> b.apiKey(llm.getApiKey()));
                }
                if (llm.getApiKeyEnv() != null) {
                    property(at + ".api-key-env", () -> b.apiKeyFromEnv(llm.getApiKeyEnv()));
                }
                if (llm.getRequestTimeout() != null) {
                    property(at + ".request-timeout", () -> b.requestTimeout(llm.getRequestTimeout()));
                }
                if (llm.getMaxAttempts() != null) {
                    property(at + ".max-attempts", () -> b.maxAttempts(llm.getMaxAttempts()));
                }
                clients.add(property(at, b::build));
                models.put(name, llm.getModel());
            }
        } catch (RuntimeException e) {
            closeQuietly(clients, e);
            throw e;
        }
        return new BlenderUpstreams(clients, models);
    }

    /**
     * The fuser of {@code blender.fuser.llm}: an {@link LlmFuser} over that upstream.
     *
     * @param properties the properties
     * @param upstreams the upstreams
     * @return the fuser
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "blender.fuser", name = "llm")
    public Fuser blenderFuser(BlenderProperties properties, BlenderUpstreams upstreams) {
        String name = properties.getFuser().getLlm();
        for (LlmClient c : upstreams.clients()) {
            if (c.name().equals(name)) {
                return LlmFuser.builder(c).build();
            }
        }
        throw new IllegalArgumentException("blender.fuser.llm \"" + name + "\" names no LLM of blender.llms "
                + upstreams.clients().stream().map(LlmClient::name).toList());
    }

    /**
     * The Blender, closed with the context (which stops its threads; upstreams, ranker and fuser are closed as
     * their own beans).
     *
     * @param properties the properties
     * @param upstreams the upstreams
     * @param ranker the ranker bean, if any
     * @param fuser the fuser bean, if any
     * @param router the router bean, if any
     * @param listeners every {@link BlendListener} bean, all of them told of every blend in their order
     * @return the Blender
     */
    @Bean
    @ConditionalOnMissingBean
    public Blender blender(
            BlenderProperties properties,
            BlenderUpstreams upstreams,
            ObjectProvider<Ranker> ranker,
            ObjectProvider<Fuser> fuser,
            ObjectProvider<Router> router,
            ObjectProvider<BlendListener> listeners) {
        Blender.Builder b = Blender.builder().clients(upstreams.clients());
        property("blender.top-k", () -> b.topK(properties.getTopK()));
        property("blender.per-client-timeout", () -> b.perClientTimeout(properties.getPerClientTimeout()));
        if (properties.getDeadline() != null) {
            property("blender.deadline", () -> b.deadline(properties.getDeadline()));
        }
        BlendMode mode = properties.getMode();
        property("blender.mode", () -> b.mode(mode));
        if (properties.getConfidenceThreshold() != null) {
            property("blender.confidence-threshold", () -> b.confidenceThreshold(properties.getConfidenceThreshold()));
        }
        if (properties.getFanOut() != null) {
            property("blender.fan-out", () -> b.fanOut(properties.getFanOut()));
        }
        // getIfAvailable: two beans of one kind fail the start with Spring's NoUniqueBeanDefinitionException
        // naming both, instead of leaving the part out.
        Ranker rk = ranker.getIfAvailable();
        if (rk != null) {
            b.ranker(rk);
        }
        Fuser fu = fuser.getIfAvailable();
        if (fu != null) {
            b.fuser(fu);
        }
        Router r = router.getIfAvailable();
        if (r != null) {
            b.router(r);
        } else if (mode != BlendMode.BLEND) {
            throw new IllegalArgumentException("blender.mode=" + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs a Router bean: define one (e.g. a trained router from blender-router), or use"
                    + " blender.mode=blend");
        }
        List<BlendListener> all = listeners.orderedStream().toList();
        if (all.size() == 1) {
            b.listener(all.get(0));
        } else if (all.size() > 1) {
            b.listener(prompt -> {
                List<BlendListener.Blend> blends = new ArrayList<>();
                all.forEach(l -> blends.add(l.started(prompt)));
                return new FanOutBlend(blends);
            });
        }
        return property("blender", b::build);
    }

    /**
     * The default ranker without blender-ranker-minilm on the class path: consensus, the longer answer below three
     * answers (needs nothing but blender-core).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(REWARD_RANKER)
    static class DefaultRankerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnProperty(prefix = "blender.ranker", name = "type", havingValue = "default", matchIfMissing = true)
        Ranker blenderDefaultRanker() {
            return Rankers.defaultRanker();
        }
    }

    /**
     * With blender-ranker-minilm on the class path: the default (consensus over three or more answers, the trained
     * reward ranker for pairs), the trained reward ranker, the zero-shot MiniLM ranker, or an exported PairRanker
     * directory.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.llmblender.ranker.minilm.MiniLmRanker")
    static class RankerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnClass(name = REWARD_RANKER)
        @ConditionalOnProperty(prefix = "blender.ranker", name = "type", havingValue = "default", matchIfMissing = true)
        Ranker blenderTrainedDefaultRanker() {
            return MiniLmRewardRanker.defaultRanker();
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnClass(name = REWARD_RANKER)
        @ConditionalOnProperty(prefix = "blender.ranker", name = "type", havingValue = "reward")
        Ranker blenderRewardRanker() {
            return MiniLmRewardRanker.load();
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnProperty(prefix = "blender.ranker", name = "type", havingValue = "minilm")
        Ranker blenderRanker() {
            return MiniLmRanker.load();
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnProperty(prefix = "blender.ranker", name = "type", havingValue = "dir")
        Ranker blenderDirectoryRanker(BlenderProperties properties) {
            if (properties.getRanker().getDir() == null) {
                throw new IllegalArgumentException("blender.ranker.dir must be set when blender.ranker.type=dir");
            }
            return property(
                    "blender.ranker.dir",
                    () -> PairRanker.load(properties.getRanker().getDir()));
        }
    }

    /** Observations of every blend, when Micrometer's Observation API and a registry bean are there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {"io.llmblender.micrometer.BlenderObservations", "io.micrometer.observation.Observation"})
    @ConditionalOnBean(type = "io.micrometer.observation.ObservationRegistry")
    static class ObservationConfiguration {

        @Bean
        @ConditionalOnMissingBean
        BlendListener blenderObservations(
                ObservationRegistry registry, BlenderProperties properties, BlenderUpstreams upstreams) {
            return BlenderObservations.builder(registry)
                    .models(upstreams.models())
                    .recordPrompts(properties.getObservations().isRecordPrompts())
                    .build();
        }
    }

    /** The Blender as a LangChain4j chat model, when LangChain4j and blender-langchain4j are on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.llmblender.langchain4j.BlenderChatModel", "dev.langchain4j.model.chat.ChatModel"})
    static class LangChain4jConfiguration {

        @Bean
        @ConditionalOnMissingBean
        BlenderChatModel blenderChatModel(
                Blender blender, ObjectProvider<dev.langchain4j.model.chat.listener.ChatModelListener> listeners) {
            return BlenderChatModel.builder()
                    .blender(blender)
                    .listeners(listeners.orderedStream().toList())
                    .build();
        }
    }

    /** The health indicator, when Spring Boot's health support is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "blenderHealthIndicator")
        BlenderHealthIndicator blenderHealthIndicator(
                Blender blender, BlenderUpstreams upstreams, BlenderProperties properties) {
            return new BlenderHealthIndicator(blender, upstreams, properties.getHealth());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String required(String value, String path) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(path + " must be set, found " + (value == null ? "nothing" : "\"\""));
        }
        return value;
    }

    /** Runs a builder step, prefixing what it refuses with the property path. */
    private static <T> T property(String path, Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (message.startsWith("blender.")) {
                throw e;
            }
            throw new IllegalArgumentException(path + ": " + message, e);
        }
    }

    private static void closeQuietly(List<LlmClient> clients, RuntimeException failure) {
        for (LlmClient c : clients) {
            if (c instanceof AutoCloseable a) {
                try {
                    a.close();
                } catch (Exception e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /** Several listeners as one. */
    private record FanOutBlend(List<BlendListener.Blend> blends) implements BlendListener.Blend {

        @Override
        public BlendListener.Step<io.llmblender.core.llm.Generation> call(String client) {
            List<BlendListener.Step<io.llmblender.core.llm.Generation>> steps = new ArrayList<>();
            blends.forEach(b -> steps.add(b.call(client)));
            return (v, e) -> steps.forEach(s -> s.ended(v, e));
        }

        @Override
        public BlendListener.Step<io.llmblender.core.rank.Ranking> ranking(String ranker, int candidates) {
            List<BlendListener.Step<io.llmblender.core.rank.Ranking>> steps = new ArrayList<>();
            blends.forEach(b -> steps.add(b.ranking(ranker, candidates)));
            return (v, e) -> steps.forEach(s -> s.ended(v, e));
        }

        @Override
        public BlendListener.Step<io.llmblender.core.fuse.Fusion> fusion(String fuser, int candidates) {
            List<BlendListener.Step<io.llmblender.core.fuse.Fusion>> steps = new ArrayList<>();
            blends.forEach(b -> steps.add(b.fusion(fuser, candidates)));
            return (v, e) -> steps.forEach(s -> s.ended(v, e));
        }

        @Override
        public void ended(io.llmblender.core.BlendResult result, RuntimeException error) {
            blends.forEach(b -> b.ended(result, error));
        }
    }
}
