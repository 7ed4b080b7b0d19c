package io.llmblender.server;

import io.llmblender.core.check.Require;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.route.Router;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves configured ensembles over OpenAI's chat-completions API, so that any OpenAI client
 * (SDKs, LangChain, IDE plugins, curl) can ask for {@code model: "blend"}, {@code "route"},
 * {@code "adaptive"} (or {@code "adaptive-0.62"}), any configured ensemble name, or an upstream by
 * its name (pass-through).
 *
 * <pre>{@code
 * try (BlenderServer server = BlenderServer.builder()
 *         .upstream(llama).upstream(mistral)      // LlmClients, e.g. OpenAiCompatibleClient
 *         .ranker(MiniLmRanker.load())            // the server does not close what it is given
 *         .port(0)                                // ephemeral; see port()
 *         .start()) {
 *     String baseUrl = server.baseUrl();         // http://127.0.0.1:PORT/v1
 * }
 * }</pre>
 *
 * <p><b>Endpoints.</b> {@code POST /v1/chat/completions} (whole or {@code stream: true} as
 * server-sent events ending in {@code data: [DONE]}), {@code GET /v1/models},
 * {@code GET /v1/models/{id}}, {@code GET /health}, {@code GET /ready}, {@code GET /metrics}
 * (Prometheus text). A whole answer carries the headers {@code x-blender-mode} ({@code blend},
 * {@code route} or {@code pass-through}), {@code x-blender-chosen} (the upstream ranked first or
 * routed to) and {@code x-blender-calls}; its {@code model} is what wrote the text (the fusing upstream of an LLM
 * fuser, a local fuser's name) and its {@code usage} the sum over every upstream call that reported one. A
 * request with {@code "blender": {"details": true}} also gets a {@code blender} object: ranking,
 * failures, route and timings. Routed and pass-through streams (and adaptive ones the router is
 * sure of) forward the upstream's tokens as they arrive; a blended stream sends SSE comments every {@link ServerLimits#keepAlive()} while
 * the answers arrive and are ranked, then the answer in one chunk. A blended stream's headers leave before the ranking
 * exists, so it has {@code x-blender-mode} only; every stream's chunk with the {@code finish_reason} carries a
 * {@code blender} object with {@code mode}, {@code chosen} and {@code calls} (and the details when asked).
 * {@code usage} counts every upstream call, an LLM fuser's included; a stream asks its upstreams for usage, and usage
 * no call reported is answered as absent ({@code null} in a stream's usage chunk), never as zeros; when only some
 * calls reported it, {@code usage.blender_unreported_calls} says how many did not. A streaming client that goes away
 * is seen at the next event or keep-alive, and its upstream calls are cancelled then; a client of a
 * whole answer that goes away is not seen by Jetty until the answer is written (HTTP/1.1 reads
 * nothing more while a request is answered), so its calls end at their timeout or the deadline.
 *
 * <p><b>Errors.</b> Every error a client can cause is a 4xx in OpenAI's error JSON
 * {@code {"error": {"message", "type", "param", "code"}}}; no upstream answering is 502, the
 * request deadline 504. No stack trace reaches a client.
 *
 * <p><b>Security.</b> Binds 127.0.0.1 unless told otherwise; binding any other address without
 * {@link ApiKey}s is refused at {@link Builder#start()}. With keys, every endpoint but
 * {@code /health} and {@code /ready} needs {@code Authorization: Bearer <key>}. Keys, header
 * values and prompt text are never logged (unless {@link Builder#logPrompts(boolean)}); each
 * request logs one line naming its path, model, key name, status and time. No CORS header is sent
 * unless {@link Builder#corsOrigin(String)} allows the request's origin.
 *
 * <p><b>Ownership and thread-safety.</b> The server never closes the clients, ranker, fuser or
 * router it was given; it closes what it was handed with {@link Builder#closing(AutoCloseable)}
 * (the parts {@link ServerConfig} loaded) after it stops. {@link #close()} stops accepting,
 * cancels what is in flight, and is idempotent. All methods are thread-safe.
 */
public final class BlenderServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BlenderServer.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Duration ANSWER_RESERVE = Duration.ofSeconds(10);

    private final Server jetty;
    private final ServerConnector connector;
    private final HttpFront front;
    private final Catalog catalog;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> owned;
    private final String host;
    private final boolean tls;
    private final Duration shutdownGrace;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean ready;

    private BlenderServer(Builder b) throws Exception {
        this.host = b.host;
        this.tls = b.keystore != null;
        this.shutdownGrace = b.shutdownGrace;
        this.owned = List.copyOf(b.owned);
        this.registry = b.registry != null ? b.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int id = IDS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "blender-server-" + id + "-work-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<Ensemble> ensembles = new ArrayList<>(b.ensembles);
        if (ensembles.isEmpty()) {
            ensembles.add(Ensemble.blend("blend", List.of()));
            if (b.router != null) {
                ensembles.add(Ensemble.route("route"));
                ensembles.add(Ensemble.adaptive("adaptive", b.adaptiveThreshold));
            }
        }
        Catalog c = null;
        try {
            if (b.perClientTimeout.compareTo(b.limits.requestDeadline()) >= 0) {
                LOG.warn(
                        "the upstream timeout {} s is not below the request deadline {} s: an upstream that hangs"
                                + " is cut by the deadline; ensembles wait for answers {} s, then answer with those"
                                + " that arrived",
                        b.perClientTimeout.toMillis() / 1000.0,
                        b.limits.requestDeadline().toMillis() / 1000.0,
                        answerWait(b.limits.requestDeadline()).toMillis() / 1000.0);
            }
            c = new Catalog(
                    b.upstreams,
                    ensembles,
                    b.ranker,
                    b.fuser,
                    b.router,
                    b.topK,
                    b.perClientTimeout,
                    answerWait(b.limits.requestDeadline()),
                    executor);
            ServerMetrics metrics = new ServerMetrics(registry);
            ChatCompletions completions = new ChatCompletions(c, executor, metrics, b.limits);
            KeyGate gate = new KeyGate(b.keys, b.limits.maxConcurrentPerKey(), b.limits.maxRequestsPerMinute());

            QueuedThreadPool pool = new QueuedThreadPool(b.maxThreads, Math.min(8, b.maxThreads));
            pool.setName("blender-server-" + id);
            this.jetty = new Server(pool);
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            http.setRequestHeaderSize(16 * 1024);
            if (b.keystore != null) {
                SslContextFactory.Server tls = new SslContextFactory.Server();
                tls.setKeyStorePath(b.keystore.toAbsolutePath().toString());
                tls.setKeyStorePassword(b.keystorePassword);
                http.addCustomizer(new SecureRequestCustomizer(false)); // no SNI host check: any name may reach it
                this.connector = new ServerConnector(
                        jetty, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
            } else {
                this.connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
            }
            connector.setHost(b.host);
            connector.setPort(b.port);
            connector.setIdleTimeout(b.limits.idleTimeout().toMillis());
            jetty.addConnector(connector);
            this.front = new HttpFront(
                    c,
                    completions,
                    gate,
                    b.limits,
                    metrics,
                    registry,
                    () -> ready,
                    () -> closed.get(),
                    b.logPrompts,
                    b.corsOrigins);
            jetty.setHandler(front);
            jetty.setErrorHandler(new JsonErrorHandler());
            jetty.setStopTimeout(0); // close() drains requests itself: Jetty's graceful stop waits on idle connections
            jetty.start();
            this.catalog = c;
        } catch (Exception e) {
            if (c != null) {
                c.close();
            }
            executor.shutdownNow();
            throw e;
        }
        ready = true;
        LOG.info(
                "blender server listening on {}://{}:{}/v1 with models {}{}",
                tls ? "https" : "http",
                host,
                connector.getLocalPort(),
                catalog.names(),
                b.keys.isEmpty() ? " (no API keys: loopback only)" : " (" + b.keys.size() + " API keys)");
    }

    /**
     * How long an ensemble waits for its upstreams' answers within a request deadline: the deadline less what ranking
     * and fusion get, a quarter of it and at most 10 seconds. At that point the answers that arrived are ranked and
     * answered with; the upstreams still running are cancelled and listed as failures of kind {@code deadline}.
     *
     * @param requestDeadline the request deadline, positive
     * @return the wait, positive
     */
    static Duration answerWait(Duration requestDeadline) {
        Duration reserve = requestDeadline.dividedBy(4);
        if (reserve.compareTo(ANSWER_RESERVE) > 0) {
            reserve = ANSWER_RESERVE;
        }
        Duration wait = requestDeadline.minus(reserve);
        return wait.isZero() || wait.isNegative() ? requestDeadline : wait;
    }

    /**
     * Starts configuring a server.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The port the server listens on: the configured one, or the one the system chose for port 0.
     *
     * @return the port
     */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * The address the server is bound to.
     *
     * @return the host as configured, e.g. {@code 127.0.0.1}
     */
    public String host() {
        return host;
    }

    /**
     * The base URL to give an OpenAI client: {@code http://HOST:PORT/v1} ({@code https} with TLS).
     *
     * @return the URL
     */
    public String baseUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "https://" : "http://") + ("0.0.0.0".equals(host) ? "127.0.0.1" : h) + ":" + port() + "/v1";
    }

    /**
     * The model names requests may give: ensembles first, then upstreams, in configuration order.
     *
     * @return an unmodifiable list
     */
    public List<String> models() {
        return catalog.names();
    }

    /**
     * The registry behind {@code /metrics}; callers may add their own meters.
     *
     * @return the registry
     */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * Stops the server gracefully: it stops accepting connections, {@code /ready} turns 503 and new requests on open
     * connections are answered 503 ({@code Connection: close}); requests in flight get up to the
     * {@link Builder#shutdownGrace(Duration) shutdown grace} (default 30 seconds) to finish and are answered in full;
     * then Jetty stops, upstream calls still running are cancelled (their requests end with a 503 or a closed
     * connection), and the parts handed over with {@link Builder#closing(AutoCloseable)} are closed in reverse
     * order. Blocks until done; {@code blender serve} calls it on SIGTERM and Ctrl-C. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ready = false;
        try {
            connector.close(); // no new connections; the open ones finish what they carry
        } catch (RuntimeException e) {
            LOG.warn("closing the listening socket failed: {}", e.toString());
        }
        long until = System.nanoTime() + shutdownGrace.toNanos();
        if (front.inFlight() > 0) {
            LOG.info(
                    "stopping: waiting up to {} s for {} requests in flight",
                    shutdownGrace.toSeconds(),
                    front.inFlight());
        }
        try {
            while (front.inFlight() > 0 && System.nanoTime() - until < 0) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (front.inFlight() > 0) {
            LOG.warn(
                    "stopping: {} requests still in flight after the shutdown grace of {} s are cancelled",
                    front.inFlight(),
                    shutdownGrace.toSeconds());
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("stopping Jetty failed: {}", e.toString());
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catalog.close();
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", owned.get(i).getClass().getSimpleName(), e.toString());
            }
        }
    }

    /**
     * Configures a {@link BlenderServer}. Setters validate at once and name the bad field and value;
     * {@link #start()} checks the rules across fields. Not thread-safe.
     */
    public static final class Builder {

        private final List<LlmClient> upstreams = new ArrayList<>();
        private final List<Ensemble> ensembles = new ArrayList<>();
        private final List<ApiKey> keys = new ArrayList<>();
        private final List<AutoCloseable> owned = new ArrayList<>();
        private final java.util.Set<String> corsOrigins = new java.util.LinkedHashSet<>();
        private Ranker ranker;
        private Fuser fuser;
        private Router router;
        private int topK = 3;
        private Duration perClientTimeout = Duration.ofSeconds(60);
        private double adaptiveThreshold = 0.5;
        private ServerLimits limits = ServerLimits.defaults();
        private String host = "127.0.0.1";
        private int port = 8080;
        private int maxThreads = 200;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private boolean logPrompts;
        private PrometheusMeterRegistry registry;
        private Path keystore;
        private String keystorePassword;

        private Builder() {}

        /**
         * Adds an upstream LLM. Its name is a model name for pass-through and what ensembles list.
         * An {@code OpenAiCompatibleClient} streams its tokens through; any other client answers a
         * stream in one chunk. At least one is required; names must be distinct.
         *
         * @param client the client; not closed by the server
         * @return this builder
         */
        public Builder upstream(LlmClient client) {
            upstreams.add(Require.nonNull(client, "upstream"));
            return this;
        }

        /**
         * Adds several upstreams, in order; as {@link #upstream(LlmClient)} for each.
         *
         * @param clients the clients
         * @return this builder
         */
        public Builder upstreams(Collection<? extends LlmClient> clients) {
            Require.nonNull(clients, "upstreams").forEach(this::upstream);
            return this;
        }

        /**
         * Adds an ensemble. Default, when none is added: {@code blend} over every upstream, and
         * with a router also {@code route} and {@code adaptive} (threshold
         * {@link #adaptiveThreshold(double)}).
         *
         * @param ensemble the ensemble
         * @return this builder
         */
        public Builder ensemble(Ensemble ensemble) {
            ensembles.add(Require.nonNull(ensemble, "ensemble"));
            return this;
        }

        /**
         * The ranker every ensemble uses. Default: none (answers keep upstream order).
         *
         * @param ranker the ranker; not closed by the server
         * @return this builder
         */
        public Builder ranker(Ranker ranker) {
            Require.unset(this.ranker, "ranker", ranker);
            this.ranker = Require.nonNull(ranker, "ranker");
            return this;
        }

        /**
         * The fuser every ensemble uses. Default: none (the best answer is returned).
         *
         * @param fuser the fuser; not closed by the server
         * @return this builder
         */
        public Builder fuser(Fuser fuser) {
            Require.unset(this.fuser, "fuser", fuser);
            this.fuser = Require.nonNull(fuser, "fuser");
            return this;
        }

        /**
         * The router of the route and adaptive ensembles: they ask the upstreams it was trained for, each of which
         * must be configured; more upstreams may be configured beside them (pass-through, blends). Default: none
         * (only blend ensembles and pass-through).
         *
         * @param router the router; not closed by the server
         * @return this builder
         */
        public Builder router(Router router) {
            Require.unset(this.router, "router", router);
            this.router = Require.nonNull(router, "router");
            return this;
        }

        /**
         * How many of the best answers a fuser reads, for ensembles that set none. Default: 3.
         *
         * @param topK at least 1
         * @return this builder
         */
        public Builder topK(int topK) {
            this.topK = Require.positive(topK, "topK");
            return this;
        }

        /**
         * How long each upstream call may take. Default: 60 seconds.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder perClientTimeout(Duration timeout) {
            this.perClientTimeout = Require.positive(timeout, "perClientTimeout");
            return this;
        }

        /**
         * The threshold of the default {@code adaptive} ensemble. Default: 0.5.
         *
         * @param threshold in [0, 1]
         * @return this builder
         */
        public Builder adaptiveThreshold(double threshold) {
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException("adaptiveThreshold must be in [0, 1], found " + threshold);
            }
            this.adaptiveThreshold = threshold;
            return this;
        }

        /**
         * Adds a caller key. Default: none, and only a loopback bind is allowed.
         *
         * @param key the key
         * @return this builder
         */
        public Builder apiKey(ApiKey key) {
            ApiKey k = Require.nonNull(key, "apiKey");
            for (ApiKey other : keys) {
                if (other.name().equals(k.name())) {
                    throw new IllegalArgumentException("key names must be distinct, found '" + k.name() + "' twice");
                }
            }
            keys.add(k);
            return this;
        }

        /**
         * The request limits. Default: {@link ServerLimits#defaults()}.
         *
         * @param limits the limits
         * @return this builder
         */
        public Builder limits(ServerLimits limits) {
            this.limits = Require.nonNull(limits, "limits");
            return this;
        }

        /**
         * The address to bind. Default: {@code 127.0.0.1}. Any address that is not loopback (e.g.
         * {@code 0.0.0.0}) needs at least one {@link #apiKey(ApiKey)}.
         *
         * @param host an IP address or host name
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Require.nonBlank(host, "host");
            return this;
        }

        /**
         * The port. Default: 8080; 0 lets the system choose (see {@link BlenderServer#port()}).
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], found " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The most Jetty threads, hence concurrent requests in all. Default: 200.
         *
         * @param maxThreads at least 8
         * @return this builder
         */
        public Builder maxThreads(int maxThreads) {
            if (maxThreads < 8) {
                throw new IllegalArgumentException("maxThreads must be at least 8, found " + maxThreads);
            }
            this.maxThreads = maxThreads;
            return this;
        }

        /**
         * How long {@link BlenderServer#close()} lets requests in flight finish once it stopped accepting new ones.
         * Default: 30 seconds (Kubernetes' default termination grace); keep it below what the process manager
         * waits between SIGTERM and SIGKILL.
         *
         * @param grace zero or positive; zero cancels requests in flight at once
         * @return this builder
         */
        public Builder shutdownGrace(Duration grace) {
            Require.nonNull(grace, "shutdownGrace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must not be negative, found " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /**
         * Whether to log each request's prompt text (at INFO). Default: false; switch it on only
         * where the logs may hold what users write.
         *
         * @param logPrompts true to log prompts
         * @return this builder
         */
        public Builder logPrompts(boolean logPrompts) {
            this.logPrompts = logPrompts;
            return this;
        }

        /**
         * Allows browser pages from an origin to call the server (CORS). Default: none, and no CORS
         * header is ever sent. Keys are still required when configured.
         *
         * @param origin e.g. {@code https://app.example.com}, exactly as browsers send it
         * @return this builder
         */
        public Builder corsOrigin(String origin) {
            String o = Require.nonBlank(origin, "corsOrigin");
            if (!o.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException(
                        "corsOrigin must be scheme://host[:port] with no path, found " + Require.quote(o));
            }
            corsOrigins.add(o);
            return this;
        }

        /**
         * Serves HTTPS with the key and certificate of a keystore (PKCS12 or JKS), through Jetty's
         * {@code SslContextFactory}. Default: plain HTTP, for loopback or behind a reverse proxy
         * that terminates TLS. The password is kept only in Jetty's factory, never logged.
         *
         * @param keystore the keystore file
         * @param password its password
         * @return this builder
         * @throws IllegalArgumentException if the file does not exist
         */
        public Builder tls(Path keystore, String password) {
            Require.nonNull(keystore, "keystore");
            Require.nonNull(password, "keystore password");
            if (!Files.isRegularFile(keystore)) {
                throw new IllegalArgumentException("keystore " + keystore.toAbsolutePath() + " does not exist");
            }
            this.keystore = keystore;
            this.keystorePassword = password;
            return this;
        }

        /**
         * The registry behind {@code /metrics}. Default: a new {@link PrometheusMeterRegistry}.
         *
         * @param registry the registry
         * @return this builder
         */
        public Builder meterRegistry(PrometheusMeterRegistry registry) {
            this.registry = Require.nonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * Hands a resource to the server, to be closed after it stops (or when it fails to start),
         * in reverse order of handing.
         *
         * @param resource what to close
         * @return this builder
         */
        public Builder closing(AutoCloseable resource) {
            owned.add(Require.nonNull(resource, "resource"));
            return this;
        }

        /**
         * Starts the server and returns once it listens.
         *
         * @return the running server, to be closed by the caller
         * @throws IllegalStateException if no upstream was added; if the bind address is not
         *     loopback and no key was given; if the address cannot be bound (naming it)
         * @throws IllegalArgumentException if an ensemble names an unknown upstream or needs a
         *     missing router, or names repeat (an ensemble may not have an upstream's name)
         */
        public BlenderServer start() {
            try {
                if (upstreams.isEmpty()) {
                    throw new IllegalStateException("a BlenderServer needs at least one upstream LLM, found none");
                }
                if (keys.isEmpty() && !isLoopback(host)) {
                    throw new IllegalStateException("refusing to bind " + host + " without API keys: anyone who can"
                            + " reach it could spend the upstreams' tokens; add keys or bind 127.0.0.1");
                }
                return new BlenderServer(this);
            } catch (IllegalStateException | IllegalArgumentException e) {
                closeOwned();
                throw e;
            } catch (Exception e) {
                closeOwned();
                throw new IllegalStateException("cannot start the server on " + host + ":" + port + ": " + e, e);
            }
        }

        private void closeOwned() {
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", owned.get(i).getClass().getSimpleName(), e.toString());
                }
            }
        }

        private static boolean isLoopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("host " + Require.quote(host) + " does not resolve", e);
            }
        }
    }
}
