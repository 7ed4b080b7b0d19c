package io.llmblender.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.BlendMode;
import io.llmblender.core.Blender;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.core.route.Router;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.server.BlenderServer;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load on {@code blender-server} over loopback: closed-loop client threads post chat completions for a bounded time to
 * a server whose three upstreams answer at once (in-process clients, or with {@code --upstreams loopback} loopback
 * OpenAI-compatible servers through {@code OpenAiCompatibleClient}) and whose ranker is the shipped one
 * (or {@code --ranker DIR}); the {@code route} phase uses a fixed-distribution router (the server's cost, not a
 * router's). For each phase: requests per second, p50 / p99 latency and errors (any status but 200). Then the same
 * blends in-process through {@link Blender#blend} from the same number of threads, and the server's added p50 (its
 * {@code blend} p50 minus the direct one, and as a ratio). Prints a table and writes {@code target/bench/server.json}.
 *
 * <p>Run from the repository root (about a minute with the defaults); the classpath comes from the reactor, nothing
 * is installed:
 * <pre>
 * mvn -B -ntp -q -pl blender-bench -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Dai.djl.offline=true -cp blender-bench/target/classes:$(cat blender-bench/target/cp.txt) io.llmblender.bench.ServerBenchmark
 * </pre>
 * Options: {@code --threads} (4), {@code --seconds} per phase (15), {@code --warmup-seconds} (5), {@code --ranker}
 * ({@code default}), {@code --upstreams} ({@code function}), {@code --soak-seconds} (0; 600 for the 10-minute soak,
 * best with a fixed heap such as {@code -Xms512m -Xmx512m} so that resident memory measures leaks, not the heap
 * growing into its default maximum), {@code --out}. Also {@code exec:java@server-bench} after an install.
 */
@Command(
        name = "server-bench",
        mixinStandardHelpOptions = true,
        description = "Load blender-server over loopback: req/s, p50/p99 and errors for route and blend, and its"
                + " overhead over a direct Blender.blend.")
public final class ServerBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER_A = "Water boils at 100 degrees Celsius at sea level.";
    private static final String ANSWER_B = "At sea level, water boils at 100 °C (212 °F); higher up it boils lower.";
    private static final String ANSWER_C = "100 C.";
    private static final String QUESTION = "At what temperature does water boil?";

    @Option(names = "--threads", defaultValue = "4", description = "Client threads (${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--seconds", defaultValue = "15", description = "Measured seconds per phase (${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "5", description = "Warm-up per phase (${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--ranker", defaultValue = "default", description = "default (shipped) or a PairRanker directory.")
    String ranker;

    @Option(
            names = "--upstreams",
            defaultValue = "function",
            description = "function: in-process LlmClients that"
                    + " answer at once (the server's own cost); loopback: OpenAI-compatible HTTP servers on loopback, through"
                    + " OpenAiCompatibleClient (${DEFAULT-VALUE}).")
    String upstreams;

    @Option(
            names = "--soak-seconds",
            defaultValue = "0",
            description = "After the phases, post blends for this long"
                    + " with the process's resident memory sampled every 10 s (${DEFAULT-VALUE}: no soak).")
    int soakSeconds;

    @Option(names = "--out", description = "The JSON report (default target/bench/server.json at the repository root).")
    Path out;

    private ServerBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args the options described in the class documentation
     */
    public static void main(String[] args) {
        int rc = new CommandLine(new ServerBenchmark()).execute(args);
        System.exit(rc);
    }

    /** One bounded closed-loop phase: what each call does returns whether it succeeded. */
    @FunctionalInterface
    interface Call {
        boolean run() throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        for (int v : new int[] {threads, seconds}) {
            if (v < 1) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--threads and --seconds must be at least 1, found " + v);
            }
        }
        Path root = BenchArgs.repositoryRoot();
        Path report = out != null ? out : root.resolve("target/bench/server.json");
        ObjectNode json = JSON.createObjectNode();
        ObjectNode settings = json.putObject("settings");
        settings.put("threads", threads);
        settings.put("seconds_per_phase", seconds);
        settings.put("warmup_seconds", warmupSeconds);
        settings.put("cores", Runtime.getRuntime().availableProcessors());
        if (!upstreams.equals("function") && !upstreams.equals("loopback")) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--upstreams must be function or loopback, found " + upstreams);
        }
        settings.put(
                "upstreams",
                upstreams.equals("function")
                        ? "3 in-process LlmClients answering at once"
                        : "3 loopback OpenAI-compatible servers");
        ArrayNode phases = json.putArray("phases");
        List<String> names = List.of("llm-a", "llm-b", "llm-c");
        Router router = new Router() {
            @Override
            public List<String> llmNames() {
                return names;
            }

            @Override
            public RouteDecision route(String query) {
                return RouteDecision.of(names, new double[] {0.6, 0.3, 0.1});
            }
        };
        HttpClient http = HttpClient.newBuilder()
                .executor(Executors.newFixedThreadPool(threads))
                .build();
        try (LoopbackOpenAiServer a = upstream("llm-a", ANSWER_A);
                LoopbackOpenAiServer b = upstream("llm-b", ANSWER_B);
                LoopbackOpenAiServer c = upstream("llm-c", ANSWER_C);
                OpenAiCompatibleClient la = client("llm-a", a);
                OpenAiCompatibleClient lb = client("llm-b", b);
                OpenAiCompatibleClient lc = client("llm-c", c);
                PairRanker r = ranker.equals("default") ? MiniLmRanker.load() : PairRanker.load(Path.of(ranker))) {
            settings.put("ranker", r.name());
            boolean function = upstreams.equals("function");
            LlmClient ca = function ? LlmClient.of("llm-a", p -> Generation.of(ANSWER_A)) : la;
            LlmClient cb = function ? LlmClient.of("llm-b", p -> Generation.of(ANSWER_B)) : lb;
            LlmClient cc = function ? LlmClient.of("llm-c", p -> Generation.of(ANSWER_C)) : lc;
            try (BlenderServer server = BlenderServer.builder()
                            .upstream(ca)
                            .upstream(cb)
                            .upstream(cc)
                            .ranker(r)
                            .router(router)
                            .port(0)
                            .maxThreads(Math.max(16, threads * 4))
                            .start();
                    Blender direct = Blender.builder()
                            .client(ca)
                            .client(cb)
                            .client(cc)
                            .ranker((Ranker) r)
                            .build();
                    Blender routed = Blender.builder()
                            .client(ca)
                            .client(cb)
                            .client(cc)
                            .ranker((Ranker) r)
                            .router(router)
                            .mode(BlendMode.ROUTE)
                            .build()) {
                URI uri = URI.create(server.baseUrl() + "/chat/completions");
                for (String model : List.of("route", "blend")) {
                    Blender inProcess = model.equals("route") ? routed : direct;
                    phases.add(phase(
                            "direct " + model,
                            () -> inProcess
                                    .blend(Prompt.of(QUESTION))
                                    .failures()
                                    .isEmpty()));
                    HttpRequest request = HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":"
                                    + "[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"}]}"))
                            .build();
                    phases.add(phase(
                            "server " + model,
                            () -> http.send(request, HttpResponse.BodyHandlers.ofString())
                                            .statusCode()
                                    == 200));
                }
                if (soakSeconds > 0) {
                    json.set("soak", soak(http, uri));
                }
            }
        } finally {
            http.executor().ifPresent(e -> ((ExecutorService) e).shutdownNow());
        }
        ObjectNode overhead = json.putObject("server_overhead_p50");
        for (String mode : List.of("route", "blend")) {
            double server = p50(phases, "server " + mode);
            double direct = p50(phases, "direct " + mode);
            ObjectNode o = overhead.putObject(mode);
            o.put("added_ms", BenchStats.round(server - direct, 3));
            o.put("ratio", BenchStats.round(server / direct, 3));
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(report.toFile(), json);
        System.out.println(
                String.format(Locale.ROOT, "%-14s %9s %9s %9s %7s", "phase", "req/s", "p50 ms", "p99 ms", "errors"));
        phases.forEach(p -> System.out.println(String.format(
                Locale.ROOT,
                "%-14s %9.1f %9.3f %9.3f %7d",
                p.get("phase").asText(),
                p.get("requests_per_s").asDouble(),
                p.get("p50_ms").asDouble(),
                p.get("p99_ms").asDouble(),
                p.get("errors").asLong())));
        System.out.println("server overhead at p50: " + overhead);
        System.out.println("wrote " + report);
        return 0;
    }

    /**
     * Blends against the server for {@code --soak-seconds} while sampling VmRSS every 10 s: requests, errors, 5xx
     * answers, the samples, and the growth within the second half (its largest sample over its first, minus 1).
     */
    private ObjectNode soak(HttpClient http, URI uri) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"blend\",\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"}]}"))
                .build();
        AtomicLong fiveXx = new AtomicLong();
        List<Double> rss = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        // Runs until the sampler is shut down below; nothing awaits it.
        var unused = sampler.scheduleAtFixedRate(
                () -> rss.add(BenchStats.procStatusMb("VmRSS")), 0, 10, java.util.concurrent.TimeUnit.SECONDS);
        ObjectNode o = JSON.createObjectNode();
        o.put("seconds", soakSeconds);
        try {
            measure(
                    o,
                    () -> {
                        int status = http.send(request, HttpResponse.BodyHandlers.ofString())
                                .statusCode();
                        if (status >= 500) {
                            fiveXx.incrementAndGet();
                        }
                        return status == 200;
                    },
                    Duration.ofSeconds(soakSeconds));
        } finally {
            sampler.shutdownNow();
        }
        o.put("server_errors_5xx", fiveXx.get());
        List<Double> samples;
        synchronized (rss) {
            samples = new ArrayList<>(rss);
        }
        ArrayNode a = o.putArray("rss_mb_every_10s");
        samples.forEach(v -> a.add(BenchStats.round(v, 1)));
        List<Double> second = samples.subList(samples.size() / 2, samples.size());
        if (!second.isEmpty()) {
            double growth =
                    second.stream().mapToDouble(Double::doubleValue).max().orElse(0) / second.get(0) - 1;
            o.put("second_half_growth", BenchStats.round(growth, 4));
        }
        System.out.println("soak " + o);
        return o;
    }

    private static double p50(ArrayNode phases, String name) {
        for (var p : phases) {
            if (p.get("phase").asText().equals(name)) {
                return p.get("p50_ms").asDouble();
            }
        }
        throw new IllegalStateException("no phase " + name);
    }

    private ObjectNode phase(String name, Call call) throws Exception {
        run(call, Duration.ofSeconds(warmupSeconds), null, new AtomicLong());
        ObjectNode o = JSON.createObjectNode();
        o.put("phase", name);
        measure(o, call, Duration.ofSeconds(seconds));
        System.out.println(o);
        return o;
    }

    /** Runs the closed loop for {@code length} and puts requests, req/s, p50, p99 (ms) and errors into {@code o}. */
    private void measure(ObjectNode o, Call call, Duration length) throws Exception {
        List<long[]> perThread = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        long t0 = System.nanoTime();
        run(call, length, perThread, errors);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long[] all = perThread.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        o.put("requests", all.length);
        o.put("requests_per_s", BenchStats.round(all.length / elapsed, 1));
        o.put("p50_ms", BenchStats.round(percentile(all, 0.50) / 1e6, 3));
        o.put("p99_ms", BenchStats.round(percentile(all, 0.99) / 1e6, 3));
        o.put("errors", errors.get());
    }

    private void run(Call call, Duration length, List<long[]> latencies, AtomicLong errors) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long end = System.nanoTime() + length.toNanos();
        List<Future<long[]>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                long[] lat = new long[1024];
                int n = 0;
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    boolean ok;
                    try {
                        ok = call.run();
                    } catch (Exception e) {
                        ok = false;
                    }
                    long d = System.nanoTime() - s;
                    if (!ok) {
                        errors.incrementAndGet();
                    }
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = d;
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        for (Future<long[]> f : futures) {
            long[] l = f.get();
            if (latencies != null) {
                latencies.add(l);
            }
        }
        pool.shutdown();
    }

    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    private static LoopbackOpenAiServer upstream(String model, String answer) throws java.io.IOException {
        return new LoopbackOpenAiServer()
                .recording(false)
                .reply(LoopbackOpenAiServer.json(
                        200, LoopbackOpenAiServer.completionJson(model, answer, "stop", 12, 14)));
    }

    private static OpenAiCompatibleClient client(String name, LoopbackOpenAiServer s) {
        return OpenAiCompatibleClient.builder()
                .name(name)
                .baseUrl(s.baseUrl())
                .model(name)
                .maxAttempts(1)
                .requestTimeout(Duration.ofSeconds(30))
                .build();
    }
}
