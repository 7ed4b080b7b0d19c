package io.llmblender.server;

import io.llmblender.core.check.Require;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One caller key the server accepts in {@code Authorization: Bearer <key>}. The server keeps only
 * the key's SHA-256 digest and compares digests in constant time
 * ({@link MessageDigest#isEqual(byte[], byte[])}); the key itself is never stored, logged or put in
 * a message. Each key has a {@link #name()} that labels its requests in logs and metrics and
 * scopes its concurrency limit, and optionally the set of models (ensembles or upstream names) it
 * may ask; empty means every model. Immutable and thread-safe.
 *
 * <pre>{@code
 * ApiKey alice = ApiKey.sha256("alice", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
 * ApiKey ci = ApiKey.fromEnv("ci", "BLENDER_CI_KEY");   // read now; the variable must be set
 * }</pre>
 */
public final class ApiKey {

    private final String name;
    private final byte[] digest;
    private final Set<String> models;

    private ApiKey(String name, byte[] digest, Set<String> models) {
        this.name = Require.nonBlank(name, "key name");
        this.digest = digest;
        this.models = Set.copyOf(models);
    }

    /**
     * A key given by its SHA-256 digest, e.g. from {@code printf %s "$KEY" | sha256sum | cut -d" " -f1}.
     *
     * @param name the key's label in logs and metrics, not blank
     * @param hex 64 hexadecimal digits, either case
     * @return the key, allowed every model
     * @throws IllegalArgumentException if {@code hex} is not 64 hexadecimal digits (the message
     *     shows its length, not its value)
     */
    public static ApiKey sha256(String name, String hex) {
        Require.nonNull(hex, "sha256");
        String h = hex.strip().toLowerCase(Locale.ROOT);
        if (h.length() != 64 || !h.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException(
                    "key '" + name + "': sha256 must be 64 hexadecimal digits, found " + h.length() + " characters");
        }
        return new ApiKey(name, HexFormat.of().parseHex(h), Set.of());
    }

    /**
     * A key read now from an environment variable.
     *
     * @param name the key's label, not blank
     * @param variable the variable's name
     * @return the key, allowed every model
     * @throws IllegalStateException if the variable is unset or blank (the message names the
     *     variable, never a value)
     */
    public static ApiKey fromEnv(String name, String variable) {
        Require.nonBlank(variable, "env");
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("key '" + name + "': environment variable " + variable + " holds no key");
        }
        return plain(name, value);
    }

    /**
     * A key given in clear (embedding and tests); only its digest is kept.
     *
     * @param name the key's label, not blank
     * @param key the key, not blank
     * @return the key, allowed every model
     */
    public static ApiKey plain(String name, String key) {
        Require.nonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("key '" + name + "' must not be blank");
        }
        return new ApiKey(name, digestOf(key), Set.of());
    }

    /**
     * This key limited to some models.
     *
     * @param allowed the ensemble or upstream names it may ask; empty allows every model
     * @return a new key with the same digest
     */
    public ApiKey allowing(Set<String> allowed) {
        Require.nonNull(allowed, "models");
        return new ApiKey(name, digest, allowed);
    }

    /**
     * The key's label in logs and metrics.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The models this key may ask.
     *
     * @return an unmodifiable set; empty means every model
     */
    public Set<String> models() {
        return models;
    }

    /**
     * Whether this key may ask a model.
     *
     * @param model an ensemble or upstream name
     * @return true when allowed
     */
    public boolean allows(String model) {
        return models.isEmpty() || models.contains(model);
    }

    /** Whether a presented digest is this key's, in time independent of where they differ. */
    boolean matches(byte[] presentedDigest) {
        return MessageDigest.isEqual(digest, presentedDigest);
    }

    static byte[] digestOf(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKey k
                && name.equals(k.name)
                && MessageDigest.isEqual(digest, k.digest)
                && models.equals(k.models);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, models);
    }

    /** Names the key and its models; never shows the digest. */
    @Override
    public String toString() {
        return "ApiKey[" + name + (models.isEmpty() ? "" : ", models=" + models) + "]";
    }
}
