package io.llmblender.core.llm;

import io.llmblender.core.check.Require;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Sampling options a prompt asks its LLMs to use: temperature, top-p, the most new tokens, a seed and stop
 * sequences. Every option is optional; an absent one leaves the client's own default (for
 * {@code OpenAiCompatibleClient}, the one given to its builder, else the server's). Clients that cannot honour an
 * option ignore it. Immutable and thread-safe.
 *
 * <pre>{@code
 * Prompt p = Prompt.of("Name three colours.").withSampling(Sampling.builder().temperature(0.2).maxTokens(64).build());
 * }</pre>
 */
public final class Sampling {

    /** No option set: every client uses its own defaults. */
    public static final Sampling NONE = new Builder().build();

    /** The most stop sequences, as OpenAI's API allows. */
    public static final int MAX_STOP = 4;

    private final Double temperature;
    private final Double topP;
    private final Integer maxTokens;
    private final Long seed;
    private final List<String> stop;

    private Sampling(Builder b) {
        this.temperature = b.temperature;
        this.topP = b.topP;
        this.maxTokens = b.maxTokens;
        this.seed = b.seed;
        this.stop = b.stop;
    }

    /**
     * Starts a builder with no option set.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the temperature, in [0, 2], if set */
    public OptionalDouble temperature() {
        return temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature);
    }

    /** @return the nucleus-sampling mass, in [0, 1], if set */
    public OptionalDouble topP() {
        return topP == null ? OptionalDouble.empty() : OptionalDouble.of(topP);
    }

    /** @return the most new tokens per answer, positive, if set */
    public OptionalInt maxTokens() {
        return maxTokens == null ? OptionalInt.empty() : OptionalInt.of(maxTokens);
    }

    /** @return the seed, if set */
    public OptionalLong seed() {
        return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
    }

    /** @return the stop sequences, if set: one to {@value #MAX_STOP} non-empty strings */
    public Optional<List<String>> stop() {
        return Optional.ofNullable(stop);
    }

    /** @return whether no option is set */
    public boolean isEmpty() {
        return temperature == null && topP == null && maxTokens == null && seed == null && stop == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sampling s
                && Objects.equals(temperature, s.temperature)
                && Objects.equals(topP, s.topP)
                && Objects.equals(maxTokens, s.maxTokens)
                && Objects.equals(seed, s.seed)
                && Objects.equals(stop, s.stop);
    }

    @Override
    public int hashCode() {
        return Objects.hash(temperature, topP, maxTokens, seed, stop);
    }

    @Override
    public String toString() {
        return "Sampling[temperature=" + temperature + ", topP=" + topP + ", maxTokens=" + maxTokens + ", seed=" + seed
                + ", stop=" + (stop == null ? null : stop.size() + " sequences") + "]";
    }

    /**
     * Builds a {@link Sampling}. Each setter checks its value at once and names the option and the value it
     * refuses; each may be called at most once. Not thread-safe.
     */
    public static final class Builder {
        private Double temperature;
        private Double topP;
        private Integer maxTokens;
        private Long seed;
        private List<String> stop;

        private Builder() {}

        /**
         * @param temperature in [0, 2]
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if called a second time
         */
        public Builder temperature(double temperature) {
            if (!(temperature >= 0 && temperature <= 2)) {
                throw new IllegalArgumentException("temperature must be in [0, 2], found " + temperature);
            }
            Require.unset(this.temperature, "temperature", temperature);
            this.temperature = temperature;
            return this;
        }

        /**
         * @param topP in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if called a second time
         */
        public Builder topP(double topP) {
            if (!(topP >= 0 && topP <= 1)) {
                throw new IllegalArgumentException("topP must be in [0, 1], found " + topP);
            }
            Require.unset(this.topP, "topP", topP);
            this.topP = topP;
            return this;
        }

        /**
         * @param maxTokens the most new tokens per answer, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if called a second time
         */
        public Builder maxTokens(int maxTokens) {
            Require.positive(maxTokens, "maxTokens");
            Require.unset(this.maxTokens, "maxTokens", maxTokens);
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * @param seed any seed
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder seed(long seed) {
            Require.unset(this.seed, "seed", seed);
            this.seed = seed;
            return this;
        }

        /**
         * @param stop one to {@value #MAX_STOP} non-empty stop sequences
         * @return this builder
         * @throws IllegalArgumentException if empty, too many, or holding an empty or null sequence
         * @throws IllegalStateException if called a second time
         */
        public Builder stop(List<String> stop) {
            Require.nonNull(stop, "stop");
            if (stop.isEmpty() || stop.size() > MAX_STOP) {
                throw new IllegalArgumentException(
                        "stop must hold 1 to " + MAX_STOP + " sequences, found " + stop.size());
            }
            for (int i = 0; i < stop.size(); i++) {
                if (stop.get(i) == null || stop.get(i).isEmpty()) {
                    throw new IllegalArgumentException("stop[" + i + "] must be a non-empty string, found "
                            + (stop.get(i) == null ? "null" : "\"\""));
                }
            }
            Require.unset(
                    this.stop, "stop", stop, s -> s.stream().map(Require::quote).toList());
            this.stop = List.copyOf(stop);
            return this;
        }

        /** @return the options */
        public Sampling build() {
            return new Sampling(this);
        }
    }
}
