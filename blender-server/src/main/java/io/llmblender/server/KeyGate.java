package io.llmblender.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Authenticates callers and bounds how many requests each key has in flight. With no keys
 * configured every caller is {@value #ANONYMOUS} and shares one bound. The presented key is
 * hashed once and compared against every configured digest without stopping at a match, so the
 * time taken does not tell which key (or which byte) matched. Thread-safe.
 */
final class KeyGate {

    static final String ANONYMOUS = "anonymous";
    private static final String BEARER = "bearer ";

    private final List<ApiKey> keys;
    private final int maxConcurrent;
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();

    KeyGate(List<ApiKey> keys, int maxConcurrent) {
        this.keys = List.copyOf(keys);
        this.maxConcurrent = maxConcurrent;
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
     * @throws ApiError 429 with {@code Retry-After: 1} when the key has none free
     */
    Runnable acquire(String keyName) {
        Semaphore s = inFlight.computeIfAbsent(keyName, k -> new Semaphore(maxConcurrent));
        if (!s.tryAcquire()) {
            throw ApiError.tooMany("too many concurrent requests for key '" + keyName + "': at most " + maxConcurrent
                    + " at once", 1);
        }
        return s::release;
    }
}
