package io.llmblender.spring;

import io.llmblender.core.BlendMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code blender.*} properties: the upstream LLMs and how the Blender spends them.
 *
 * <pre>{@code
 * blender:
 *   llms:
 *     - { name: gpt, base-url: https://api.openai.com/v1, model: gpt-4o-mini, api-key-env: OPENAI_API_KEY }
 *     - { name: llama, base-url: http://localhost:11434/v1, model: llama3.1 }
 *   top-k: 2
 * }</pre>
 *
 * <p>Values are checked when the beans are made; an error names the property path and the value (never a key).
 * Mutable, as Spring binding needs; not thread-safe.
 */
@ConfigurationProperties("blender")
public class BlenderProperties {

    /** The upstream LLMs (OpenAI-compatible chat-completions endpoints), asked in this order. */
    private List<Llm> llms = new ArrayList<>();

    /** How the Blender spends LLM calls: blend (ask all), route or adaptive (both need a Router bean). */
    private BlendMode mode = BlendMode.BLEND;

    /** How many of the best answers the fuser reads. */
    private int topK = 3;

    /** How long each upstream may take to answer. */
    private Duration perClientTimeout = Duration.ofSeconds(60);

    /** How long a whole blend may wait for answers; no limit beyond the per-client timeout when unset. */
    private Duration deadline;

    /** In adaptive mode, the router confidence at or above which only the chosen LLM is asked. */
    private Double confidenceThreshold;

    /** In adaptive mode, how many of the most probable LLMs are asked when the router is unsure. */
    private Integer fanOut;

    /** The ranker. */
    private final Ranker ranker = new Ranker();

    /** The fuser. */
    private final Fuser fuser = new Fuser();

    /** The health indicator. */
    private final Health health = new Health();

    /** The Micrometer observations. */
    private final Observations observations = new Observations();

    /**
     * The upstream LLMs.
     *
     * @return the list, bound in place
     */
    public List<Llm> getLlms() {
        return llms;
    }

    /**
     * Sets the upstream LLMs.
     *
     * @param llms the list
     */
    public void setLlms(List<Llm> llms) {
        this.llms = llms;
    }

    /**
     * The blend mode.
     *
     * @return the mode
     */
    public BlendMode getMode() {
        return mode;
    }

    /**
     * Sets the blend mode.
     *
     * @param mode the mode
     */
    public void setMode(BlendMode mode) {
        this.mode = mode;
    }

    /**
     * How many of the best answers the fuser reads.
     *
     * @return top-k
     */
    public int getTopK() {
        return topK;
    }

    /**
     * Sets top-k.
     *
     * @param topK top-k
     */
    public void setTopK(int topK) {
        this.topK = topK;
    }

    /**
     * The per-client timeout.
     *
     * @return the timeout
     */
    public Duration getPerClientTimeout() {
        return perClientTimeout;
    }

    /**
     * Sets the per-client timeout.
     *
     * @param perClientTimeout the timeout
     */
    public void setPerClientTimeout(Duration perClientTimeout) {
        this.perClientTimeout = perClientTimeout;
    }

    /**
     * The blend deadline.
     *
     * @return the deadline, or null
     */
    public Duration getDeadline() {
        return deadline;
    }

    /**
     * Sets the blend deadline.
     *
     * @param deadline the deadline
     */
    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    /**
     * The adaptive confidence threshold.
     *
     * @return the threshold, or null
     */
    public Double getConfidenceThreshold() {
        return confidenceThreshold;
    }

    /**
     * Sets the adaptive confidence threshold.
     *
     * @param confidenceThreshold the threshold
     */
    public void setConfidenceThreshold(Double confidenceThreshold) {
        this.confidenceThreshold = confidenceThreshold;
    }

    /**
     * The adaptive fan-out.
     *
     * @return the fan-out, or null
     */
    public Integer getFanOut() {
        return fanOut;
    }

    /**
     * Sets the adaptive fan-out.
     *
     * @param fanOut the fan-out
     */
    public void setFanOut(Integer fanOut) {
        this.fanOut = fanOut;
    }

    /**
     * The ranker settings.
     *
     * @return the settings
     */
    public Ranker getRanker() {
        return ranker;
    }

    /**
     * The fuser settings.
     *
     * @return the settings
     */
    public Fuser getFuser() {
        return fuser;
    }

    /**
     * The health settings.
     *
     * @return the settings
     */
    public Health getHealth() {
        return health;
    }

    /**
     * The observation settings.
     *
     * @return the settings
     */
    public Observations getObservations() {
        return observations;
    }

    /** One upstream LLM. Its {@link #toString()} never shows the key. */
    public static class Llm {

        /** A short name, unique among the LLMs: it labels answers, failures and metrics. */
        private String name;

        /** The endpoint's base URL, ending before /chat/completions, e.g. https://api.openai.com/v1. */
        private String baseUrl;

        /** The model to ask, e.g. gpt-4o-mini. */
        private String model;

        /** The API key; prefer api-key-env or ${ENV_VAR}, so keys stay out of files. Never logged. */
        private String apiKey;

        /** The environment variable holding the API key, e.g. OPENAI_API_KEY. */
        private String apiKeyEnv;

        /** How long one attempt may wait for the answer; the client's default (60 s) when unset. */
        private Duration requestTimeout;

        /** How many attempts a call may make (retries on 429 and 5xx); the client's default when unset. */
        private Integer maxAttempts;

        /**
         * The name.
         *
         * @return the name
         */
        public String getName() {
            return name;
        }

        /**
         * Sets the name.
         *
         * @param name the name
         */
        public void setName(String name) {
            this.name = name;
        }

        /**
         * The base URL.
         *
         * @return the URL
         */
        public String getBaseUrl() {
            return baseUrl;
        }

        /**
         * Sets the base URL.
         *
         * @param baseUrl the URL
         */
        public void setBaseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
        }

        /**
         * The model.
         *
         * @return the model
         */
        public String getModel() {
            return model;
        }

        /**
         * Sets the model.
         *
         * @param model the model
         */
        public void setModel(String model) {
            this.model = model;
        }

        /**
         * The API key.
         *
         * @return the key, or null
         */
        public String getApiKey() {
            return apiKey;
        }

        /**
         * Sets the API key.
         *
         * @param apiKey the key
         */
        public void setApiKey(String apiKey) {
            this.apiKey = apiKey;
        }

        /**
         * The environment variable holding the key.
         *
         * @return the variable's name, or null
         */
        public String getApiKeyEnv() {
            return apiKeyEnv;
        }

        /**
         * Sets the environment variable holding the key.
         *
         * @param apiKeyEnv the variable's name
         */
        public void setApiKeyEnv(String apiKeyEnv) {
            this.apiKeyEnv = apiKeyEnv;
        }

        /**
         * The request timeout.
         *
         * @return the timeout, or null
         */
        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        /**
         * Sets the request timeout.
         *
         * @param requestTimeout the timeout
         */
        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
        }

        /**
         * The most attempts per call.
         *
         * @return the count, or null
         */
        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        /**
         * Sets the most attempts per call.
         *
         * @param maxAttempts the count
         */
        public void setMaxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        @Override
        public String toString() {
            return "Llm[" + name + ", " + baseUrl + ", " + model + ", apiKey=" + (apiKey == null ? "none" : "***")
                    + (apiKeyEnv == null ? "" : ", apiKeyEnv=" + apiKeyEnv) + "]";
        }
    }

    /** Which ranker orders the answers. */
    public enum RankerType {
        /**
         * The default: with blender-ranker-minilm on the class path (the starter brings it),
         * {@link io.llmblender.ranker.minilm.MiniLmRewardRanker#defaultRanker()}: label-free consensus over three or
         * more answers, the trained reward ranker for a pair (the longer answer for a Chinese pair); without it,
         * {@link io.llmblender.core.rank.Rankers#defaultRanker()}: consensus, the longer answer below three.
         */
        DEFAULT,
        /**
         * The trained reward ranker alone (all-MiniLM-L6-v2 prompt-and-answer cross-encoder fine-tuned on preference
         * pairs, with a length term; blender-ranker-minilm must be on the class path).
         */
        REWARD,
        /**
         * The zero-shot all-MiniLM-L6-v2 relevance PairRanker, not trained on preferences (blender-ranker-minilm must
         * be on the class path).
         */
        MINILM,
        /** An exported PairRanker directory, given as blender.ranker.dir. */
        DIR,
        /** No ranker: answers keep the LLMs' order. */
        NONE
    }

    /** The ranker settings; a Ranker bean of the app's own replaces them. */
    public static class Ranker {

        /**
         * Which ranker: default (consensus; the trained reward ranker for pairs), reward (the trained reward ranker),
         * minilm (zero-shot MiniLM), dir (a PairRanker directory) or none.
         */
        private RankerType type = RankerType.DEFAULT;

        /** The exported PairRanker directory, when type is dir. */
        private Path dir;

        /**
         * The ranker type.
         *
         * @return the type
         */
        public RankerType getType() {
            return type;
        }

        /**
         * Sets the ranker type.
         *
         * @param type the type
         */
        public void setType(RankerType type) {
            this.type = type;
        }

        /**
         * The ranker directory.
         *
         * @return the directory, or null
         */
        public Path getDir() {
            return dir;
        }

        /**
         * Sets the ranker directory.
         *
         * @param dir the directory
         */
        public void setDir(Path dir) {
            this.dir = dir;
        }
    }

    /** The fuser settings; a Fuser bean of the app's own replaces them. */
    public static class Fuser {

        /** The name of one of blender.llms that fuses the best answers into one; no fusion when unset. */
        private String llm;

        /**
         * The fusing LLM's name.
         *
         * @return the name, or null
         */
        public String getLlm() {
            return llm;
        }

        /**
         * Sets the fusing LLM's name.
         *
         * @param llm the name
         */
        public void setLlm(String llm) {
            this.llm = llm;
        }
    }

    /** The health indicator settings. */
    public static class Health {

        /** Whether a health check also asks every upstream's /models endpoint (one HTTP call each). */
        private boolean probeUpstreams;

        /** How long the probe of one upstream may take. */
        private Duration probeTimeout = Duration.ofSeconds(2);

        /**
         * Whether upstreams are probed.
         *
         * @return true to probe
         */
        public boolean isProbeUpstreams() {
            return probeUpstreams;
        }

        /**
         * Sets whether upstreams are probed.
         *
         * @param probeUpstreams true to probe
         */
        public void setProbeUpstreams(boolean probeUpstreams) {
            this.probeUpstreams = probeUpstreams;
        }

        /**
         * The probe timeout.
         *
         * @return the timeout
         */
        public Duration getProbeTimeout() {
            return probeTimeout;
        }

        /**
         * Sets the probe timeout.
         *
         * @param probeTimeout the timeout
         */
        public void setProbeTimeout(Duration probeTimeout) {
            this.probeTimeout = probeTimeout;
        }
    }

    /** The observation settings. */
    public static class Observations {

        /** Whether blend observations carry the prompt text (high cardinality; may hold personal data). */
        private boolean recordPrompts;

        /**
         * Whether prompts are recorded.
         *
         * @return true to record
         */
        public boolean isRecordPrompts() {
            return recordPrompts;
        }

        /**
         * Sets whether prompts are recorded.
         *
         * @param recordPrompts true to record
         */
        public void setRecordPrompts(boolean recordPrompts) {
            this.recordPrompts = recordPrompts;
        }
    }
}
