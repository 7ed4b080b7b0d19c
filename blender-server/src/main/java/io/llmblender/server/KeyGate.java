package io.llmblender.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Authenticates callers and bounds how many requests each key has in flight and, when a rate is
 * set, how many it starts a minute. With no keys
 * configured every caller is {@value #ANONYMOUS} and shares one bound. The presented key is
 * hashed once and compared against every configured digest without stopping at a match, so the
 * time taken does not tell which key (or which byte) matched. Thread-safe.
 */
final class KeyGate {

    static final String ANONYMOUS = "anonymous";
    private static final String BEARER = "bearer ";

    private final List<ApiKey> keys;
    private final int maxConcurrent;
    private final int perMinute;
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    KeyGate(List<ApiKey> keys, int maxConcurrent, int perMinute) {
        this.keys = List.copyOf(keys);
        this.maxConcurrent = maxConcurrent;
        this.perMinute = perMinute;
    }

    /** A token bucket of one key: holds {@code perMinute} tokens, refilled evenly over a minute. */
    private static final class Bucket {
        private final double capacity;
        private final double perNano;
        private double tokens;
        private long last;

        Bucket(int perMinute, long now) {
            this.capacity = perMinute;
            this.perNano = perMinute / 60e9;
            this.tokens = perMinute;
            this.last = now;
        }

        /** Takes a token; returns 0, or the whole seconds until one is there. */
        synchronized long take(long now) {
            tokens = Math.min(capacity, tokens + (now - last) * perNano);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e9));
        }
    }

    boolean enabled() {
        return !keys.isEmpty();
    }

    /**
     * The key an {@code Authorization} header presents.
     *
     * @return the key, or null when the server has none configured (anyone may call)
     * @throws ApiError 401 when keys are configured and the header is missing, malformed or
     *     matches none (the message never shows what was presented)
     */
    ApiKey authenticate(String authorization) {
        if (keys.isEmpty()) {
            return null;
        }
        if (authorization == null || authorization.isBlank()) {
            throw ApiError.unauthorized("missing API key: send it as 'Authorization: Bearer <key>'");
        }
        if (authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw ApiError.unauthorized("the Authorization header must be 'Bearer <key>'");
        }
        byte[] digest = ApiKey.digestOf(authorization.substring(BEARER.length()).strip());
        ApiKey found = null;
        for (ApiKey k : keys) {
            if (k.matches(digest) && found == null) {
                found = k;
            }
        }
        if (found == null) {
            throw ApiError.unauthorized("incorrect API key");
        }
        return found;
    }

    /**
     * Takes one of the key's in-flight slots.
     *
     * @return the release to run when the request ends
     * @throws ApiError 429 with {@code Retry-After} when the key has no slot free (1 second) or has
     *     spent its rate (the seconds until its next token)
     */
    Runnable acquire(String keyName) {
        if (perMinute > 0) {
            long now = System.nanoTime();
            long wait = buckets.computeIfAbsent(keyName, k -> new Bucket(perMinute, now))
                    .take(now);
            if (wait > 0) {
                throw ApiError.tooMany(
                        "too many requests for key '" + keyName + "': at most " + perMinute + " a minute; retry in "
                                + wait + " s",
                        (int) Math.min(Integer.MAX_VALUE, wait));
            }
        }
        Semaphore s = inFlight.computeIfAbsent(keyName, k -> new Semaphore(maxConcurrent));
        if (!s.tryAcquire()) {
            throw ApiError.tooMany(
                    "too many concurrent requests for key '" + keyName + "': at most " + maxConcurrent + " at once", 1);
        }
        return s::release;
    }
}
