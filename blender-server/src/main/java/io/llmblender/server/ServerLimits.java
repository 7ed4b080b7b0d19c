package io.llmblender.server;

import io.llmblender.core.check.Require;
import java.time.Duration;

/**
 * What one request may ask of the server, and how long it may take. Immutable; make one with
 * {@link #builder()} ({@link #defaults()} is the builder with nothing set).
 *
 * @param maxBodyBytes the largest request body; larger is 413. Default 1 MiB.
 * @param maxMessages the most messages in a request; more is 400 naming {@code messages}. Default 256.
 * @param maxTextChars the most characters of message text in all; more is 400 naming the message
 *     where the sum passes it. Default 200,000.
 * @param maxConcurrentPerKey the most requests one key (or, without keys, all callers together) may
 *     have in flight; more is 429 with {@code Retry-After}. Default 16.
 * @param requestDeadline how long a request may run in all; then its upstream calls are cancelled
 *     and the answer is 504 (or an error event when a stream has begun). Default 120 seconds.
 * @param idleTimeout how long a connection may stay silent (slow or stalled clients, headers
 *     included) before Jetty closes it. Default 30 seconds.
 * @param keepAlive how often a blended stream sends an SSE comment while it waits. Default 5 seconds.
 * @param maxRequestsPerMinute the most requests one key (or, without keys, all callers together)
 *     may start per minute, as a token bucket that holds a minute's worth and refills evenly; more
 *     is 429 with {@code Retry-After} saying when the next one may start. 0 (the default) means no
 *     rate limit.
 */
public record ServerLimits(
        int maxBodyBytes,
        int maxMessages,
        int maxTextChars,
        int maxConcurrentPerKey,
        Duration requestDeadline,
        Duration idleTimeout,
        Duration keepAlive,
        int maxRequestsPerMinute) {

    /**
     * Validates every limit.
     *
     * @param maxBodyBytes see the class description
     * @param maxMessages see the class description
     * @param maxTextChars see the class description
     * @param maxConcurrentPerKey see the class description
     * @param requestDeadline see the class description
     * @param idleTimeout see the class description
     * @param keepAlive see the class description
     * @param maxRequestsPerMinute see the class description
     * @throws IllegalArgumentException naming the first limit that is not positive
     */
    public ServerLimits {
        Require.positive(maxBodyBytes, "maxBodyBytes");
        Require.positive(maxMessages, "maxMessages");
        Require.positive(maxTextChars, "maxTextChars");
        Require.positive(maxConcurrentPerKey, "maxConcurrentPerKey");
        Require.positive(requestDeadline, "requestDeadline");
        Require.positive(idleTimeout, "idleTimeout");
        Require.positive(keepAlive, "keepAlive");
        Require.nonNegative(maxRequestsPerMinute, "maxRequestsPerMinute");
    }

    /**
     * Every limit at its default.
     *
     * @return the defaults
     */
    public static ServerLimits defaults() {
        return builder().build();
    }

    /**
     * Starts a set of limits from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Sets limits one by one; each setter validates at once. Not thread-safe. */
    public static final class Builder {
        private int maxBodyBytes = 1 << 20;
        private int maxMessages = 256;
        private int maxTextChars = 200_000;
        private int maxConcurrentPerKey = 16;
        private Duration requestDeadline = Duration.ofMinutes(2);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration keepAlive = Duration.ofSeconds(5);
        private int maxRequestsPerMinute;

        private Builder() {}

        /**
         * See {@link ServerLimits#maxBodyBytes()}.
         *
         * @param v positive
         * @return this builder
         */
        public Builder maxBodyBytes(int v) {
            maxBodyBytes = Require.positive(v, "maxBodyBytes");
            return this;
        }

        /**
         * See {@link ServerLimits#maxMessages()}.
         *
         * @param v positive
         * @return this builder
         */
        public Builder maxMessages(int v) {
            maxMessages = Require.positive(v, "maxMessages");
            return this;
        }

        /**
         * See {@link ServerLimits#maxTextChars()}.
         *
         * @param v positive
         * @return this builder
         */
        public Builder maxTextChars(int v) {
            maxTextChars = Require.positive(v, "maxTextChars");
            return this;
        }

        /**
         * See {@link ServerLimits#maxConcurrentPerKey()}.
         *
         * @param v positive
         * @return this builder
         */
        public Builder maxConcurrentPerKey(int v) {
            maxConcurrentPerKey = Require.positive(v, "maxConcurrentPerKey");
            return this;
        }

        /**
         * See {@link ServerLimits#requestDeadline()}.
         *
         * @param v positive
         * @return this builder
         */
        public Builder requestDeadline(Duration v) {
            requestDeadline = Require.positive(v, "requestDeadline");
            return this;
        }

        /**
         * See {@link ServerLimits#idleTimeout()}.
         *
         * @param v positive
         * @return this builder
         */
        public Builder idleTimeout(Duration v) {
            idleTimeout = Require.positive(v, "idleTimeout");
            return this;
        }

        /**
         * See {@link ServerLimits#keepAlive()}.
         *
         * @param v positive
         * @return this builder
         */
        public Builder keepAlive(Duration v) {
            keepAlive = Require.positive(v, "keepAlive");
            return this;
        }

        /**
         * See {@link ServerLimits#maxRequestsPerMinute()}.
         *
         * @param v 0 for no rate limit, or positive
         * @return this builder
         */
        public Builder maxRequestsPerMinute(int v) {
            maxRequestsPerMinute = Require.nonNegative(v, "maxRequestsPerMinute");
            return this;
        }

        /**
         * Makes the limits.
         *
         * @return the limits
         */
        public ServerLimits build() {
            return new ServerLimits(
                    maxBodyBytes,
                    maxMessages,
                    maxTextChars,
                    maxConcurrentPerKey,
                    requestDeadline,
                    idleTimeout,
                    keepAlive,
                    maxRequestsPerMinute);
        }
    }
}
