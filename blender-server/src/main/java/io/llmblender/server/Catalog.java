package io.llmblender.server;

import io.llmblender.core.BlendMode;
import io.llmblender.core.Blender;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.route.Router;
import io.llmblender.router.ZooterRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model names the server answers and what stands behind each: an {@link Ensemble} with its
 * {@link Blender}, or one upstream for pass-through. An ensemble may not have an upstream's name. An
 * {@code ADAPTIVE} ensemble also answers its name with a threshold suffix ({@code adaptive-0.62}), or
 * with a share of queries to route ({@code adaptive-share-0.5}: the threshold that routes that share of
 * the router's training queries, {@link ZooterRouter#thresholdForShare}; only a {@link ZooterRouter}
 * that keeps its training confidences can answer it, others get 400);
 * the Blenders for such thresholds are made on first use and kept (at most
 * {@value #MAX_THRESHOLDS}; beyond that, a request for a new threshold is 400). Each Blender stops waiting for
 * answers at {@code answerWait} after its start (see {@code BlenderServer.answerWait}) and ranks what
 * arrived. Thread-safe: built
 * once, then read; the threshold cache is concurrent.
 */
final class Catalog implements AutoCloseable {

    static final int MAX_THRESHOLDS = 64;
    private static final Pattern SUFFIX = Pattern.compile("(.+)-((?:0|1)(?:\\.\\d{1,4})?)");
    private static final Pattern SHARE_SUFFIX = Pattern.compile("(.+)-share-((?:0|1)(?:\\.\\d{1,4})?)");

    /** What a model name resolves to; {@code threshold} is the adaptive one in force (the name's suffix wins). */
    record Target(String name, Ensemble ensemble, Blender blender, LlmClient upstream, double threshold) {
        boolean isUpstream() {
            return upstream != null;
        }
    }

    private final Map<String, LlmClient> upstreams;
    private final List<LlmClient> orderedUpstreams;
    private final Map<String, Ensemble> ensembles;
    private final Map<String, Blender> blenders = new LinkedHashMap<>();
    private final Map<String, Blender> thresholds = new ConcurrentHashMap<>();
    private final Ranker ranker;
    private final Fuser fuser;
    private final Router router;
    private final int topK;
    private final Duration perClientTimeout;
    private final Duration answerWait;
    private final ExecutorService executor;

    Catalog(
            List<LlmClient> upstreamList,
            List<Ensemble> ensembles,
            Ranker ranker,
            Fuser fuser,
            Router router,
            int topK,
            Duration perClientTimeout,
            Duration answerWait,
            ExecutorService executor) {
        this.orderedUpstreams = List.copyOf(upstreamList);
        Map<String, LlmClient> byUpstream = new LinkedHashMap<>();
        for (LlmClient c : upstreamList) {
            if (c.name().codePoints().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("upstream names must not hold control characters (line breaks,"
                        + " tabs): they would split log lines and headers, found "
                        + ChatRequest.show(com.fasterxml.jackson.databind.node.TextNode.valueOf(c.name())));
            }
            if (byUpstream.put(c.name(), c) != null) {
                throw new IllegalArgumentException("upstream names must be distinct, found '" + c.name() + "' twice");
            }
        }
        this.upstreams = byUpstream;
        this.ranker = ranker;
        this.fuser = fuser;
        this.router = router;
        this.topK = topK;
        this.perClientTimeout = perClientTimeout;
        this.answerWait = answerWait;
        this.executor = executor;
        Map<String, Ensemble> byName = new LinkedHashMap<>();
        List<String> order = new ArrayList<>(byUpstream.keySet());
        for (Ensemble e : ensembles) {
            if (byName.put(e.name(), e) != null) {
                throw new IllegalArgumentException("ensemble names must be distinct, found '" + e.name() + "' twice");
            }
            if (byUpstream.containsKey(e.name())) {
                throw new IllegalArgumentException("the ensemble '" + e.name() + "' has the name of an upstream, whose"
                        + " pass-through it would hide; rename one of them");
            }
            for (String llm : e.llms()) {
                if (!byUpstream.containsKey(llm)) {
                    throw new IllegalArgumentException("ensemble '" + e.name() + "' names the upstream '" + llm
                            + "', which is not configured; the upstreams are " + order);
                }
            }
            if (e.mode() != BlendMode.BLEND && router == null) {
                throw new IllegalArgumentException("ensemble '" + e.name() + "' has mode "
                        + e.mode().name().toLowerCase(java.util.Locale.ROOT) + " and needs a router; configure one");
            }
        }
        this.ensembles = byName;
        try {
            for (Ensemble e : byName.values()) {
                blenders.put(e.name(), blender(e, e.threshold()));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Blender blender(Ensemble e, double threshold) {
        List<String> names;
        if (e.mode() != BlendMode.BLEND) {
            // a routed ensemble asks the router's LLMs: other upstreams may be served beside it (pass-through, blends)
            names = router.llmNames();
            for (String n : names) {
                if (!upstreams.containsKey(n)) {
                    throw new IllegalArgumentException("ensemble '" + e.name() + "': the router was trained for the"
                            + " LLMs " + names + ", but the upstream '" + n + "' is not configured; the upstreams are "
                            + List.copyOf(upstreams.keySet()));
                }
            }
            if (!e.llms().isEmpty() && !java.util.Set.copyOf(e.llms()).equals(java.util.Set.copyOf(names))) {
                throw new IllegalArgumentException("ensemble '" + e.name() + "': llms " + e.llms()
                        + " must be the LLMs the router was trained for, " + names + " (or left out)");
            }
        } else {
            names = e.llms().isEmpty() ? List.copyOf(upstreams.keySet()) : e.llms();
        }
        List<LlmClient> asked = names.stream()
                .map(upstreams::get)
                .<LlmClient>map(QuietUpstream::new)
                .toList();
        Blender.Builder b = Blender.builder()
                .mode(e.mode())
                .executor(executor)
                .perClientTimeout(perClientTimeout)
                .deadline(answerWait)
                .topK(e.topK() > 0 ? e.topK() : topK)
                .clients(asked);
        if (ranker != null) {
            b.ranker(ranker);
        }
        if (fuser != null) {
            b.fuser(fuser);
        }
        if (router != null && e.mode() != BlendMode.BLEND) {
            b.router(router);
        }
        if (e.mode() == BlendMode.ADAPTIVE) {
            b.confidenceThreshold(threshold);
        }
        return b.build();
    }

    /**
     * What a model name stands for.
     *
     * @throws ApiError 404 naming the model and listing the names, or 400 for an adaptive
     *     threshold out of range or past the cache's bound
     */
    Target resolve(String model) {
        return resolve(model, name -> true);
    }

    /**
     * What a model name stands for, for a caller who may see only some names: a 404 lists only those.
     *
     * @throws ApiError as {@link #resolve(String)}
     */
    Target resolve(String model, java.util.function.Predicate<String> visible) {
        Ensemble e = ensembles.get(model);
        if (e != null) {
            return new Target(model, e, blenders.get(model), null, e.threshold());
        }
        LlmClient upstream = upstreams.get(model);
        if (upstream != null) {
            return new Target(model, null, null, upstream, Double.NaN);
        }
        Matcher share = SHARE_SUFFIX.matcher(model);
        boolean byShare = share.matches()
                && ensembles.containsKey(share.group(1))
                && ensembles.get(share.group(1)).mode() == BlendMode.ADAPTIVE;
        Matcher m = byShare ? share : SUFFIX.matcher(model);
        if (m.matches()) {
            Ensemble base = ensembles.get(m.group(1));
            if (base != null && base.mode() == BlendMode.ADAPTIVE) {
                double t = Double.parseDouble(m.group(2));
                if (t > 1) {
                    throw ApiError.invalid(
                            "model",
                            "the " + (byShare ? "share" : "threshold") + " in model '" + model + "' must be in [0, 1]");
                }
                if (byShare) {
                    t = thresholdForShare(model, base.name(), t);
                }
                String key = base.name() + "-" + t;
                Blender b = thresholds.get(key);
                if (b == null) {
                    synchronized (thresholds) {
                        b = thresholds.get(key);
                        if (b == null) {
                            if (thresholds.size() >= MAX_THRESHOLDS) {
                                throw ApiError.invalid(
                                        "model",
                                        "the server already serves " + MAX_THRESHOLDS + " thresholds of '" + base.name()
                                                + "'; use one of them or the plain name");
                            }
                            b = blender(base, t);
                            thresholds.put(key, b);
                        }
                    }
                }
                return new Target(base.name(), base, b, null, t);
            }
        }
        throw ApiError.notFound(
                "model",
                "model_not_found",
                "the model " + ChatRequest.show(model) + " does not exist here; the models are "
                        + names().stream().filter(visible).toList());
    }

    /** The router's threshold that routes {@code share} of its training queries, or 400 naming the model. */
    private double thresholdForShare(String model, String base, double share) {
        if (!(router instanceof ZooterRouter z) || !z.hasTrainingConfidences()) {
            throw ApiError.invalid(
                    "model",
                    "model '" + model + "' asks for a share of queries, which needs a router that keeps its training"
                            + " queries' confidences (one trained by blender train-router since the confidence"
                            + " calibration); give a threshold instead, e.g. '" + base + "-0.6'");
        }
        return z.thresholdForShare(share).threshold();
    }

    /** Every name a request may give, ensembles first, in configuration order. */
    List<String> names() {
        List<String> names = new ArrayList<>(ensembles.keySet());
        for (LlmClient c : orderedUpstreams) {
            if (!ensembles.containsKey(c.name())) {
                names.add(c.name());
            }
        }
        return names;
    }

    /** How long a pass-through or blend waits for one upstream's answer: the upstreams' timeout. */
    Duration perClientTimeout() {
        return perClientTimeout;
    }

    Router router() {
        return router;
    }

    /** The upstream of a name the router gave. */
    LlmClient upstream(String name) {
        LlmClient c = upstreams.get(name);
        if (c == null) {
            throw new IllegalStateException("the router named '" + name + "', which is no upstream");
        }
        return c;
    }

    @Override
    public void close() {
        blenders.values().forEach(Blender::close);
        thresholds.values().forEach(Blender::close);
    }
}
