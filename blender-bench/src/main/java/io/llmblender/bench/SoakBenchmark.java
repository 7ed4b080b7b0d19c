package io.llmblender.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.llm.Prompt;
import io.llmblender.eval.dataset.Gsm8kData;
import io.llmblender.eval.dataset.Gsm8kData.Question;
import io.llmblender.fuser.Decoding;
import io.llmblender.fuser.GenFuser;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.ranker.PairRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load and soak: many threads share one {@link Blender} (three OpenAI-compatible clients on a loopback HTTP server
 * that answers with real GSM8K answers, the bundled tiny PairRanker and GenFuser) for thousands of blends; then the
 * ranker alone and the fuser alone, shared the same way. For each phase: throughput, p50 / p99 latency, errors (any
 * exception, client failure, ranking or fusion failure: must be 0), and the process's resident memory sampled every
 * second, with its growth over the second half of the phase (a plateau: under 5%). Also the live threads before and
 * after, to catch leaks. Prints a table and writes {@code target/bench/soak.json}.
 *
 * <p>Run from the repository root (about ten minutes with the defaults on 2 cores):
 * <pre>
 * mvn -B -ntp -q install -DskipTests
 * OPT_OUT_TRACKING=true mvn -B -ntp -q -pl blender-bench exec:java@soak-bench
 * </pre>
 * {@code exec:java} runs in Maven's JVM; the resident memory is that JVM's. Options: {@code --threads} (16),
 * {@code --blends}, {@code --ranker-calls}, {@code --fuser-calls} (10,000 each), {@code --max-new-tokens} (16,
 * greedy), {@code --sample-ms} (1000), {@code --out}.
 */
@Command(
        name = "soak-bench",
        mixinStandardHelpOptions = true,
        description = "Soak a shared Blender, PairRanker and GenFuser from many threads; report throughput, latency,"
                + " errors and resident memory.")
public final class SoakBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--threads", defaultValue = "16", description = "Threads sharing each object (${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--blends", defaultValue = "10000", description = "Blends in the first phase (${DEFAULT-VALUE}).")
    int blends;

    @Option(names = "--ranker-calls", defaultValue = "10000", description = "PairRanker.rank calls (${DEFAULT-VALUE}).")
    int rankerCalls;

    @Option(names = "--fuser-calls", defaultValue = "10000", description = "GenFuser.fuse calls (${DEFAULT-VALUE}).")
    int fuserCalls;

    @Option(names = "--max-new-tokens", defaultValue = "16", description = "Fused tokens, greedy (${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--sample-ms", defaultValue = "1000", description = "Memory sampling period (${DEFAULT-VALUE}).")
    int sampleMs;

    @Option(names = "--out", description = "The JSON report (default target/bench/soak.json at the repository root).")
    Path out;

    private SoakBenchmark() {}

    /**
     * Runs the soak.
     *
     * @param args the options described in the class documentation
     */
    public static void main(String[] args) {
        int rc = new CommandLine(new SoakBenchmark()).execute(args);
        if (rc != 0) {
            System.exit(rc);
        }
    }

    @Override
    public Integer call() throws Exception {
        for (int v : new int[] {threads, blends, rankerCalls, fuserCalls, maxNewTokens, sampleMs}) {
            if (v < 1) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "every count must be at least 1, found " + v);
            }
        }
        Path root = BenchArgs.repositoryRoot();
        Path report = out != null ? out : root.resolve("target/bench/soak.json");
        List<Question> questions = Gsm8kData.load(null).subList(0, 300);
        ObjectNode json = JSON.createObjectNode();
        ObjectNode settings = json.putObject("settings");
        settings.put("threads", threads);
        settings.put("max_new_tokens", maxNewTokens);
        settings.put("decoding", "greedy");
        settings.put("cores", Runtime.getRuntime().availableProcessors());
        settings.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        settings.put("pytorch_threads", String.valueOf(System.getProperty("ai.djl.pytorch.num_threads")));
        ArrayNode phases = json.putArray("phases");
        int threadsBefore = liveThreads();
        try (LoopbackOpenAiServer llms = loopbackLlms(questions);
                PairRanker ranker = PairRanker.load(root.resolve("models/pairranker"));
                GenFuser fuser = GenFuser.builder(root.resolve("models/genfuser"))
                        .decoding(Decoding.greedy())
                        .maxNewTokens(maxNewTokens)
                        .build()) {
            try (OpenAiCompatibleClient a = client(llms, "llm-a");
                    OpenAiCompatibleClient b = client(llms, "llm-b");
                    OpenAiCompatibleClient c = client(llms, "llm-c");
                    Blender blender = Blender.builder()
                            .client(a)
                            .client(b)
                            .client(c)
                            .ranker(ranker)
                            .fuser(fuser)
                            .topK(2)
                            .perClientTimeout(Duration.ofSeconds(30))
                            .build()) {
                phases.add(phase("blender", blends, i -> {
                    BlendResult r = blender.blend(
                            Prompt.of(questions.get(i % questions.size()).prompt()));
                    return r.failures().isEmpty()
                            && r.rankingFailure().isEmpty()
                            && r.fusionFailure().isEmpty()
                            && r.fusion().isPresent();
                }));
            }
            phases.add(phase("ranker", rankerCalls, i -> {
                Question q = questions.get(i % questions.size());
                Question next = questions.get((i + 1) % questions.size());
                return ranker.rank(q.prompt(), List.of(q.answerA(), q.answerB(), next.answerA()))
                                .size()
                        == 3;
            }));
            phases.add(phase("fuser", fuserCalls, i -> {
                Question q = questions.get(i % questions.size());
                return fuser.fuse(Prompt.of(q.prompt()), List.of(q.answerA(), q.answerB()))
                                .finishReason()
                        != null;
            }));
        }
        System.gc();
        Thread.sleep(500);
        json.put("live_threads_before", threadsBefore);
        json.put("live_threads_after_close", liveThreads());
        ObjectNode groups = json.putObject("threads_after_close_by_name");
        java.util.Map<String, Integer> byName = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            byName.merge(t.getName().replaceAll("\\d+", "N"), 1, Integer::sum);
        }
        byName.forEach(groups::put);
        Files.createDirectories(report.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(report.toFile(), json);
        print(json);
        System.out.println("wrote " + report);
        return 0;
    }

    /** One unit of work: call {@code i}; true when it went as it should. */
    @FunctionalInterface
    private interface Work {
        boolean run(int i) throws Exception;
    }

    private ObjectNode phase(String name, int total, Work work) throws InterruptedException {
        System.out.printf(Locale.ROOT, "%s: %d calls on %d threads...%n", name, total, threads);
        long[] latencies = new long[total];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong done = new AtomicLong();
        List<String> firstErrors = new ArrayList<>();
        ArrayNode samples = JSON.createArrayNode();
        long start = System.nanoTime();
        Thread sampler = new Thread(
                () -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            sample(samples, start, done.get());
                            Thread.sleep(sampleMs);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "soak-sampler");
        sampler.setDaemon(true);
        sampler.start();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                int i;
                while ((i = next.getAndIncrement()) < total) {
                    long t0 = System.nanoTime();
                    boolean ok;
                    String problem = null;
                    try {
                        ok = work.run(i);
                    } catch (Exception | Error e) {
                        ok = false;
                        problem = e.toString();
                    }
                    latencies[i] = System.nanoTime() - t0;
                    done.incrementAndGet();
                    if (!ok) {
                        errors.incrementAndGet();
                        synchronized (firstErrors) {
                            if (firstErrors.size() < 5) {
                                firstErrors.add("call " + i + ": " + (problem == null ? "failure reported" : problem));
                            }
                        }
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(2, TimeUnit.HOURS)) {
            throw new IllegalStateException(name + " did not finish within 2 hours");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();
        sample(samples, start, done.get());

        ObjectNode o = JSON.createObjectNode();
        o.put("phase", name);
        o.put("calls", total);
        o.put("seconds", BenchStats.round(seconds, 1));
        o.put("calls_per_s", BenchStats.round(total / seconds, 1));
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        o.put("p50_ms", BenchStats.round(sorted[(int) Math.floor(0.50 * (total - 1))] / 1e6, 2));
        o.put("p99_ms", BenchStats.round(sorted[(int) Math.floor(0.99 * (total - 1))] / 1e6, 2));
        o.put("max_ms", BenchStats.round(sorted[total - 1] / 1e6, 2));
        o.put("errors", errors.get());
        ArrayNode e = o.putArray("first_errors");
        firstErrors.forEach(e::add);
        double mid = rssAt(samples, seconds / 2);
        double end = samples.get(samples.size() - 1).get("rss_mb").asDouble();
        o.put("rss_start_mb", samples.get(0).get("rss_mb").asDouble());
        o.put("rss_mid_mb", mid);
        o.put("rss_end_mb", end);
        o.put("rss_growth_second_half_pct", BenchStats.round(100 * (end - mid) / mid, 2));
        o.put("plateau", (end - mid) / mid < 0.05);
        o.set("samples", samples);
        return o;
    }

    private static void sample(ArrayNode samples, long start, long done) {
        ObjectNode s = samples.addObject();
        s.put("t_s", BenchStats.round((System.nanoTime() - start) / 1e9, 2));
        s.put("done", done);
        s.put("rss_mb", BenchStats.round(BenchStats.procStatusMb("VmRSS"), 1));
        s.put(
                "heap_used_mb",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20);
        s.put("threads", liveThreads());
    }

    private static double rssAt(ArrayNode samples, double seconds) {
        double best = samples.get(0).get("rss_mb").asDouble();
        for (var s : samples) {
            if (s.get("t_s").asDouble() <= seconds) {
                best = s.get("rss_mb").asDouble();
            }
        }
        return best;
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static void print(ObjectNode json) {
        System.out.printf(
                Locale.ROOT,
                "%-8s %7s %8s %8s %8s %8s %7s %9s %9s %9s %8s%n",
                "phase",
                "calls",
                "seconds",
                "calls/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "RSS start",
                "RSS mid",
                "RSS end",
                "growth");
        for (var p : json.get("phases")) {
            System.out.printf(
                    Locale.ROOT,
                    "%-8s %7d %8.1f %8.1f %8.2f %8.2f %7d %9.0f %9.0f %9.0f %7.2f%%%n",
                    p.get("phase").asText(),
                    p.get("calls").asInt(),
                    p.get("seconds").asDouble(),
                    p.get("calls_per_s").asDouble(),
                    p.get("p50_ms").asDouble(),
                    p.get("p99_ms").asDouble(),
                    p.get("errors").asInt(),
                    p.get("rss_start_mb").asDouble(),
                    p.get("rss_mid_mb").asDouble(),
                    p.get("rss_end_mb").asDouble(),
                    p.get("rss_growth_second_half_pct").asDouble());
        }
        System.out.printf(
                Locale.ROOT,
                "live threads: %d before, %d after closing everything: %s%n",
                json.get("live_threads_before").asInt(),
                json.get("live_threads_after_close").asInt(),
                json.get("threads_after_close_by_name"));
    }

    /**
     * The loopback LLMs: blender-testkit's OpenAI-compatible server, each model answering with a real GSM8K answer
     * chosen by the question, so the clients, the JSON and the sockets are exercised as in real use. Requests are not
     * recorded, so the server does not grow the heap being measured.
     */
    private static LoopbackOpenAiServer loopbackLlms(List<Question> questions) throws IOException {
        return new LoopbackOpenAiServer().recording(false).answering(request -> {
            JsonNode body;
            try {
                body = JSON.readTree(request.body());
            } catch (IOException e) {
                return LoopbackOpenAiServer.json(400, "{\"error\":{\"message\":\"not JSON\"}}");
            }
            String model = body.path("model").asText();
            String content = body.path("messages")
                    .path(body.path("messages").size() - 1)
                    .path("content")
                    .asText();
            int q = Math.floorMod(content.hashCode(), questions.size());
            String text = switch (model) {
                case "llm-a" -> questions.get(q).answerA();
                case "llm-b" -> questions.get(q).answerB();
                default -> questions.get((q + 1) % questions.size()).answerA();
            };
            return LoopbackOpenAiServer.json(200, LoopbackOpenAiServer.completionJson(model, text, "stop", 50, 100));
        });
    }

    private static OpenAiCompatibleClient client(LoopbackOpenAiServer llms, String model) {
        return OpenAiCompatibleClient.builder()
                .name(model)
                .model(model)
                .baseUrl(llms.baseUrl())
                .build();
    }
}
