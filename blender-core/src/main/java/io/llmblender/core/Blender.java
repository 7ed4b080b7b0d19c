package io.llmblender.core;

import io.llmblender.core.check.Require;
import io.llmblender.core.error.BlenderException;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.Aggregation;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankers;
import io.llmblender.core.rank.Ranking;
import io.llmblender.core.rank.RankingCost;
import io.llmblender.core.rank.Rankings;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.core.route.Router;
import io.llmblender.core.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blends several LLMs into one answer, as LLM-Blender does: ask every client in parallel, rank
 * the answers with a pairwise ranker, and fuse the top K into one.
 *
 * <pre>{@code
 * try (Blender blender = Blender.builder()
 *         .client(llama)
 *         .client(mistral)
 *         .client(qwen)
 *         .ranker(ranker)          // optional: without it answers keep client order
 *         .fuser(fuser)            // optional: without it the best answer is returned
 *         .topK(2)
 *         .perClientTimeout(Duration.ofSeconds(30))
 *         .build()) {
 *     BlendResult result = blender.blend(Prompt.of("How do I treat a cold?"));
 *     result.answer();    // the fused answer, or the best one
 *     result.ranking();   // scores and ranks of every answer
 *     result.failures();  // clients that failed or timed out, and why
 * }
 * }</pre>
 *
 * <p><b>What a blend does.</b> {@link #blend(Prompt)} sends the prompt to every client at once
 * and waits for the answers until the per-client timeout or the overall deadline, whichever comes
 * first (the timeout counted from when the client was asked, the deadline from the start of the
 * blend; both measured on the builder's {@link Builder#ticker(Ticker) ticker}, real time by
 * default). A client that throws, answers {@code null} or is still running then is recorded in
 * {@link BlendResult#failures()} and its call is cancelled; the others go on. With no answer at
 * all the blend throws {@link NoAnswerException} listing every failure. With one answer there is
 * nothing to rank or fuse: it is the result. Otherwise the ranker (when configured) ranks the
 * answers against {@link Prompt#source()} with the configured {@link Aggregation}, and the fuser
 * (when configured) fuses the top K. A ranker or fuser that fails at run time (a
 * {@link BlenderException}) does not sink the blend either: the failure is recorded in
 * {@link BlendResult#rankingFailure()} or {@link BlendResult#fusionFailure()}, and the blend goes
 * on with the answers in client order, or answers with the best one. Misuse they signal (for
 * example {@link IllegalStateException} from a closed ranker) propagates. Ranking and fusion run
 * after the wait and are not bounded by the deadline.
 *
 * <p><b>Routing.</b> With a {@link Router} and {@link BlendMode#ROUTE} the router first reads
 * {@link Prompt#source()} and only its chosen client is asked; if that client fails, the next
 * most probable one is asked (each with its own timeout, all within the deadline), so one failing
 * LLM does not sink the blend. With {@link BlendMode#ADAPTIVE} the blend routes the same way when
 * the router's confidence reaches the threshold, and otherwise asks the {@code fanOut} most
 * probable clients and ranks and fuses their answers. A router that fails at run time is recorded
 * in {@link BlendResult#routingFailure()} and the blend asks every client. The result says which
 * branch was taken ({@link BlendResult#mode()}), the router's distribution
 * ({@link BlendResult#route()}) and the calls made ({@link BlendResult#called()}).
 *
 * <pre>{@code
 * Blender adaptive = Blender.builder()
 *         .clients(List.of(gpt4, mixtral, llama))
 *         .ranker(ranker).fuser(fuser)
 *         .router(router)                  // trained for "gpt4", "mixtral", "llama"
 *         .mode(BlendMode.ADAPTIVE)
 *         .confidenceThreshold(0.62)       // e.g. ConfidenceCalibration.forSingleCallShare(...)
 *         .build();
 * }</pre>
 *
 * <p><b>Thread-safety.</b> A Blender is immutable once built and safe to share: concurrent blends
 * run independently, as far as its clients, ranker, fuser and ticker are thread-safe (their SPIs
 * require it).
 *
 * <p><b>Ownership.</b> A Blender owns only the executor it creates when none is given; {@link #close()}
 * stops that executor (interrupting calls still running) and nothing else. Clients, ranker, fuser,
 * router and a caller's executor stay the caller's to close. {@code close()} is idempotent; a blend on a
 * closed Blender throws {@link IllegalStateException}.
 */
public final class Blender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Blender.class);
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    private static final String ROUTER = "router";
    private static final int DEFAULT_MAX_ANSWER_CHARS = 4_000_000;
    private static final int DEFAULT_TOP_K = 3;
    private static final Duration DEFAULT_PER_CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private final List<LlmClient> clients;
    private final Map<String, LlmClient> clientsByName;
    private final Router router;
    private final BlendMode mode;
    private final double confidenceThreshold;
    private final int fanOut;
    private final int maxAnswerChars;
    private final Ranker ranker;
    private final Fuser fuser;
    private final int topK;
    private final Aggregation aggregation;
    private final long seed;
    private final Duration perClientTimeout;
    private final Duration deadline;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final Clock clock;
    private final Ticker ticker;
    private final BlendListener listener;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Blender(Builder b) {
        this.clients = List.copyOf(b.clients.values());
        this.clientsByName = Map.copyOf(b.clients);
        this.router = b.router;
        this.mode = b.mode();
        this.confidenceThreshold = b.confidenceThreshold == null ? Double.NaN : b.confidenceThreshold;
        this.topK = b.topK != null ? b.topK : DEFAULT_TOP_K;
        this.fanOut = b.fanOut != null ? b.fanOut : Math.max(2, topK);
        this.maxAnswerChars = b.maxAnswerChars != null ? b.maxAnswerChars : DEFAULT_MAX_ANSWER_CHARS;
        this.ranker = b.ranker;
        this.fuser = b.fuser;
        this.aggregation = b.aggregation != null ? b.aggregation : Aggregation.MAX_LOGITS;
        this.seed = b.seed != null ? b.seed : 0L;
        this.perClientTimeout = b.perClientTimeout != null ? b.perClientTimeout : DEFAULT_PER_CLIENT_TIMEOUT;
        this.deadline = b.deadline;
        this.clock = b.clock != null ? b.clock : Clock.systemUTC();
        this.ticker = b.ticker != null ? b.ticker : Ticker.system();
        this.listener = b.listener;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newCachedThreadPool(daemonThreads("blender-" + POOL_IDS.incrementAndGet()));
            this.executor = ownedExecutor;
        }
    }

    /**
     * Starts configuring a Blender.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers a prompt with the clients the mode asks (all of them in {@code BLEND} mode). See the
     * class description for the stages.
     *
     * @param prompt what to ask, not null
     * @return the answers, failures, ranking, fusion and timings
     * @throws NoAnswerException if no client asked answered
     * @throws BlenderException if the calling thread is interrupted while waiting (its interrupt
     *     flag is set again)
     * @throws IllegalStateException if this Blender is closed
     */
    public BlendResult blend(Prompt prompt) {
        Require.nonNull(prompt, "prompt");
        requireOpen();
        BlendListener.Blend watch = BlendListener.Blend.NONE;
        if (listener != null) {
            try {
                BlendListener.Blend started = listener.started(prompt);
                watch = started == null ? BlendListener.Blend.NONE : new SafeBlend(started);
            } catch (RuntimeException e) {
                LOG.warn("blend listener failed, ignoring it: {}", e.toString());
            }
        }
        BlendResult result;
        try {
            result = blend(prompt, watch);
        } catch (RuntimeException e) {
            watch.ended(null, e);
            throw e;
        }
        watch.ended(result, null);
        return result;
    }

    private BlendResult blend(Prompt prompt, BlendListener.Blend watch) {
        Instant start = clock.instant();
        long startNanos = ticker.read();
        RouteDecision decision = null;
        ClientFailure routingFailure = null;
        if (router != null) {
            try {
                decision = router.route(prompt.source());
                if (decision == null || !Set.copyOf(decision.names()).equals(clientsByName.keySet())) {
                    throw new BlenderException("router returned "
                            + (decision == null
                                    ? "no decision"
                                    : "a decision over " + decision.names() + " instead of " + clientNames()));
                }
            } catch (BlenderException e) {
                decision = null;
                routingFailure =
                        ClientFailure.of(ROUTER, ClientFailure.Kind.ERROR, e, Duration.between(start, clock.instant()));
                LOG.warn("routing failed, asking every client: {}", routingFailure);
            }
        }
        Instant routed = clock.instant();

        List<ClientFailure> failures = new ArrayList<>();
        List<String> called = new ArrayList<>();
        BlendMode taken;
        List<Candidate> candidates;
        if (decision != null
                && (mode == BlendMode.ROUTE
                        || (mode == BlendMode.ADAPTIVE && decision.confidence() >= confidenceThreshold))) {
            taken = BlendMode.ROUTE;
            candidates = callRouted(prompt, decision, startNanos, failures, called, watch);
        } else {
            taken = BlendMode.BLEND;
            List<LlmClient> asked =
                    decision != null && mode == BlendMode.ADAPTIVE ? mostProbable(decision, fanOut) : clients;
            asked.forEach(c -> called.add(c.name()));
            candidates = collect(prompt, asked, startNanos, failures, watch);
        }
        if (candidates.isEmpty()) {
            throw new NoAnswerException(failures);
        }
        Instant generated = clock.instant();

        List<String> texts = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            texts.add(c.text());
        }
        Ranking ranking = null;
        String rankerName = null;
        ClientFailure rankingFailure = null;
        List<RankingCost> rankingCosts = java.util.Collections.synchronizedList(new ArrayList<>());
        if (candidates.size() == 1) {
            ranking = ranker == null ? null : Ranking.ofScores(0.0);
        } else if (ranker != null) {
            BlendListener.Step<Ranking> step = watch.ranking(ranker.name(), texts.size());
            try {
                ranking = Rankings.rank(
                        Rankers.reportingCosts(ranker, rankingCosts::add), prompt.source(), texts, aggregation, seed);
                rankerName = ranker.name();
                step.ended(ranking, null);
            } catch (RuntimeException e) {
                step.ended(null, e);
                if (!(e instanceof BlenderException)) {
                    throw e;
                }
                rankingFailure = ClientFailure.of(
                        ranker.name(), ClientFailure.Kind.ERROR, e, Duration.between(generated, clock.instant()));
                LOG.warn("ranking failed, keeping the answers in client order: {}", rankingFailure);
            }
        }
        Instant ranked = clock.instant();

        Fusion fusion = null;
        ClientFailure fusionFailure = null;
        if (fuser != null && candidates.size() > 1) {
            int k = Math.max(1, Math.min(topK, fuser.maxCandidates()));
            List<String> top = ranking != null ? ranking.topK(texts, k) : texts.subList(0, Math.min(k, texts.size()));
            BlendListener.Step<Fusion> step = watch.fusion(fuser.name(), top.size());
            try {
                fusion = fuser.fuse(prompt, List.copyOf(top));
                if (fusion == null) {
                    throw new BlenderException("fuser '" + fuser.name() + "' returned no fusion");
                }
                step.ended(fusion, null);
            } catch (RuntimeException e) {
                step.ended(null, e);
                if (!(e instanceof BlenderException)) {
                    throw e;
                }
                fusion = null;
                fusionFailure = ClientFailure.of(
                        fuser.name(), ClientFailure.Kind.ERROR, e, Duration.between(ranked, clock.instant()));
                LOG.warn("fusion failed, answering with the best candidate: {}", fusionFailure);
            }
        }
        Instant end = clock.instant();
        StageTimings timings = new StageTimings(
                Duration.between(start, routed),
                Duration.between(routed, generated),
                Duration.between(generated, ranked),
                Duration.between(ranked, end),
                Duration.between(start, end));
        return new BlendResult(
                prompt,
                candidates,
                ranking,
                rankerName,
                rankingFailure,
                rankingCosts,
                fusion,
                fusionFailure,
                failures,
                timings,
                new BlendResult.Routing(taken, decision, routingFailure, called));
    }

    /**
     * Asks the router's choice; when it fails, the next most probable client, and so on, each with
     * its own per-client timeout, until one answers or the blend's deadline has passed.
     */
    private List<Candidate> callRouted(
            Prompt prompt,
            RouteDecision decision,
            long startNanos,
            List<ClientFailure> failures,
            List<String> called,
            BlendListener.Blend watch) {
        for (String name : decision.topK(clients.size())) {
            if (!called.isEmpty() && deadline != null && ticker.read() - startNanos >= deadline.toNanos()) {
                break; // the chosen client is always asked; fallbacks only within the deadline
            }
            called.add(name);
            List<Candidate> answer = collect(prompt, List.of(clientsByName.get(name)), startNanos, failures, watch);
            if (!answer.isEmpty()) {
                return answer;
            }
        }
        return List.of();
    }

    /** The {@code k} most probable clients, in the order they were added to the Blender. */
    private List<LlmClient> mostProbable(RouteDecision decision, int k) {
        Set<String> top = Set.copyOf(decision.topK(k));
        List<LlmClient> out = new ArrayList<>();
        for (LlmClient c : clients) {
            if (top.contains(c.name())) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Asks the given clients at once and waits for each until its per-client timeout (counted from
     * now) or the blend's deadline (counted from {@code blendStartNanos}), whichever comes first.
     */
    private List<Candidate> collect(
            Prompt prompt,
            List<LlmClient> asked,
            long blendStartNanos,
            List<ClientFailure> failures,
            BlendListener.Blend watch) {
        Instant start = clock.instant();
        long startNanos = ticker.read();
        int n = asked.size();
        List<CompletableFuture<Generation>> futures = new ArrayList<>(n);
        List<CompletableFuture<Generation>> awaited = new ArrayList<>(n);
        AtomicReferenceArray<Instant> doneAt = new AtomicReferenceArray<>(n);
        for (int i = 0; i < n; i++) {
            LlmClient client = asked.get(i);
            BlendListener.Step<Generation> step = watch.call(client.name());
            CompletableFuture<Generation> future;
            try {
                future = client.generateAsync(prompt, executor);
                if (future == null) {
                    future = CompletableFuture.failedFuture(
                            new LlmCallException(client.name(), "generateAsync returned null"));
                }
            } catch (RuntimeException e) {
                future = CompletableFuture.failedFuture(e);
            }
            int index = i;
            // Records when this client answered and tells the listener; the blend waits for this dependent
            // future, so every call step has ended before ranking starts. Cancelling gives up the call itself.
            CompletableFuture<Generation> recorded = future.whenComplete((g, e) -> {
                doneAt.compareAndSet(index, null, clock.instant());
                step.ended(g, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            });
            futures.add(future);
            awaited.add(recorded);
        }

        long clientLimit = startNanos + perClientTimeout.toNanos();
        long deadlineLimit = deadline == null ? Long.MAX_VALUE : blendStartNanos + deadline.toNanos();
        boolean deadlineFirst = deadline != null && deadlineLimit - clientLimit < 0;
        long limitNanos = deadlineFirst ? deadlineLimit : clientLimit;
        List<Candidate> candidates = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = asked.get(i).name();
            CompletableFuture<Generation> future = futures.get(i);
            try {
                if (!ticker.awaitDone(future, limitNanos)) {
                    future.cancel(true);
                    String which =
                            deadlineFirst ? "the blend deadline " + deadline : "perClientTimeout " + perClientTimeout;
                    fail(
                            failures,
                            name,
                            deadlineFirst ? ClientFailure.Kind.DEADLINE : ClientFailure.Kind.TIMEOUT,
                            new TimeoutException("no answer within " + which),
                            Duration.between(start, clock.instant()));
                    continue;
                }
                awaitRecorded(awaited.get(i));
                Generation g = future.get(); // done, so this does not block
                Duration latency = Duration.between(start, doneAtOrNow(doneAt, i));
                if (g == null) {
                    fail(
                            failures,
                            name,
                            ClientFailure.Kind.ERROR,
                            new LlmCallException(name, "answered null"),
                            latency);
                } else if (g.text().length() > maxAnswerChars) {
                    fail(
                            failures,
                            name,
                            ClientFailure.Kind.ERROR,
                            new LlmCallException(
                                    name,
                                    "answered " + g.text().length() + " characters, more than maxAnswerChars "
                                            + maxAnswerChars),
                            latency);
                } else {
                    candidates.add(Candidate.of(name, g, latency.isNegative() ? Duration.ZERO : latency));
                }
            } catch (ExecutionException e) {
                fail(
                        failures,
                        name,
                        ClientFailure.Kind.ERROR,
                        e.getCause() == null ? e : e.getCause(),
                        Duration.between(start, doneAtOrNow(doneAt, i)));
            } catch (CancellationException e) {
                fail(failures, name, ClientFailure.Kind.ERROR, e, Duration.between(start, clock.instant()));
            } catch (InterruptedException e) {
                for (CompletableFuture<Generation> f : futures) {
                    f.cancel(true);
                }
                Thread.currentThread().interrupt();
                throw new BlenderException("interrupted while waiting for LLM clients", e);
            }
        }
        return candidates;
    }

    /**
     * Waits for the bookkeeping that runs right after a call completes (its time and the listener's step), so
     * that every call step has ended before ranking starts. Not bounded by the ticker: it runs no LLM code.
     */
    private static void awaitRecorded(CompletableFuture<Generation> recorded) throws InterruptedException {
        try {
            recorded.get();
        } catch (ExecutionException | CancellationException e) {
            // the call's own outcome is read from the call's future
        }
    }

    private Instant doneAtOrNow(AtomicReferenceArray<Instant> doneAt, int i) {
        Instant done = doneAt.get(i);
        return done != null ? done : clock.instant();
    }

    private static void fail(
            List<ClientFailure> failures, String name, ClientFailure.Kind kind, Throwable cause, Duration elapsed) {
        ClientFailure failure = ClientFailure.of(name, kind, cause, elapsed.isNegative() ? Duration.ZERO : elapsed);
        failures.add(failure);
        LOG.warn("LLM client failed, blending without it: {}", failure);
    }

    /**
     * The names of the clients, in the order they were added.
     *
     * @return an unmodifiable list
     */
    public List<String> clientNames() {
        List<String> names = new ArrayList<>(clients.size());
        for (LlmClient c : clients) {
            names.add(c.name());
        }
        return List.copyOf(names);
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Stops the executor this Blender created, if it created one: running calls are interrupted,
     * and the method waits up to 5 seconds for its threads to end. Closes nothing the caller
     * gave. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || ownedExecutor == null) {
            return;
        }
        ownedExecutor.shutdownNow();
        try {
            if (!ownedExecutor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("some LLM calls ignored interruption and were still running {} after close", SHUTDOWN_GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this Blender is closed");
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-client-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "Blender[" + mode + ", clients=" + clientNames() + ", ranker="
                + (ranker == null ? "none" : ranker.name()) + ", fuser=" + (fuser == null ? "none" : fuser.name())
                + ", topK=" + topK + ", " + aggregation + "]";
    }

    /** A listener's blend watch whose exceptions are logged and ignored, so it never changes a blend. */
    private static final class SafeBlend implements BlendListener.Blend {
        private final BlendListener.Blend delegate;

        SafeBlend(BlendListener.Blend delegate) {
            this.delegate = delegate;
        }

        @Override
        public BlendListener.Step<Generation> call(String client) {
            return safe(() -> delegate.call(client));
        }

        @Override
        public BlendListener.Step<Ranking> ranking(String ranker, int candidates) {
            return safe(() -> delegate.ranking(ranker, candidates));
        }

        @Override
        public BlendListener.Step<Fusion> fusion(String fuser, int candidates) {
            return safe(() -> delegate.fusion(fuser, candidates));
        }

        @Override
        public void ended(BlendResult result, RuntimeException error) {
            try {
                delegate.ended(result, error);
            } catch (RuntimeException e) {
                LOG.warn("blend listener failed, ignoring it: {}", e.toString());
            }
        }

        private static <T> BlendListener.Step<T> safe(java.util.function.Supplier<BlendListener.Step<T>> start) {
            BlendListener.Step<T> step;
            try {
                step = start.get();
            } catch (RuntimeException e) {
                LOG.warn("blend listener failed, ignoring it: {}", e.toString());
                return BlendListener.Step.none();
            }
            if (step == null) {
                return BlendListener.Step.none();
            }
            return (value, error) -> {
                try {
                    step.ended(value, error);
                } catch (RuntimeException e) {
                    LOG.warn("blend listener failed, ignoring it: {}", e.toString());
                }
            };
        }
    }

    /**
     * Configures a {@link Blender}. Setters validate at once and name the bad field and value;
     * {@link #build()} checks the rules that involve several fields. Not thread-safe.
     *
     * <p>Each setter may be called at most once; a second call throws {@link IllegalStateException}
     * naming the setting and both values (Caffeine style), so a later call can never silently undo
     * an earlier one. The value is validated first: an invalid value is refused with its own
     * exception even on a second call. {@link #client(LlmClient)} and {@link #clients(Collection)}
     * add clients and may be called many times (names must stay distinct).
     */
    public static final class Builder {

        private final Map<String, LlmClient> clients = new LinkedHashMap<>();
        private Ranker ranker;
        private Fuser fuser;
        private Integer topK;
        private Aggregation aggregation;
        private Long seed;
        private Duration perClientTimeout;
        private Duration deadline;
        private Executor executor;
        private Clock clock;
        private Ticker ticker;
        private Router router;
        private BlendMode mode;
        private Double confidenceThreshold;
        private Integer fanOut;
        private Integer maxAnswerChars;
        private BlendListener listener;

        private Builder() {}

        /**
         * Adds an LLM to ask. At least one is required; names must be distinct.
         *
         * @param client the client; not closed by the Blender
         * @return this builder
         * @throws IllegalArgumentException if the client's name is blank or already taken
         */
        public Builder client(LlmClient client) {
            Require.nonNull(client, "client");
            String name = Require.nonBlank(client.name(), "client name");
            if (clients.containsKey(name)) {
                throw new IllegalArgumentException(
                        "client names must be distinct, found " + Require.quote(name) + " twice");
            }
            clients.put(name, client);
            return this;
        }

        /**
         * Adds several LLMs, in iteration order; as {@link #client(LlmClient)} for each.
         *
         * @param clients the clients
         * @return this builder
         */
        public Builder clients(Collection<? extends LlmClient> clients) {
            Require.nonNull(clients, "clients");
            for (LlmClient c : clients) {
                client(c);
            }
            return this;
        }

        /**
         * The ranker. Default: none, and the answers keep client order.
         *
         * @param ranker the ranker; not closed by the Blender
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder ranker(Ranker ranker) {
            Require.nonNull(ranker, "ranker");
            Require.unset(this.ranker, "ranker", ranker, r -> Require.quote(r.name()));
            this.ranker = ranker;
            return this;
        }

        /**
         * The fuser. Default: none, and the best answer is the result.
         *
         * @param fuser the fuser; not closed by the Blender
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder fuser(Fuser fuser) {
            Require.nonNull(fuser, "fuser");
            Require.unset(this.fuser, "fuser", fuser, f -> Require.quote(f.name()));
            this.fuser = fuser;
            return this;
        }

        /**
         * How many of the best answers the fuser reads. Default: 3. When fewer answers arrive,
         * all of them are fused; never more than the fuser's {@code maxCandidates()}.
         *
         * @param topK at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code topK < 1}
         * @throws IllegalStateException if called a second time
         */
        public Builder topK(int topK) {
            Require.positive(topK, "topK");
            Require.unset(this.topK, "topK", topK);
            this.topK = topK;
            return this;
        }

        /**
         * How the ranker's pairwise logits become a ranking. Default: {@link Aggregation#MAX_LOGITS}.
         *
         * @param aggregation the aggregation
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder aggregation(Aggregation aggregation) {
            Require.nonNull(aggregation, "aggregation");
            Require.unset(this.aggregation, "aggregation", aggregation);
            this.aggregation = aggregation;
            return this;
        }

        /**
         * The seed of the permutation {@link Aggregation#BUBBLE} walks. Default: 0, so blends are
         * reproducible.
         *
         * @param seed any value
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder seed(long seed) {
            Require.unset(this.seed, "seed", seed);
            this.seed = seed;
            return this;
        }

        /**
         * How long to wait for each client, from when it was asked. Default: 60 seconds.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if called a second time
         */
        public Builder perClientTimeout(Duration timeout) {
            Require.positive(timeout, "perClientTimeout");
            Require.unset(this.perClientTimeout, "perClientTimeout", timeout);
            this.perClientTimeout = timeout;
            return this;
        }

        /**
         * How long a blend waits for answers in all, from its start; answers not in by then are
         * recorded as {@link ClientFailure.Kind#DEADLINE} failures. Default: none (only the
         * per-client timeout applies).
         *
         * @param deadline positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if called a second time
         */
        public Builder deadline(Duration deadline) {
            Require.positive(deadline, "deadline");
            Require.unset(this.deadline, "deadline", deadline);
            this.deadline = deadline;
            return this;
        }

        /**
         * Where client calls run. Default: a cached pool of daemon threads that the Blender owns and
         * stops on {@link Blender#close()}. A given executor is never shut down by the Blender.
         *
         * @param executor the executor
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder executor(Executor executor) {
            Require.nonNull(executor, "executor");
            Require.unset(this.executor, "executor", executor);
            this.executor = executor;
            return this;
        }

        /**
         * The clock that timestamps stages and latencies. Default: {@link Clock#systemUTC()}.
         * Timeouts and the deadline do not read it: they run on the {@link #ticker(Ticker) ticker}.
         *
         * @param clock the clock
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder clock(Clock clock) {
            Require.nonNull(clock, "clock");
            Require.unset(this.clock, "clock", clock);
            this.clock = clock;
            return this;
        }

        /**
         * The time that the per-client timeout and the deadline are measured and waited on. Default:
         * {@link Ticker#system()}, real time. A test gives a ticker it advances itself
         * (blender-testkit's {@code FakeTicker}), so that a client's timeout or the deadline fires when
         * the test moves the ticker past it and never because the machine was slow. Stage timings and
         * latencies come from the {@link #clock(Clock) clock}, not from this.
         *
         * @param ticker the ticker; must be safe to use from many threads
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder ticker(Ticker ticker) {
            Require.nonNull(ticker, "ticker");
            Require.unset(this.ticker, "ticker", ticker);
            this.ticker = ticker;
            return this;
        }

        /**
         * The router that predicts from the prompt which clients will answer best. It must have
         * been trained for exactly this Blender's client names (in any order). Required by
         * {@link BlendMode#ROUTE} and {@link BlendMode#ADAPTIVE}; in {@link BlendMode#BLEND} mode
         * its decision is only recorded in {@link BlendResult#route()}. Default: none.
         *
         * @param router the router; not closed by the Blender
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder router(Router router) {
            Require.nonNull(router, "router");
            Require.unset(this.router, "router", router);
            this.router = router;
            return this;
        }

        /**
         * How the Blender spends LLM calls; see {@link BlendMode}. Default: {@link BlendMode#BLEND}.
         *
         * @param mode the mode
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder mode(BlendMode mode) {
            Require.nonNull(mode, "mode");
            Require.unset(this.mode, "mode", mode);
            this.mode = mode;
            return this;
        }

        /**
         * In {@link BlendMode#ADAPTIVE} mode, the router confidence (its top probability) at or
         * above which only the chosen client is asked. Required by that mode and refused by the
         * others; pick it on validation queries with
         * {@link io.llmblender.core.route.ConfidenceCalibration}. 0 always routes; 1 routes only
         * certain decisions.
         *
         * @param threshold in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if out of range or not finite
         * @throws IllegalStateException if called a second time
         */
        public Builder confidenceThreshold(double threshold) {
            Require.finite(threshold, "confidenceThreshold");
            if (threshold < 0 || threshold > 1) {
                throw new IllegalArgumentException("confidenceThreshold must be in [0, 1], found " + threshold);
            }
            Require.unset(this.confidenceThreshold, "confidenceThreshold", threshold);
            this.confidenceThreshold = threshold;
            return this;
        }

        /**
         * In {@link BlendMode#ADAPTIVE} mode, how many clients to ask when the router is not
         * confident: the most probable ones, whose answers are then ranked and fused. Default: the
         * larger of 2 and {@link #topK(int)}; more than the number of clients means all of them.
         *
         * @param fanOut at least 2
         * @return this builder
         * @throws IllegalArgumentException if below 2
         * @throws IllegalStateException if called a second time
         */
        public Builder fanOut(int fanOut) {
            if (fanOut < 2) {
                throw new IllegalArgumentException("fanOut must be at least 2, found " + fanOut);
            }
            Require.unset(this.fanOut, "fanOut", fanOut);
            this.fanOut = fanOut;
            return this;
        }

        /**
         * The longest answer, in characters, a blend keeps; a longer one is recorded as the
         * client's failure ({@link ClientFailure.Kind#ERROR}) and left out, so one runaway LLM
         * cannot sink the ranking or the fusion. Default: 4,000,000, the limit of the bundled
         * PairRanker and GenFuser.
         *
         * @param maxAnswerChars at least 1
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if called a second time
         */
        public Builder maxAnswerChars(int maxAnswerChars) {
            Require.positive(maxAnswerChars, "maxAnswerChars");
            Require.unset(this.maxAnswerChars, "maxAnswerChars", maxAnswerChars);
            this.maxAnswerChars = maxAnswerChars;
            return this;
        }

        /**
         * What watches every blend: its LLM calls, ranking and fusion (for metrics and tracing; see
         * {@link BlendListener}). Default: none.
         *
         * @param listener the listener; thread-safe
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder listener(BlendListener listener) {
            Require.nonNull(listener, "listener");
            Require.unset(this.listener, "listener", listener);
            this.listener = listener;
            return this;
        }

        /**
         * Makes the Blender.
         *
         * @return a new Blender, to be closed by the caller
         * @throws IllegalStateException if no client was added; if the mode needs a router or a
         *     threshold that is missing, or a threshold is set for a mode that ignores it; if the
         *     router was trained for other LLM names than the clients'
         */
        public Blender build() {
            BlendMode mode = mode();
            if (clients.isEmpty()) {
                throw new IllegalStateException("a Blender needs at least one client, found none");
            }
            if (mode != BlendMode.BLEND && router == null) {
                throw new IllegalStateException("mode " + mode + " needs a router: set router(...)");
            }
            if (mode == BlendMode.ADAPTIVE && confidenceThreshold == null) {
                throw new IllegalStateException("mode ADAPTIVE needs confidenceThreshold(t): the router confidence at"
                        + " which to ask one client (ConfidenceCalibration picks it from validation queries)");
            }
            if (mode != BlendMode.ADAPTIVE && confidenceThreshold != null) {
                throw new IllegalStateException("confidenceThreshold is used only in mode ADAPTIVE, found mode " + mode
                        + " with confidenceThreshold " + confidenceThreshold);
            }
            if (mode != BlendMode.ADAPTIVE && fanOut != null) {
                throw new IllegalStateException(
                        "fanOut is used only in mode ADAPTIVE, found mode " + mode + " with fanOut " + fanOut);
            }
            if (router != null) {
                List<String> routed = Require.nonNull(router.llmNames(), "router.llmNames()");
                if (!Set.copyOf(routed).equals(clients.keySet()) || routed.size() != clients.size()) {
                    throw new IllegalStateException("the router was trained for the LLMs " + routed
                            + " but this Blender's clients are " + List.copyOf(clients.keySet())
                            + "; train a router for these clients or give the clients the router's names");
                }
            }
            return new Blender(this);
        }

        /** The mode set, or the default {@link BlendMode#BLEND}. */
        private BlendMode mode() {
            return mode != null ? mode : BlendMode.BLEND;
        }
    }
}
