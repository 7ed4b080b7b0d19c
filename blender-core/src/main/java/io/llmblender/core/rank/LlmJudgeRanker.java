package io.llmblender.core.rank;

import io.llmblender.core.check.Require;
import io.llmblender.core.error.InferenceException;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ranker that asks an LLM to judge the candidates: any {@link LlmClient} is the judge. Three modes
 * ({@link Mode}):
 *
 * <ul>
 *   <li>{@link Mode#PAIRWISE} (the default): for each requested pair the judge sees the question and two answers and
 *       answers {@code [[A]]}, {@code [[B]]} or {@code [[C]]} (tie), MT-Bench's format. A verdict is +1 (first answer
 *       better), -1 or 0. With both orders asked (the default, as PairRM's {@code [A,B]+[B,A]}) each unordered pair
 *       costs two calls and {@code M[i][j] = (v(i,j) - v(j,i)) / 2}, so a judge that always prefers the first slot
 *       scores 0 everywhere: its position bias cancels. With one order, {@code M[i][j] = v(i,j)} and
 *       {@code M[j][i] = -v(i,j)} from one call. Which pairs are asked is the caller's choice through
 *       {@link Rankings}: a full ranking asks every pair (N(N-1) calls with both orders), bubble best-of-n
 *       ({@link Aggregation#BUBBLE}) only the N-1 pairs around the current best (2(N-1) calls);
 *   <li>{@link Mode#GRADE}: one call per candidate rates it 1-10 ({@code [[rating]]}); {@code M[i][j] = g_i - g_j};
 *   <li>{@link Mode#LISTWISE}: one call ranks all N answers ({@code [[2]] > [[1]] > [[3]]}); a candidate at position p
 *       (0-based) scores {@code N - p}, unlisted ones 0; for small N.
 * </ul>
 *
 * <p><b>Budget.</b> {@link Builder#maxCalls(int)} bounds the judge calls of one {@link #score} (retries included; cache
 * hits are free); pairs or candidates left without a verdict count as ties (pairwise) or get the mean grade (grade),
 * and are recorded as failures. {@link Builder#concurrency(int)} calls run at once, each bounded by
 * {@link Builder#timeout(Duration)} and retried {@link Builder#retries(int)} times when it fails, times out or
 * answers something unparseable. Successful verdicts are kept in a bounded cache keyed by the texts (question and
 * answers, in slot order), so ranking the same answers again asks nothing.
 *
 * <p><b>Failures.</b> A failed or unparseable verdict never sinks a ranking: {@link #judge(PairQuery)} reports how
 * many calls failed and why ({@link Judgement#failures()}), and the pair counts as a tie. A judge that fails every
 * call of a query (no verdict at all) fails the query with an {@link InferenceException}, as any ranker failure.
 *
 * <p><b>Prompts.</b> Resources beside this class ({@code judge-pairwise.txt}, {@code judge-grade.txt},
 * {@code judge-listwise.txt}), each citing the source of its wording (paraphrased from MT-Bench's judge prompts,
 * lm-sys/FastChat, Apache-2.0); they ask the judge to judge in the language of the question. Placeholders are
 * substituted in one pass, so answer text holding {@code {answer_b}} is left alone.
 *
 * <p><b>Thread-safety and ownership.</b> Thread-safe. The judge client and a given executor are the caller's; when no
 * executor is given the ranker makes a daemon thread pool and shuts it down on {@link #close()}.
 *
 * <pre>{@code
 * try (LlmJudgeRanker judge = LlmJudgeRanker.builder(gpt).maxCalls(24).concurrency(4).build()) {
 *     Selection best = Rankings.bestOfN(judge, question, answers, 0L); // 2(N-1) calls
 * }
 * }</pre>
 */
public final class LlmJudgeRanker implements Ranker {

    /** How the judge is asked. */
    public enum Mode {
        /** One call per ordered pair asked; verdicts A, B or tie. The default. */
        PAIRWISE,
        /** One call per candidate; a 1-10 rating. */
        GRADE,
        /** One call for all candidates; a ranking. */
        LISTWISE
    }

    /**
     * What judging one query cost and gave. Immutable.
     *
     * @param matrix the pairwise matrix; every requested pair is computed
     * @param calls the judge calls made, retries included
     * @param cacheHits the verdicts taken from the cache
     * @param failedCalls the calls that failed, timed out or answered something unparseable
     * @param promptTokens prompt tokens the judge reported, summed (0 where it reported none)
     * @param completionTokens completion tokens the judge reported, summed
     * @param failures why each verdict that is missing is missing, e.g. {@code "(0, 1): timed out after PT1S"}
     */
    public record Judgement(
            PairwiseMatrix matrix,
            int calls,
            int cacheHits,
            int failedCalls,
            long promptTokens,
            long completionTokens,
            List<String> failures) {
        /**
         * Validates and copies.
         *
         * @param matrix see the class description
         * @param calls see the class description
         * @param cacheHits see the class description
         * @param failedCalls see the class description
         * @param promptTokens see the class description
         * @param completionTokens see the class description
         * @param failures see the class description
         */
        public Judgement {
            Require.nonNull(matrix, "matrix");
            failures = List.copyOf(failures);
        }
    }

    private static final Pattern PAIR_VERDICT = Pattern.compile("\\[\\[([ABC])\\]\\]");
    private static final Pattern RATING = Pattern.compile("\\[\\[\\s*(\\d+(?:\\.\\d+)?)\\s*\\]\\]");
    private static final Pattern RANKED = Pattern.compile("\\[\\[\\s*(\\d+)\\s*\\]\\]");
    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\{(question|answer_a|answer_b|answer|answers|count)\\}");

    private final LlmClient judge;
    private final Mode mode;
    private final boolean bothOrders;
    private final int maxCalls;
    private final int concurrency;
    private final Duration timeout;
    private final int retries;
    private final Executor executor;
    private final ExecutorService ownExecutor;
    private final Map<Key, Double> cache;
    private final int cacheSize;
    private final String[] template;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LlmJudgeRanker(Builder b) {
        this.judge = b.judge;
        this.mode = b.mode == null ? Mode.PAIRWISE : b.mode;
        this.bothOrders = b.bothOrders == null || b.bothOrders;
        this.maxCalls = b.maxCalls == null ? Integer.MAX_VALUE : b.maxCalls;
        this.concurrency = b.concurrency == null ? 4 : b.concurrency;
        this.timeout = b.timeout == null ? Duration.ofSeconds(60) : b.timeout;
        this.retries = b.retries == null ? 1 : b.retries;
        this.cacheSize = b.cacheSize == null ? 10_000 : b.cacheSize;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownExecutor = null;
        } else {
            this.ownExecutor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "blender-judge-" + judge.name());
                t.setDaemon(true);
                return t;
            });
            this.executor = ownExecutor;
        }
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Double> eldest) {
                return size() > cacheSize;
            }
        });
        this.template = template(mode);
        this.name = "judge(" + judge.name() + ", " + mode.name().toLowerCase(Locale.ROOT)
                + (mode == Mode.PAIRWISE && !bothOrders ? ", one order" : "") + ")";
    }

    /**
     * A builder for a judge; every setting has a default, stated on its setter.
     *
     * @param judge the LLM that judges, not null; not closed by the ranker
     * @return a new builder
     */
    public static Builder builder(LlmClient judge) {
        return new Builder(Require.nonNull(judge, "judge"));
    }

    /**
     * How many judge calls ranking N candidates costs with no cache hit, no retry and no budget: pairwise full
     * N(N-1) with both orders and N(N-1)/2 with one; pairwise bubble 2(N-1) and N-1; grade N; listwise 1.
     *
     * @param mode the mode
     * @param bothOrders whether pairwise asks both orders
     * @param bubble whether pairs are asked by bubble best-of-n instead of a full ranking
     * @param n the number of candidates, at least 1
     * @return the number of calls
     */
    public static int plannedCalls(Mode mode, boolean bothOrders, boolean bubble, int n) {
        Require.nonNull(mode, "mode");
        Require.positive(n, "n");
        return switch (mode) {
            case GRADE -> n;
            case LISTWISE -> 1;
            default -> {
                int unordered = bubble ? n - 1 : n * (n - 1) / 2;
                yield bothOrders ? 2 * unordered : unordered;
            }
        };
    }

    /**
     * {@code judge(NAME, pairwise)}, {@code judge(NAME, pairwise, one order)}, {@code judge(NAME, grade)} or
     * {@code judge(NAME, listwise)}.
     *
     * @return the name
     */
    @Override
    public String name() {
        return name;
    }

    /**
     * The matrix of {@link #judge(PairQuery)}.
     *
     * @param query the source, the candidates and the pairs to score
     * @return the matrix, every requested pair computed
     * @throws InferenceException if the judge gives no verdict at all for the query
     * @throws IllegalStateException if the ranker is closed
     */
    @Override
    public PairwiseMatrix score(PairQuery query) {
        return judge(query).matrix();
    }

    /**
     * Scores as {@link #score(PairQuery)} and reports the judge calls of this query as one {@link RankingCost} (named
     * after the judge client) when any call was made, also when the query then fails.
     *
     * @param query the source, the candidates and the pairs to score
     * @param costs receives the report
     * @return the matrix, every requested pair computed
     * @throws InferenceException if the judge gives no verdict at all for the query
     * @throws IllegalStateException if the ranker is closed
     */
    @Override
    public PairwiseMatrix score(PairQuery query, java.util.function.Consumer<RankingCost> costs) {
        Require.nonNull(costs, "costs");
        Run run = new Run();
        try {
            return judge(query, run).matrix();
        } finally {
            if (run.calls > 0) {
                costs.accept(new RankingCost(
                        judge.name(), run.calls, run.calls - run.reported, run.promptTokens, run.completionTokens));
            }
        }
    }

    /**
     * Judges one query, as the class comment describes, and reports what it cost.
     *
     * @param query the source, the candidates and the pairs to score
     * @return the judgement
     * @throws InferenceException if the judge gives no verdict at all for the query
     * @throws IllegalStateException if the ranker is closed
     */
    public Judgement judge(PairQuery query) {
        return judge(query, new Run());
    }

    private Judgement judge(PairQuery query, Run run) {
        if (closed.get()) {
            throw new IllegalStateException("ranker '" + name + "' is closed");
        }
        Require.nonNull(query, "query");
        PairwiseMatrix m;
        if (query.pairs().isEmpty()) {
            m = PairwiseMatrix.builder(query.size()).build();
        } else {
            m = switch (mode) {
                case GRADE -> grade(query, run);
                case LISTWISE -> listwise(query, run);
                default -> pairwise(query, run);
            };
        }
        return new Judgement(
                m, run.calls, run.cacheHits, run.failedCalls, run.promptTokens, run.completionTokens, run.failures);
    }

    // ---------------------------------------------------------------- modes

    private PairwiseMatrix pairwise(PairQuery q, Run run) {
        Set<CandidatePair> asks = new LinkedHashSet<>();
        for (CandidatePair p : q.pairs()) {
            if (bothOrders) {
                asks.add(p);
                asks.add(p.reversed());
            } else if (!asks.contains(p.reversed())) {
                asks.add(p);
            }
        }
        List<Ask> list = new ArrayList<>();
        for (CandidatePair p : asks) {
            Map<String, String> vars = Map.of(
                    "question", q.source(),
                    "answer_a", q.candidates().get(p.first()),
                    "answer_b", q.candidates().get(p.second()));
            list.add(new Ask(
                    "(" + p.first() + ", " + p.second() + ")",
                    new Key(Mode.PAIRWISE, q.source(), vars.get("answer_a"), vars.get("answer_b")),
                    vars,
                    LlmJudgeRanker::parsePair));
        }
        Map<String, Double> v = execute(list, run);
        PairwiseMatrix.Builder m = PairwiseMatrix.builder(q.size());
        for (CandidatePair p : q.pairs()) {
            Double ab = v.get(label(p));
            Double ba = v.get(label(p.reversed()));
            double logit;
            if (bothOrders) {
                logit = ab != null && ba != null ? (ab - ba) / 2 : ab != null ? ab : ba != null ? -ba : 0.0;
            } else {
                logit = ab != null ? ab : ba != null ? -ba : 0.0;
            }
            m.set(p, logit);
        }
        return m.build();
    }

    private PairwiseMatrix grade(PairQuery q, Run run) {
        Set<Integer> needed = new LinkedHashSet<>();
        for (CandidatePair p : q.pairs()) {
            needed.add(p.first());
            needed.add(p.second());
        }
        List<Ask> list = new ArrayList<>();
        for (int i : needed) {
            String answer = q.candidates().get(i);
            list.add(new Ask(
                    "candidate " + i,
                    new Key(Mode.GRADE, q.source(), answer, ""),
                    Map.of("question", q.source(), "answer", answer),
                    LlmJudgeRanker::parseGrade));
        }
        Map<String, Double> v = execute(list, run);
        double mean =
                v.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        PairwiseMatrix.Builder m = PairwiseMatrix.builder(q.size());
        for (CandidatePair p : q.pairs()) {
            double gi = v.getOrDefault("candidate " + p.first(), mean);
            double gj = v.getOrDefault("candidate " + p.second(), mean);
            m.set(p, gi - gj);
        }
        return m.build();
    }

    private PairwiseMatrix listwise(PairQuery q, Run run) {
        int n = q.size();
        StringBuilder answers = new StringBuilder();
        for (int i = 0; i < n; i++) {
            answers.append(i == 0 ? "" : "\n\n")
                    .append('[')
                    .append(i + 1)
                    .append("] ")
                    .append(q.candidates().get(i));
        }
        double[] scores = new double[n];
        // a ranking is no single number: the parser leaves it here (listwise verdicts are not cached)
        Map<String, int[]> orders = new HashMap<>();
        Ask ask = new Ask(
                "ranking",
                new Key(Mode.LISTWISE, q.source(), String.join("\u0000", q.candidates()), ""),
                Map.of("question", q.source(), "answers", answers.toString(), "count", Integer.toString(n)),
                text -> {
                    orders.put("ranking", parseList(text, n));
                    return 0.0;
                });
        execute(List.of(ask), run);
        int[] order = orders.get("ranking");
        for (int p = 0; p < order.length; p++) {
            scores[order[p]] = n - p;
        }
        return ConsensusRanker.fromScores(q, scores);
    }

    // ---------------------------------------------------------------- calls

    /** One verdict to obtain. */
    private record Ask(String label, Key key, Map<String, String> vars, Parser parser) {}

    /** The cache key: the mode and the texts in slot order. */
    private record Key(Mode mode, String source, String a, String b) {}

    @FunctionalInterface
    private interface Parser {
        /** The verdict, or throws IllegalArgumentException with the reason it cannot be read. */
        double parse(String text);
    }

    /** Counters of one query. */
    private static final class Run {
        int calls;
        int cacheHits;
        int failedCalls;
        int reported;
        long promptTokens;
        long completionTokens;
        final List<String> failures = new ArrayList<>();
    }

    private static String label(CandidatePair p) {
        return "(" + p.first() + ", " + p.second() + ")";
    }

    /** Obtains the verdicts: cache, then waves of at most {@code concurrency} calls, retries, the budget. */
    private Map<String, Double> execute(List<Ask> asks, Run run) {
        Map<String, Double> out = new HashMap<>();
        List<Ask> pending = new ArrayList<>();
        for (Ask a : asks) {
            Double hit = cacheSize > 0 && a.key().mode() != Mode.LISTWISE ? cache.get(a.key()) : null;
            if (hit != null) {
                out.put(a.label(), hit);
                run.cacheHits++;
            } else {
                pending.add(a);
            }
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        int attemptsMade = 0;
        for (int attempt = 0; attempt <= retries && !pending.isEmpty(); attempt++) {
            List<Ask> failed = new ArrayList<>();
            for (int from = 0; from < pending.size(); from += concurrency) {
                List<Ask> wave = pending.subList(from, Math.min(pending.size(), from + concurrency));
                List<CompletableFuture<Generation>> futures = new ArrayList<>();
                List<Ask> launched = new ArrayList<>();
                for (Ask a : wave) {
                    if (run.calls >= maxCalls) {
                        reasons.put(a.label(), "over the budget of " + maxCalls + " judge calls");
                        continue;
                    }
                    run.calls++;
                    attemptsMade++;
                    futures.add(judge.generateAsync(prompt(a.vars()), executor));
                    launched.add(a);
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                for (int k = 0; k < launched.size(); k++) {
                    Ask a = launched.get(k);
                    String reason = collect(futures.get(k), deadline, a, out, run);
                    if (reason != null) {
                        run.failedCalls++;
                        reasons.put(a.label(), reason);
                        failed.add(a);
                    } else {
                        reasons.remove(a.label());
                    }
                }
            }
            pending = failed;
        }
        for (Map.Entry<String, String> e : reasons.entrySet()) {
            run.failures.add(e.getKey() + ": " + e.getValue());
        }
        if (out.isEmpty() && !asks.isEmpty()) {
            throw new InferenceException("judge '" + judge.name() + "' gave no verdict for any of " + asks.size()
                    + " questions (" + attemptsMade + " calls): " + String.join("; ", run.failures));
        }
        return out;
    }

    /** Waits for one call and parses it; returns null on success, else the reason it failed. */
    private String collect(
            CompletableFuture<Generation> future, long deadline, Ask a, Map<String, Double> out, Run run) {
        Generation g;
        try {
            long left = Math.max(0, deadline - System.nanoTime());
            g = future.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return "timed out after " + timeout;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InferenceException("interrupted while waiting for judge '" + judge.name() + "'", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return "call failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        if (g == null) {
            return "call returned no generation";
        }
        if (g.usage().isPresent()) {
            TokenUsage u = g.usage().get();
            run.promptTokens += u.promptTokens();
            run.completionTokens += u.completionTokens();
            run.reported++;
        }
        double verdict;
        try {
            verdict = a.parser().parse(g.text());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        out.put(a.label(), verdict);
        if (cacheSize > 0 && a.key().mode() != Mode.LISTWISE) {
            cache.put(a.key(), verdict);
        }
        return null;
    }

    // ---------------------------------------------------------------- parsing

    static double parsePair(String text) {
        Matcher m = PAIR_VERDICT.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            throw new IllegalArgumentException("unparseable verdict (no [[A]], [[B]] or [[C]]): " + excerpt(text));
        }
        return switch (last) {
            case "A" -> 1.0;
            case "B" -> -1.0;
            default -> 0.0;
        };
    }

    static double parseGrade(String text) {
        Matcher m = RATING.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            throw new IllegalArgumentException("unparseable rating (no [[1-10]]): " + excerpt(text));
        }
        double r = Double.parseDouble(last);
        if (r < 1 || r > 10) {
            throw new IllegalArgumentException("rating out of 1-10: " + last);
        }
        return r;
    }

    static int[] parseList(String text, int n) {
        Matcher m = RANKED.matcher(text);
        List<Integer> all = new ArrayList<>();
        while (m.find()) {
            all.add(Integer.parseInt(m.group(1)));
        }
        // the ranking is the last run of n markers (the explanation may cite answers as [[k]] before it)
        List<Integer> tail = all.size() > n ? all.subList(all.size() - n, all.size()) : all;
        LinkedHashSet<Integer> seen = new LinkedHashSet<>();
        for (int k : tail) {
            if (k >= 1 && k <= n) {
                seen.add(k - 1);
            }
        }
        if (seen.isEmpty()) {
            throw new IllegalArgumentException(
                    "unparseable ranking (no [[k]] with k in 1-" + n + "): " + excerpt(text));
        }
        return seen.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String excerpt(String text) {
        String t = text.strip().replaceAll("\\s+", " ");
        return "'" + (t.length() > 80 ? t.substring(0, 80) + "..." : t) + "'";
    }

    // ---------------------------------------------------------------- prompts

    private Prompt prompt(Map<String, String> vars) {
        return Prompt.of(fill(template[1], vars)).withSystem(fill(template[0], vars));
    }

    private static String fill(String template, Map<String, String> vars) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(value == null ? m.group() : value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** The system and user templates of a mode, from its resource. */
    static String[] template(Mode mode) {
        String file = "judge-" + mode.name().toLowerCase(Locale.ROOT) + ".txt";
        try (InputStream in = LlmJudgeRanker.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("the judge prompt resource " + file + " is missing from the jar");
            }
            StringBuilder text = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                if (!line.startsWith("#")) {
                    text.append(line).append('\n');
                }
            }
            String s = text.toString();
            int sys = s.indexOf("[SYSTEM]\n");
            int user = s.indexOf("[USER]\n");
            return new String[] {
                s.substring(sys + "[SYSTEM]\n".length(), user).strip(),
                s.substring(user + "[USER]\n".length()).strip()
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the judge prompt " + file, e);
        }
    }

    /** Shuts down the thread pool this ranker made, if any; idempotent. The judge client stays open. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "LlmJudgeRanker[" + name + ", maxCalls=" + (maxCalls == Integer.MAX_VALUE ? "unbounded" : maxCalls)
                + ", concurrency=" + concurrency + ", timeout=" + timeout + ", retries=" + retries + "]";
    }

    /** Builds an {@link LlmJudgeRanker}. Not thread-safe; each setter may be called once. */
    public static final class Builder {
        private final LlmClient judge;
        private Mode mode;
        private Boolean bothOrders;
        private Integer maxCalls;
        private Integer concurrency;
        private Duration timeout;
        private Integer retries;
        private Integer cacheSize;
        private Executor executor;

        private Builder(LlmClient judge) {
            this.judge = judge;
        }

        /**
         * How the judge is asked. Default {@link Mode#PAIRWISE}.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder mode(Mode mode) {
            Require.nonNull(mode, "mode");
            Require.unset(this.mode, "mode", mode);
            this.mode = mode;
            return this;
        }

        /**
         * Whether pairwise asks both orders of each pair (cancelling position bias) or one. Default true.
         *
         * @param bothOrders true for both orders
         * @return this builder
         */
        public Builder bothOrders(boolean bothOrders) {
            Require.unset(this.bothOrders, "bothOrders", bothOrders);
            this.bothOrders = bothOrders;
            return this;
        }

        /**
         * The most judge calls per query, retries included. Default unbounded.
         *
         * @param maxCalls at least 1
         * @return this builder
         */
        public Builder maxCalls(int maxCalls) {
            Require.positive(maxCalls, "maxCalls");
            Require.unset(this.maxCalls, "maxCalls", maxCalls);
            this.maxCalls = maxCalls;
            return this;
        }

        /**
         * How many judge calls run at once. Default 4.
         *
         * @param concurrency at least 1
         * @return this builder
         */
        public Builder concurrency(int concurrency) {
            Require.positive(concurrency, "concurrency");
            Require.unset(this.concurrency, "concurrency", concurrency);
            this.concurrency = concurrency;
            return this;
        }

        /**
         * The longest one judge call may take; a call past it is cancelled and counts as failed. Default 60 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            Require.positive(timeout, "timeout");
            Require.unset(this.timeout, "timeout", timeout);
            this.timeout = timeout;
            return this;
        }

        /**
         * How many times a failed, timed-out or unparseable call is asked again. Default 1.
         *
         * @param retries zero or more
         * @return this builder
         */
        public Builder retries(int retries) {
            Require.nonNegative(retries, "retries");
            Require.unset(this.retries, "retries", retries);
            this.retries = retries;
            return this;
        }

        /**
         * The most verdicts kept in the cache (least recently used dropped first); 0 for none. Default 10,000.
         *
         * @param cacheSize zero or more
         * @return this builder
         */
        public Builder cacheSize(int cacheSize) {
            Require.nonNegative(cacheSize, "cacheSize");
            Require.unset(this.cacheSize, "cacheSize", cacheSize);
            this.cacheSize = cacheSize;
            return this;
        }

        /**
         * The executor judge calls run on; not shut down by the ranker. Default: a daemon thread pool the ranker
         * owns.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            Require.nonNull(executor, "executor");
            Require.unset(this.executor, "executor", executor);
            this.executor = executor;
            return this;
        }

        /**
         * Builds the judge.
         *
         * @return the ranker
         */
        public LlmJudgeRanker build() {
            return new LlmJudgeRanker(this);
        }
    }
}
