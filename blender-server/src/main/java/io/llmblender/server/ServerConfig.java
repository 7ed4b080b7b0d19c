package io.llmblender.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.core.BlendMode;
import io.llmblender.core.check.Require;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.rank.Ranker;
import io.llmblender.fuser.GenFuser;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.ranker.names.RankerNames;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.MiniLmEncoder;
import io.llmblender.router.encode.QueryEncoder;
import io.llmblender.router.encode.TorchScriptEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A server configuration read from JSON: the config file of {@code blender blend}, extended with
 * ensembles and a {@code server} section. Every field is checked as it is read; an unknown field,
 * a wrong type or a bad value is refused with an {@link IllegalArgumentException} naming the file,
 * the field's path and what was found. Immutable; {@link #toBuilder()} loads the parts it names.
 *
 * <pre>{@code
 * {"llms": [{"name": "llama", "base_url": "http://localhost:11434/v1", "model": "llama3"},
 *           {"name": "gpt", "base_url": "https://api.openai.com/v1", "model": "gpt-4o-mini",
 *            "api_key_env": "OPENAI_API_KEY"}],
 *  "ranker": "default", "fuser": "none", "top_k": 3, "timeout_s": 60,
 *  "router": "routers/mine", "encoder": "minilm", "threshold": 0.62,
 *  "ensembles": [{"name": "blend", "mode": "blend"}, {"name": "cheap", "mode": "blend", "llms": ["llama"]},
 *                {"name": "route", "mode": "route"}, {"name": "adaptive", "mode": "adaptive", "threshold": 0.62}],
 *  "server": {"host": "127.0.0.1", "port": 8080, "log_prompts": false, "max_threads": 200, "shutdown_grace_s": 30,
 *             "cors_origins": ["https://app.example.com"],
 *             "tls": {"keystore": "server.p12", "password_env": "BLENDER_KEYSTORE_PASSWORD"},
 *             "keys": [{"name": "alice", "sha256": "<64 hex digits>"},
 *                      {"name": "ci", "env": "BLENDER_CI_KEY", "models": ["blend"]}],
 *             "limits": {"max_body_bytes": 1048576, "max_messages": 256, "max_text_chars": 200000,
 *                        "max_concurrent_per_key": 16, "request_deadline_s": 120, "idle_timeout_s": 30,
 *                        "keep_alive_s": 5, "max_requests_per_minute": 600}}}
 * }</pre>
 *
 * <p>Defaults: {@code ranker} {@code "default"} ({@link io.llmblender.ranker.minilm.MiniLmRewardRanker#defaultRanker()}:
 * label-free consensus over three or more answers, the trained reward ranker for a pair; {@code "reward"} for the
 * reward ranker alone, {@code "minilm"} for the zero-shot {@link MiniLmRanker},
 * {@code "none"} for none, {@code "consensus"}, {@code "judge:NAME"} with an LLM of {@code llms}, {@code "combined:FILE"}, or an
 * export directory: every name {@link RankerNames} accepts), {@code fuser} {@code "none"} ({@code "llm:NAME"} fuses with
 * one of the LLMs, or a GenFuser directory), {@code top_k} 3, {@code timeout_s} 60 per upstream
 * call, {@code encoder} {@code "minilm"}. Without {@code ensembles}: {@code blend} over every LLM,
 * and with a {@code router} also {@code route} and {@code adaptive} (at {@code threshold}, default
 * 0.5; or give {@code share} instead, the share of the router's training queries to route, which the router's
 * {@link ZooterRouter#thresholdForShare} turns into the threshold when it is loaded; an adaptive ensemble takes
 * either too, else the top-level one). {@code mode} is accepted for compatibility with blend configs and not used: every mode is
 * served as its own ensemble. The {@code server} section's defaults are those of
 * {@link BlenderServer.Builder} and {@link ServerLimits}. Keys given by {@code env} are read when
 * the file is read. Relative directories are resolved against the working directory.
 */
public final class ServerConfig {

    private static final Set<String> ROOT = Set.of(
            "llms",
            "ranker",
            "fuser",
            "top_k",
            "mode",
            "router",
            "threshold",
            "share",
            "timeout_s",
            "encoder",
            "ensembles",
            "server");
    private static final Set<String> LLM = Set.of("name", "base_url", "model", "api_key_env");
    private static final Set<String> ENSEMBLE = Set.of("name", "mode", "llms", "top_k", "threshold", "share");
    private static final Set<String> SERVER = Set.of(
            "host", "port", "keys", "limits", "log_prompts", "max_threads", "cors_origins", "tls", "shutdown_grace_s");
    private static final Set<String> TLS = Set.of("keystore", "password_env");
    private static final Set<String> KEY = Set.of("name", "sha256", "env", "models");
    private static final Set<String> LIMITS = Set.of(
            "max_body_bytes",
            "max_messages",
            "max_text_chars",
            "max_concurrent_per_key",
            "request_deadline_s",
            "idle_timeout_s",
            "keep_alive_s",
            "max_requests_per_minute");

    /** One upstream LLM of the file. */
    record Upstream(String name, String baseUrl, String model, String apiKeyEnv) {}

    private final String source;
    private final List<Upstream> llms;
    private final String ranker;
    private final String fuser;
    private final int topK;
    private final String router;
    private final String encoder;
    private final double threshold;
    /** The top-level share of the router's training queries to route, or null when a threshold is given. */
    private final Double share;
    /** Per ensemble name, the share its threshold is made from once the router is loaded. */
    private final Map<String, Double> ensembleShares;

    private final Duration timeout;
    private final List<Ensemble> ensembles;
    private final String host;
    private final int port;
    private final List<ApiKey> keys;
    private final ServerLimits limits;
    private final boolean logPrompts;
    private final int maxThreads;
    private final Duration shutdownGrace;
    private final List<String> corsOrigins;
    private final Path keystore;
    private final String keystorePassword;

    private ServerConfig(Reader r) {
        this.source = r.source;
        this.llms = List.copyOf(r.llms);
        this.ranker = r.ranker;
        this.fuser = r.fuser;
        this.topK = r.topK;
        this.router = r.router;
        this.encoder = r.encoder;
        this.threshold = r.threshold;
        this.share = r.share;
        this.ensembleShares = Map.copyOf(r.ensembleShares);
        this.timeout = r.timeout;
        this.ensembles = List.copyOf(r.ensembles);
        this.host = r.host;
        this.port = r.port;
        this.keys = List.copyOf(r.keys);
        this.limits = r.limits.build();
        this.logPrompts = r.logPrompts;
        this.maxThreads = r.maxThreads;
        this.shutdownGrace = r.shutdownGrace;
        this.corsOrigins = List.copyOf(r.cors);
        this.keystore = r.keystore;
        this.keystorePassword = r.keystorePassword;
    }

    private ServerConfig(ServerConfig c, String ranker, String fuser, String host, Integer port) {
        this.source = c.source;
        this.llms = c.llms;
        this.ranker = ranker != null ? ranker : c.ranker;
        this.fuser = fuser != null ? fuser : c.fuser;
        this.topK = c.topK;
        this.router = c.router;
        this.encoder = c.encoder;
        this.threshold = c.threshold;
        this.share = c.share;
        this.ensembleShares = c.ensembleShares;
        this.timeout = c.timeout;
        this.ensembles = c.ensembles;
        this.host = host != null ? host : c.host;
        this.port = port != null ? port : c.port;
        this.keys = c.keys;
        this.limits = c.limits;
        this.logPrompts = c.logPrompts;
        this.maxThreads = c.maxThreads;
        this.shutdownGrace = c.shutdownGrace;
        this.corsOrigins = c.corsOrigins;
        this.keystore = c.keystore;
        this.keystorePassword = c.keystorePassword;
    }

    /**
     * Reads a configuration file.
     *
     * @param file a JSON file
     * @return the configuration
     * @throws IllegalArgumentException if the file is missing, not JSON, or breaks a rule (the
     *     message names the file and the field)
     * @throws IllegalStateException if a key's environment variable is unset
     */
    public static ServerConfig read(Path file) {
        Require.nonNull(file, "file");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such config file " + file.toAbsolutePath(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses a configuration held in a string.
     *
     * @param json the JSON text
     * @param source what to call it in messages, e.g. the file name
     * @return the configuration
     * @throws IllegalArgumentException as {@link #read(Path)}
     */
    public static ServerConfig parse(String json, String source) {
        Require.nonNull(json, "json");
        Require.nonBlank(source, "source");
        JsonNode root;
        try {
            root = Json.readWhole(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not JSON: " + Json.problem(e), e);
        }
        Reader r = new Reader(source);
        r.read(root);
        return new ServerConfig(r);
    }

    /**
     * This configuration with another ranker (a command-line override).
     *
     * @param ranker any name {@link RankerNames} accepts
     * @return a new configuration
     */
    public ServerConfig withRanker(String ranker) {
        return new ServerConfig(this, Require.nonBlank(ranker, "ranker"), null, null, null);
    }

    /**
     * This configuration with another fuser.
     *
     * @param fuser {@code none}, {@code llm:NAME} or a directory
     * @return a new configuration
     */
    public ServerConfig withFuser(String fuser) {
        return new ServerConfig(this, null, Require.nonBlank(fuser, "fuser"), null, null);
    }

    /**
     * This configuration bound elsewhere.
     *
     * @param host the address, or null to keep
     * @param port the port, or null to keep
     * @return a new configuration
     */
    public ServerConfig withAddress(String host, Integer port) {
        return new ServerConfig(this, null, null, host, port);
    }

    /**
     * The ranker the file names.
     *
     * @return {@code default}, {@code none} or a directory
     */
    public String ranker() {
        return ranker;
    }

    /**
     * The fuser the file names.
     *
     * @return {@code none}, {@code llm:NAME} or a directory
     */
    public String fuser() {
        return fuser;
    }

    /**
     * The address to bind.
     *
     * @return the host
     */
    public String host() {
        return host;
    }

    /**
     * The port to bind.
     *
     * @return the port, 0 for any
     */
    public int port() {
        return port;
    }

    /**
     * The request limits.
     *
     * @return the limits
     */
    public ServerLimits limits() {
        return limits;
    }

    /**
     * Makes the upstream clients and loads the ranker, fuser and router this configuration names,
     * and hands them all to a new builder to close when the server stops. The caller may set more
     * on the builder before {@link BlenderServer.Builder#start()}.
     *
     * @return the builder, configured
     * @throws IllegalArgumentException if a directory is missing or {@code llm:NAME} names no LLM
     * @throws io.llmblender.core.error.ModelLoadException if a model fails to load
     */
    public BlenderServer.Builder toBuilder() {
        BlenderServer.Builder b = BlenderServer.builder();
        List<AutoCloseable> made = new ArrayList<>();
        try {
            List<LlmClient> clients = new ArrayList<>();
            for (Upstream u : llms) {
                OpenAiCompatibleClient.Builder cb = OpenAiCompatibleClient.builder()
                        .name(u.name())
                        .baseUrl(u.baseUrl())
                        .model(u.model())
                        .requestTimeout(timeout);
                if (u.apiKeyEnv() != null) {
                    cb.apiKeyFromEnv(u.apiKeyEnv());
                }
                OpenAiCompatibleClient c = cb.build();
                made.add(c);
                clients.add(c);
            }
            b.upstreams(clients)
                    .topK(topK)
                    .perClientTimeout(timeout)
                    .limits(limits)
                    .host(host)
                    .port(port)
                    .logPrompts(logPrompts)
                    .maxThreads(maxThreads);
            if (shutdownGrace != null) {
                b.shutdownGrace(shutdownGrace);
            }
            keys.forEach(b::apiKey);
            corsOrigins.forEach(b::corsOrigin);
            if (keystore != null) {
                b.tls(keystore, keystorePassword);
            }
            Map<String, LlmClient> byName = new LinkedHashMap<>();
            clients.forEach(c -> byName.put(c.name(), c));
            Ranker r = RankerNames.resolve(ranker, source + ": field 'ranker'", byName, made);
            if (r != null) {
                b.ranker(r);
            }
            if (fuser.startsWith("llm:")) {
                String name = fuser.substring(4);
                LlmClient by = clients.stream()
                        .filter(c -> c.name().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(
                                source + ": field 'fuser' names the LLM '" + name + "', which is not in 'llms'"));
                b.fuser(LlmFuser.builder(by).build());
            } else if (!fuser.equals("none")) {
                GenFuser g = GenFuser.load(directory(fuser, "fuser"));
                made.add(g);
                b.fuser(g);
            }
            if (router != null) {
                QueryEncoder enc = encoder.equals("minilm")
                        ? MiniLmEncoder.load()
                        : TorchScriptEncoder.load(directory(encoder, "encoder"));
                made.add(enc);
                // the router's LLMs must be configured (the server checks); others may be served beside them
                ZooterRouter zr = ZooterRouter.load(directory(router, "router"), enc, null);
                made.add(zr);
                b.router(zr);
                b.adaptiveThreshold(share == null ? threshold : thresholdForShare(zr, share, "share"));
                for (int i = 0; i < ensembles.size(); i++) {
                    Ensemble e = ensembles.get(i);
                    Double es = ensembleShares.get(e.name());
                    b.ensemble(
                            es == null
                                    ? e
                                    : new Ensemble(
                                            e.name(),
                                            e.mode(),
                                            e.llms(),
                                            e.topK(),
                                            thresholdForShare(zr, es, "ensembles[" + i + "].share")));
                }
            } else {
                b.adaptiveThreshold(threshold);
                ensembles.forEach(b::ensemble);
            }
        } catch (RuntimeException e) {
            for (int i = made.size() - 1; i >= 0; i--) {
                try {
                    made.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        made.forEach(b::closing);
        return b;
    }

    /** The threshold that routes that share of the router's training queries, naming the field when it cannot. */
    private double thresholdForShare(ZooterRouter zr, double value, String field) {
        try {
            return zr.thresholdForShare(value).threshold();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(source + ": field '" + field + "' " + value + ": " + e.getMessage(), e);
        }
    }

    private Path directory(String value, String field) {
        Path p = Path.of(value);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(
                    source + ": field '" + field + "' names no directory: " + p.toAbsolutePath());
        }
        return p;
    }

    @Override
    public String toString() {
        return "ServerConfig[" + source + ", llms="
                + llms.stream().map(Upstream::name).toList() + ", ensembles="
                + ensembles.stream().map(Ensemble::name).toList() + ", " + host + ":" + port + ", " + keys.size()
                + " keys]";
    }

    /** Reads the tree into fields, naming the file and field in every refusal. Not thread-safe. */
    private static final class Reader {
        final String source;
        final List<Upstream> llms = new ArrayList<>();
        String ranker = "default";
        String fuser = "none";
        int topK = 3;
        String router;
        String encoder = "minilm";
        double threshold = 0.5;
        Double share;
        final Map<String, Double> ensembleShares = new LinkedHashMap<>();
        Duration timeout = Duration.ofSeconds(60);
        final List<Ensemble> ensembles = new ArrayList<>();
        String host = "127.0.0.1";
        int port = 8080;
        final List<ApiKey> keys = new ArrayList<>();
        final ServerLimits.Builder limits = ServerLimits.builder();
        boolean logPrompts;
        int maxThreads = 200;
        Duration shutdownGrace;
        final List<String> cors = new ArrayList<>();
        Path keystore;
        String keystorePassword;

        Reader(String source) {
            this.source = source;
        }

        IllegalArgumentException bad(String field, String what) {
            return new IllegalArgumentException(source + ": field '" + field + "' " + what);
        }

        void known(JsonNode o, String where, Set<String> fields) {
            if (!o.isObject()) {
                throw where.isEmpty()
                        ? new IllegalArgumentException(
                                source + ": must hold a JSON object, found " + ChatRequest.kind(o))
                        : bad(where, "must be an object, found " + ChatRequest.kind(o));
            }
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!fields.contains(f)) {
                    throw new IllegalArgumentException(
                            source + ": unknown field '" + (where.isEmpty() ? "" : where + ".") + f + "' (known: "
                                    + String.join(", ", new TreeSet<>(fields)) + ")");
                }
            }
        }

        void read(JsonNode root) {
            if (root == null) {
                throw new IllegalArgumentException(source + ": is empty");
            }
            known(root, "", ROOT);
            JsonNode l = root.get("llms");
            if (l == null || !l.isArray() || l.isEmpty()) {
                throw bad(
                        "llms",
                        "must be a non-empty array of {name, base_url, model, api_key_env}, found "
                                + (l == null ? "nothing" : ChatRequest.show(l)));
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < l.size(); i++) {
                String w = "llms[" + i + "]";
                JsonNode n = l.get(i);
                known(n, w, LLM);
                String url = text(n, w, "base_url", true);
                try {
                    OpenAiCompatibleClient.builder().baseUrl(url);
                } catch (IllegalArgumentException e) {
                    throw bad(
                            w + ".base_url",
                            "must be an absolute http or https URL such as http://localhost:11434/v1, found "
                                    + ChatRequest.show(url));
                }
                String model = text(n, w, "model", true);
                String name = text(n, w, "name", false);
                name = name == null ? model : name;
                if (name.codePoints().anyMatch(Character::isISOControl)) {
                    throw bad(
                            w + ".name",
                            "must not hold control characters (line breaks, tabs), found "
                                    + ChatRequest.show(com.fasterxml.jackson.databind.node.TextNode.valueOf(name)));
                }
                if (!names.add(name)) {
                    throw bad(w + ".name", "repeats the name '" + name + "'");
                }
                llms.add(new Upstream(name, url, model, text(n, w, "api_key_env", false)));
            }
            ranker = orDefault(text(root, "", "ranker", false), ranker);
            fuser = orDefault(text(root, "", "fuser", false), fuser);
            router = text(root, "", "router", false);
            encoder = orDefault(text(root, "", "encoder", false), encoder);
            if (root.has("top_k")) {
                topK = positiveInt(root, "", "top_k");
            }
            if (root.has("mode")) {
                mode(text(root, "", "mode", true), "mode");
            }
            if (root.has("threshold")) {
                threshold = unit(root.get("threshold"), "threshold");
            }
            if (root.has("share")) {
                if (root.has("threshold")) {
                    throw bad("share", "and 'threshold' both set the adaptive threshold: give one of them");
                }
                share = unit(root.get("share"), "share");
                if (router == null) {
                    throw bad("share", "is a share of the router's training queries and needs a 'router'");
                }
            }
            if (root.has("timeout_s")) {
                timeout = seconds(root, "", "timeout_s");
            }
            JsonNode e = root.get("ensembles");
            if (e != null) {
                if (!e.isArray()) {
                    throw bad("ensembles", "must be an array, found " + ChatRequest.kind(e));
                }
                Set<String> seen = new LinkedHashSet<>();
                for (int i = 0; i < e.size(); i++) {
                    String w = "ensembles[" + i + "]";
                    ensembles.add(ensemble(e.get(i), w, names, seen));
                }
            }
            JsonNode s = root.get("server");
            if (s != null) {
                server(s);
            }
        }

        Ensemble ensemble(JsonNode n, String w, Set<String> llmNames, Set<String> seen) {
            known(n, w, ENSEMBLE);
            String name = text(n, w, "name", true);
            if (!seen.add(name)) {
                throw bad(w + ".name", "repeats the ensemble name '" + name + "'");
            }
            if (llmNames.contains(name)) {
                throw bad(
                        w + ".name",
                        "is '" + name + "', the name of one of the llms: the ensemble would hide that LLM's"
                                + " pass-through; rename one of them");
            }
            BlendMode mode = n.has("mode") ? mode(text(n, w, "mode", true), w + ".mode") : BlendMode.BLEND;
            List<String> members = new ArrayList<>();
            JsonNode l = n.get("llms");
            if (l != null) {
                if (!l.isArray()) {
                    throw bad(w + ".llms", "must be an array of LLM names, found " + ChatRequest.kind(l));
                }
                for (int i = 0; i < l.size(); i++) {
                    JsonNode m = l.get(i);
                    if (!m.isTextual() || !llmNames.contains(m.asText())) {
                        throw bad(
                                w + ".llms[" + i + "]",
                                "must name one of the llms " + new TreeSet<>(llmNames) + ", found "
                                        + ChatRequest.show(m));
                    }
                    members.add(m.asText());
                }
            }
            int k = n.has("top_k") ? positiveInt(n, w, "top_k") : 0;
            double t = Double.NaN;
            if (n.has("share")) {
                if (n.has("threshold")) {
                    throw bad(w + ".share", "and 'threshold' both set the adaptive threshold: give one of them");
                }
                if (mode != BlendMode.ADAPTIVE) {
                    throw bad(w + ".share", "is used only in mode adaptive, found mode " + mode);
                }
                if (router == null) {
                    throw bad(w + ".share", "is a share of the router's training queries and needs a 'router'");
                }
                ensembleShares.put(name, unit(n.get("share"), w + ".share"));
                t = 0.5; // replaced by the share's threshold once the router is loaded
            } else if (n.has("threshold")) {
                t = unit(n.get("threshold"), w + ".threshold");
            } else if (mode == BlendMode.ADAPTIVE) {
                t = share != null ? 0.5 : threshold;
                if (share != null) {
                    ensembleShares.put(name, share);
                }
            }
            try {
                return new Ensemble(name, mode, members, k, t);
            } catch (IllegalArgumentException ex) {
                throw bad(w, "is invalid: " + ex.getMessage());
            }
        }

        void server(JsonNode s) {
            known(s, "server", SERVER);
            host = orDefault(text(s, "server", "host", false), host);
            if (s.has("port")) {
                JsonNode p = s.get("port");
                if (!p.canConvertToExactIntegral() || p.asLong() < 0 || p.asLong() > 65535) {
                    throw bad("server.port", "must be an integer in [0, 65535], found " + ChatRequest.show(p));
                }
                port = p.asInt();
            }
            if (s.has("log_prompts")) {
                JsonNode v = s.get("log_prompts");
                if (!v.isBoolean()) {
                    throw bad("server.log_prompts", "must be true or false, found " + ChatRequest.show(v));
                }
                logPrompts = v.asBoolean();
            }
            if (s.has("max_threads")) {
                maxThreads = positiveInt(s, "server", "max_threads");
                if (maxThreads < 8) {
                    throw bad("server.max_threads", "must be at least 8, found " + maxThreads);
                }
            }
            if (s.has("shutdown_grace_s")) {
                shutdownGrace = seconds(s, "server", "shutdown_grace_s");
            }
            JsonNode t = s.get("tls");
            if (t != null) {
                known(t, "server.tls", TLS);
                keystore = Path.of(text(t, "server.tls", "keystore", true));
                if (!Files.isRegularFile(keystore)) {
                    throw bad("server.tls.keystore", "names no file: " + keystore.toAbsolutePath());
                }
                String env = text(t, "server.tls", "password_env", true);
                keystorePassword = System.getenv(env);
                if (keystorePassword == null) {
                    throw bad("server.tls.password_env", "names the environment variable " + env + ", which is unset");
                }
            }
            JsonNode co = s.get("cors_origins");
            if (co != null) {
                if (!co.isArray()) {
                    throw bad("server.cors_origins", "must be an array of origins, found " + ChatRequest.kind(co));
                }
                for (int i = 0; i < co.size(); i++) {
                    JsonNode o = co.get(i);
                    if (!o.isTextual() || !o.asText().matches("https?://[^/\\s]+")) {
                        throw bad(
                                "server.cors_origins[" + i + "]",
                                "must be scheme://host[:port], found " + ChatRequest.show(o));
                    }
                    cors.add(o.asText());
                }
            }
            JsonNode k = s.get("keys");
            if (k != null) {
                if (!k.isArray()) {
                    throw bad("server.keys", "must be an array, found " + ChatRequest.kind(k));
                }
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < k.size(); i++) {
                    keys.add(key(k.get(i), "server.keys[" + i + "]", seen));
                }
            }
            JsonNode l = s.get("limits");
            if (l != null) {
                known(l, "server.limits", LIMITS);
                String w = "server.limits";
                for (Map.Entry<String, JsonNode> e : l.properties()) {
                    switch (e.getKey()) {
                        case "max_body_bytes" -> limits.maxBodyBytes(positiveInt(l, w, e.getKey()));
                        case "max_messages" -> limits.maxMessages(positiveInt(l, w, e.getKey()));
                        case "max_text_chars" -> limits.maxTextChars(positiveInt(l, w, e.getKey()));
                        case "max_concurrent_per_key" -> limits.maxConcurrentPerKey(positiveInt(l, w, e.getKey()));
                        case "max_requests_per_minute" -> limits.maxRequestsPerMinute(positiveInt(l, w, e.getKey()));
                        case "request_deadline_s" -> limits.requestDeadline(seconds(l, w, e.getKey()));
                        case "idle_timeout_s" -> limits.idleTimeout(seconds(l, w, e.getKey()));
                        case "keep_alive_s" -> limits.keepAlive(seconds(l, w, e.getKey()));
                        default -> throw new IllegalStateException(e.getKey());
                    }
                }
            }
        }

        ApiKey key(JsonNode n, String w, Set<String> seen) {
            known(n, w, KEY);
            String name = text(n, w, "name", true);
            if (!seen.add(name)) {
                throw bad(w + ".name", "repeats the key name '" + name + "'");
            }
            String sha = text(n, w, "sha256", false);
            String env = text(n, w, "env", false);
            if ((sha == null) == (env == null)) {
                throw bad(
                        w,
                        "must have exactly one of sha256 (the key's SHA-256 in hex) and env (a variable"
                                + " holding the key)");
            }
            ApiKey key;
            try {
                key = sha != null ? ApiKey.sha256(name, sha) : ApiKey.fromEnv(name, env);
            } catch (IllegalArgumentException | IllegalStateException ex) {
                throw bad(w, "is invalid: " + ex.getMessage());
            }
            JsonNode m = n.get("models");
            if (m != null) {
                if (!m.isArray()) {
                    throw bad(w + ".models", "must be an array of model names, found " + ChatRequest.kind(m));
                }
                Set<String> models = new LinkedHashSet<>();
                for (int i = 0; i < m.size(); i++) {
                    if (!m.get(i).isTextual() || m.get(i).asText().isBlank()) {
                        throw bad(
                                w + ".models[" + i + "]", "must be a model name, found " + ChatRequest.show(m.get(i)));
                    }
                    models.add(m.get(i).asText());
                }
                key = key.allowing(models);
            }
            return key;
        }

        BlendMode mode(String value, String field) {
            try {
                return BlendMode.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad(field, "must be blend, route or adaptive, found \"" + value + "\"");
            }
        }

        String text(JsonNode n, String where, String field, boolean required) {
            String path = where.isEmpty() ? field : where + "." + field;
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                if (required) {
                    throw bad(path, "is missing");
                }
                return null;
            }
            if (!v.isTextual() || v.asText().isBlank()) {
                throw bad(path, "must be a non-blank string, found " + ChatRequest.show(v));
            }
            return v.asText();
        }

        int positiveInt(JsonNode n, String where, String field) {
            String path = where.isEmpty() ? field : where + "." + field;
            JsonNode v = n.get(field);
            if (!v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 1) {
                throw bad(path, "must be a positive integer, found " + ChatRequest.show(v));
            }
            return v.asInt();
        }

        Duration seconds(JsonNode n, String where, String field) {
            String path = where.isEmpty() ? field : where + "." + field;
            JsonNode v = n.get(field);
            if (!v.isNumber() || !(v.asDouble() > 0) || v.asDouble() > 86_400) {
                throw bad(path, "must be a positive number of seconds (at most 86400), found " + ChatRequest.show(v));
            }
            return Duration.ofMillis(Math.max(1, Math.round(v.asDouble() * 1000)));
        }

        double unit(JsonNode v, String path) {
            if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) {
                throw bad(path, "must be a number in [0, 1], found " + ChatRequest.show(v));
            }
            return v.asDouble();
        }

        static String orDefault(String v, String d) {
            return v == null ? d : v;
        }
    }
}
