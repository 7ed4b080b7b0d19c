package io.llmblender.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.BlendMode;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.Candidate;
import io.llmblender.core.ClientFailure;
import io.llmblender.core.error.JsonProblems;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.fuser.GenFuser;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.QueryEncoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code blender blend}: asks LLMs a prompt and blends their answers. LLMs are OpenAI-compatible endpoints given with
 * {@code --llm name=...,url=...,model=...[,key-env=VAR]} or in a JSON config file ({@code --config}); API keys are
 * read from the named environment variables and never printed. The answer goes to standard output (or the whole
 * result as JSON with {@code --json}); what happened (answers, ranking, failures, fusion, routing) goes to standard
 * error.
 *
 * <p>Config file (every field optional except {@code llms}; command-line options win):
 * <pre>{@code
 * {"llms": [{"name": "llama", "base_url": "http://localhost:11434/v1", "model": "llama3"},
 *           {"name": "gpt", "base_url": "https://api.openai.com/v1", "model": "gpt-4o-mini",
 *            "api_key_env": "OPENAI_API_KEY"}],
 *  "ranker": "models/pairrm", "fuser": "llm:gpt", "top_k": 3, "mode": "blend",
 *  "router": "routers/mine", "threshold": 0.7, "timeout_s": 60}
 * }</pre>
 */
@Command(
        name = "blend",
        mixinStandardHelpOptions = true,
        description = "Ask OpenAI-compatible LLMs a prompt, rank their answers and fuse the best (or route to one).")
final class BlendCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LLM_KEYS = Set.of("name", "url", "model", "key-env");
    private static final Set<String> CONFIG_FIELDS =
            Set.of("llms", "ranker", "fuser", "top_k", "mode", "router", "threshold", "timeout_s");
    private static final Set<String> CONFIG_LLM_FIELDS = Set.of("name", "base_url", "model", "api_key_env");

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "PROMPT", description = "The prompt (words are joined with spaces).")
    List<String> words = new ArrayList<>();

    @Option(names = "--input", paramLabel = "TEXT", description = "Input for the instruction (LLM-Blender's 'input').")
    String input = "";

    @Option(
            names = "--llm",
            paramLabel = "name=N,url=URL,model=M[,key-env=VAR]",
            description = "An OpenAI-compatible LLM; repeat for each. The key is read from the environment variable.")
    List<String> llms = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "A JSON config file with LLMs and settings.")
    Path config;

    @Option(
            names = "--ranker",
            paramLabel = "NAME|DIR",
            description = "default (consensus; the longer answer below three answers), minilm,"
                    + " consensus[:coverage|:token-f1|:rouge-l|:vote],"
                    + " judge:NAME (one of the --llm as judge), length, combined:FILE, none, an exported PairRanker"
                    + " directory, or test (the bundled random test model).")
    String ranker;

    @Option(
            names = "--fuser",
            paramLabel = "DIR|test|llm:NAME|none",
            description = "GenFuser export directory, 'test', 'llm:NAME' to fuse with one of the LLMs, or 'none'"
                    + " (default).")
    String fuser;

    @Option(names = "--top-k", paramLabel = "K", description = "How many of the best answers to fuse (default 3).")
    Integer topK;

    @Option(
            names = "--mode",
            paramLabel = "blend|route|adaptive",
            description = "blend: ask all (default); route: ask the router's choice; adaptive: route when sure.")
    BlendMode mode;

    @Option(names = "--router", paramLabel = "DIR", description = "A router directory made by train-router.")
    Path router;

    @Option(
            names = "--encoder",
            defaultValue = ModelOptions.MINILM,
            paramLabel = "minilm|DIR",
            description = "The router's query encoder (default: the bundled all-MiniLM-L6-v2).")
    String encoderOption;

    @Option(names = "--threshold", paramLabel = "P", description = "Adaptive mode's router confidence threshold.")
    Double threshold;

    @Option(
            names = "--share",
            paramLabel = "S",
            description = "Adaptive mode's threshold given as the share of queries to route, in [0, 1]: the threshold"
                    + " that routes share S of the router's training queries (instead of --threshold).")
    Double share;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Per-LLM timeout in seconds (default 60).")
    Double timeoutSeconds;

    @Option(names = "--json", description = "Print the whole result as JSON instead of the answer.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String prompt = String.join(" ", words).strip();
        if (prompt.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "give a prompt, e.g. blender blend --llm ... \"Name a colour.\"");
        }
        Settings s = settings();
        List<LlmClient> clients = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            for (LlmSpec llm : s.llms) {
                OpenAiCompatibleClient client = client(llm, s.timeout);
                clients.add(client);
                resources.add(client);
            }
            Blender.Builder builder = Blender.builder()
                    .clients(clients)
                    .topK(s.topK)
                    .perClientTimeout(s.timeout)
                    .mode(s.mode);
            Map<String, LlmClient> byName = new LinkedHashMap<>();
            clients.forEach(c -> byName.put(c.name(), c));
            List<AutoCloseable> rankers = new ArrayList<>();
            try {
                Ranker r = ModelOptions.rankerModel(s.ranker, "--ranker", byName, true, rankers);
                if (r != null) {
                    builder.ranker(r);
                }
            } finally {
                // closed before the clients (a judge ranker calls one), last made first
                for (AutoCloseable made : rankers) {
                    resources.add(0, made);
                }
            }
            Fuser f = fuser(s.fuser, clients, resources);
            if (f != null) {
                builder.fuser(f);
            }
            if (s.ranker.equals(ModelOptions.TEST) || s.fuser.equals(ModelOptions.TEST)) {
                err.println("note: " + ModelOptions.TEST_MODEL_NOTE);
            }
            if (share != null && !(share >= 0 && share <= 1)) {
                throw new ParameterException(spec.commandLine(), "--share must be in [0, 1], found " + share);
            }
            if (share != null && (s.threshold != null || s.router == null)) {
                throw new ParameterException(
                        spec.commandLine(),
                        s.threshold != null
                                ? "give --share or --threshold, not both"
                                : "--share needs a router (--router DIR or the config's router)");
            }
            if (s.router != null) {
                QueryEncoder encoder = ModelOptions.encoder(encoderOption, "--encoder");
                resources.add(encoder);
                ZooterRouter r = ZooterRouter.load(s.router, encoder, clientNames(clients));
                resources.add(0, r);
                builder.router(r);
                if (share != null) {
                    double t;
                    try {
                        t = r.thresholdForShare(share).threshold();
                    } catch (IllegalArgumentException | IllegalStateException e) {
                        throw new ParameterException(spec.commandLine(), "--share " + share + ": " + e.getMessage());
                    }
                    err.printf(
                            Locale.ROOT,
                            "--share %s: confidence threshold %.4f (routes that share of the router's training"
                                    + " queries)%n",
                            share,
                            t);
                    builder.confidenceThreshold(t);
                }
            }
            if (s.threshold != null) {
                builder.confidenceThreshold(s.threshold);
            }
            try (Blender blender = builder.build()) {
                BlendResult result = blender.blend(Prompt.of(prompt, input));
                if (json) {
                    out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(result)));
                } else {
                    out.println(result.answer());
                }
                report(err, result);
            }
        } finally {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    err.println("warning: closing " + r + " failed: " + e.getMessage());
                }
            }
        }
        out.flush();
        err.flush();
        return 0;
    }

    // ---------------------------------------------------------------- settings

    /** One LLM to ask. */
    record LlmSpec(String name, String url, String model, String keyEnv, String source) {}

    /** The settings after merging the config file and the options. */
    static final class Settings {
        List<LlmSpec> llms = new ArrayList<>();
        String ranker = ModelOptions.DEFAULT;
        String fuser = "none";
        int topK = 3;
        BlendMode mode = BlendMode.BLEND;
        Path router;
        Double threshold;
        Duration timeout = Duration.ofSeconds(60);
    }

    private Settings settings() throws IOException {
        Settings s = new Settings();
        if (config != null) {
            readConfig(config, s);
        }
        for (String llm : llms) {
            s.llms.add(parseLlm(llm));
        }
        if (s.llms.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "give at least one LLM with --llm name=N,url=URL,model=M[,key-env=VAR] or in --config FILE");
        }
        if (ranker != null) {
            s.ranker = ranker;
        }
        if (fuser != null) {
            s.fuser = fuser;
        }
        if (topK != null) {
            s.topK = topK;
        }
        if (mode != null) {
            s.mode = mode;
        }
        if (router != null) {
            s.router = router;
        }
        if (threshold != null) {
            s.threshold = threshold;
        }
        if (timeoutSeconds != null) {
            s.timeout = seconds(timeoutSeconds, "--timeout");
        }
        if (s.topK < 1) {
            throw new ParameterException(spec.commandLine(), "--top-k must be at least 1, found " + s.topK);
        }
        if (s.mode != BlendMode.BLEND && s.router == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--mode " + s.mode.name().toLowerCase(Locale.ROOT)
                            + " needs --router DIR (made by blender train-router)");
        }
        return s;
    }

    LlmSpec parseLlm(String value) {
        return parseLlm(spec.commandLine(), value);
    }

    /**
     * Parses one {@code --llm name=N,url=URL,model=M[,key-env=VAR]} value (also for demo's and fuse's {@code --llm}).
     *
     * @throws ParameterException naming the option and the bad part
     */
    static LlmSpec parseLlm(picocli.CommandLine commandLine, String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : value.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(
                        commandLine,
                        "--llm '" + value + "': each part must be key=value, found '" + part
                                + "' (keys: name, url, model, key-env)");
            }
            String key = part.substring(0, eq).strip();
            if (!LLM_KEYS.contains(key)) {
                throw new ParameterException(
                        commandLine,
                        "--llm '" + value + "': unknown key '" + key + "' (keys: name, url, model, key-env)");
            }
            fields.put(key, part.substring(eq + 1).strip());
        }
        for (String required : List.of("url", "model")) {
            if (fields.getOrDefault(required, "").isEmpty()) {
                throw new ParameterException(commandLine, "--llm '" + value + "': '" + required + "' is required");
            }
        }
        String urlProblem = urlProblem(fields.get("url"));
        if (urlProblem != null) {
            throw new ParameterException(commandLine, "--llm url=" + urlProblem);
        }
        return new LlmSpec(
                fields.getOrDefault("name", fields.get("model")),
                fields.get("url"),
                fields.get("model"),
                fields.get("key-env"),
                "--llm");
    }

    private void readConfig(Path file, Settings s) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--config: no such file " + file.toAbsolutePath(), e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new IllegalArgumentException(
                    file + ": not JSON: "
                            + JsonProblems.describe(
                                    e.getOriginalMessage(),
                                    at == null ? 0 : at.getLineNr(),
                                    at == null ? 0 : at.getColumnNr()),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": must hold a JSON object");
        }
        for (var field : root.properties()) {
            if (!CONFIG_FIELDS.contains(field.getKey())) {
                throw new IllegalArgumentException(file + ": unknown field '" + field.getKey() + "' (known: "
                        + String.join(", ", CONFIG_FIELDS.stream().sorted().toList()) + ")");
            }
        }
        JsonNode llmNodes = root.path("llms");
        if (!llmNodes.isMissingNode()) {
            if (!llmNodes.isArray()) {
                throw new IllegalArgumentException(file + ": field 'llms' must be an array");
            }
            for (int i = 0; i < llmNodes.size(); i++) {
                JsonNode n = llmNodes.get(i);
                String where = "llms[" + i + "]";
                if (!n.isObject()) {
                    throw new IllegalArgumentException(file + ": field '" + where + "' must be an object");
                }
                for (var field : n.properties()) {
                    if (!CONFIG_LLM_FIELDS.contains(field.getKey())) {
                        throw new IllegalArgumentException(file + ": unknown field '" + where + "." + field.getKey()
                                + "' (known: api_key_env, base_url, model, name)");
                    }
                }
                String url = text(file, n, where, "base_url", true);
                String urlProblem = urlProblem(url);
                if (urlProblem != null) {
                    throw new IllegalArgumentException(file + ": field '" + where + ".base_url' " + urlProblem);
                }
                String model = text(file, n, where, "model", true);
                String name = text(file, n, where, "name", false);
                s.llms.add(new LlmSpec(
                        name == null ? model : name,
                        url,
                        model,
                        text(file, n, where, "api_key_env", false),
                        file.toString()));
            }
        }
        s.ranker = textOr(file, root, "ranker", s.ranker);
        s.fuser = textOr(file, root, "fuser", s.fuser);
        if (root.has("top_k")) {
            s.topK = integer(file, root, "top_k");
        }
        if (root.has("mode")) {
            String m = textOr(file, root, "mode", null);
            try {
                s.mode = BlendMode.valueOf(m.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        file + ": field 'mode' must be blend, route or adaptive, found \"" + m + "\"", e);
            }
        }
        if (root.has("router")) {
            s.router = Path.of(textOr(file, root, "router", null));
        }
        if (root.has("threshold")) {
            s.threshold = number(file, root, "threshold");
        }
        if (root.has("timeout_s")) {
            s.timeout = seconds(number(file, root, "timeout_s"), file + ": field 'timeout_s'");
        }
    }

    private static String text(Path file, JsonNode n, String where, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(file + ": field '" + where + "." + field + "' is missing");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(
                    file + ": field '" + where + "." + field + "' must be a non-blank string, found " + v);
        }
        return v.asText();
    }

    private static String textOr(Path file, JsonNode root, String field, String otherwise) {
        JsonNode v = root.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' must be a non-blank string, found " + v);
        }
        return v.asText();
    }

    private static int integer(Path file, JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' must be an integer, found " + v);
        }
        return v.asInt();
    }

    private static double number(Path file, JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' must be a number, found " + v);
        }
        return v.asDouble();
    }

    private Duration seconds(double value, String what) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ParameterException(
                    spec.commandLine(), what + " must be a positive number of seconds, found " + value);
        }
        return Duration.ofMillis(Math.round(value * 1000));
    }

    // ---------------------------------------------------------------- parts

    /**
     * Why a base URL cannot be used, in words that fit after the option or field naming it ({@code must be an
     * absolute http or https URL, found "x"}); null when it is fine.
     */
    static String urlProblem(String url) {
        try {
            OpenAiCompatibleClient.builder().baseUrl(url);
            return null;
        } catch (IllegalArgumentException e) {
            return "must be an absolute http or https URL such as http://localhost:11434/v1, found "
                    + io.llmblender.core.check.Require.quote(url);
        }
    }

    static OpenAiCompatibleClient client(LlmSpec llm, Duration timeout) {
        OpenAiCompatibleClient.Builder b = OpenAiCompatibleClient.builder()
                .name(llm.name())
                .baseUrl(llm.url())
                .model(llm.model())
                .requestTimeout(timeout);
        if (llm.keyEnv() != null) {
            b.apiKeyFromEnv(llm.keyEnv());
        }
        return b.build();
    }

    private static Fuser fuser(String value, List<LlmClient> clients, List<AutoCloseable> resources) {
        if (value.equals("none")) {
            return null;
        }
        if (value.startsWith("llm:")) {
            String name = value.substring("llm:".length());
            for (LlmClient c : clients) {
                if (c.name().equals(name)) {
                    return LlmFuser.builder(c).build();
                }
            }
            throw new IllegalArgumentException(
                    "--fuser " + value + ": no LLM named '" + name + "'; the LLMs are " + clientNames(clients));
        }
        GenFuser g = GenFuser.load(ModelOptions.fuser(value, "--fuser"));
        resources.add(g);
        return g;
    }

    private static List<String> clientNames(List<LlmClient> clients) {
        List<String> names = new ArrayList<>();
        clients.forEach(c -> names.add(c.name()));
        return names;
    }

    // ---------------------------------------------------------------- output

    private static void report(PrintWriter err, BlendResult r) {
        err.printf(
                Locale.ROOT,
                "mode %s, asked %s, %d answered, %d failed, %d ms in all%n",
                r.mode().name().toLowerCase(Locale.ROOT),
                r.called(),
                r.candidates().size(),
                r.failures().size(),
                r.timings().total().toMillis());
        r.route().ifPresent(d -> err.println("router: " + distribution(d)));
        r.routingFailure().ifPresent(f -> err.println("router failed: " + f));
        for (Candidate c : r.ranked()) {
            err.printf(
                    Locale.ROOT,
                    "  %s: %d chars in %d ms%n",
                    c.client(),
                    c.text().length(),
                    c.latency().toMillis());
        }
        for (ClientFailure f : r.failures()) {
            err.println("  failed: " + f);
        }
        r.ranking().ifPresent(k -> err.println("ranked by " + r.rankerName().orElse("-") + ": best first " + names(r)));
        r.rankingFailure().ifPresent(f -> err.println("ranking failed: " + f));
        RankCommand.reportCosts(err, r.rankingCosts());
        r.fusion()
                .ifPresent(f -> err.printf(
                        Locale.ROOT,
                        "fused by %s from %d answers (stopped: %s)%n",
                        f.fuserName(),
                        f.candidatesUsed(),
                        f.finishReason()));
        r.fusionFailure().ifPresent(f -> err.println("fusion failed: " + f));
    }

    private static List<String> names(BlendResult r) {
        List<String> out = new ArrayList<>();
        r.ranked().forEach(c -> out.add(c.client()));
        return out;
    }

    private static String distribution(RouteDecision d) {
        StringBuilder sb =
                new StringBuilder("chose " + d.chosen() + String.format(Locale.ROOT, " (p %.3f);", d.confidence()));
        for (String name : d.names()) {
            sb.append(String.format(Locale.ROOT, " %s %.3f", name, d.probability(name)));
        }
        return sb.toString();
    }

    static ObjectNode toJson(BlendResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("answer", r.answer());
        o.put("mode", r.mode().name().toLowerCase(Locale.ROOT));
        ArrayNode called = o.putArray("called");
        r.called().forEach(called::add);
        ArrayNode candidates = o.putArray("candidates");
        for (Candidate c : r.candidates()) {
            ObjectNode n = candidates.addObject();
            n.put("client", c.client());
            n.put("text", c.text());
            n.put("latency_ms", c.latency().toMillis());
            n.put("finish_reason", c.finishReason().name().toLowerCase(Locale.ROOT));
        }
        if (!r.rankingCosts().isEmpty()) {
            ArrayNode costs = o.putArray("ranking_calls");
            for (io.llmblender.core.rank.RankingCost cost : r.rankingCosts()) {
                ObjectNode n = costs.addObject();
                n.put("llm", cost.llm());
                n.put("calls", cost.calls());
                n.put("unreported_calls", cost.unreportedCalls());
                n.put("prompt_tokens", cost.promptTokens());
                n.put("completion_tokens", cost.completionTokens());
            }
        }
        r.ranking().ifPresent(k -> {
            ObjectNode n = o.putObject("ranking");
            n.put("ranker", r.rankerName().orElse(null));
            ArrayNode ranks = n.putArray("ranks");
            for (int rank : k.ranks()) {
                ranks.add(rank);
            }
            ArrayNode scores = n.putArray("scores");
            for (double score : k.scores()) {
                scores.add(score);
            }
        });
        r.fusion().ifPresent(f -> {
            ObjectNode n = o.putObject("fusion");
            n.put("fuser", f.fuserName());
            n.put("text", f.text());
            n.put("candidates_used", f.candidatesUsed());
            n.put("finish_reason", f.finishReason().name().toLowerCase(Locale.ROOT));
        });
        r.route().ifPresent(d -> {
            ObjectNode n = o.putObject("route");
            n.put("chosen", d.chosen());
            n.put("confidence", d.confidence());
            ObjectNode p = n.putObject("probabilities");
            for (String name : d.names()) {
                p.put(name, d.probability(name));
            }
        });
        ArrayNode failures = o.putArray("failures");
        for (ClientFailure f : r.failures()) {
            ObjectNode n = failures.addObject();
            n.put("client", f.name());
            n.put("kind", f.kind().name().toLowerCase(Locale.ROOT));
            n.put("message", f.cause() == null ? null : f.cause().getMessage());
            n.put("elapsed_ms", f.elapsed().toMillis());
        }
        ObjectNode t = o.putObject("timings_ms");
        t.put("routing", r.timings().routing().toMillis());
        t.put("generation", r.timings().generation().toMillis());
        t.put("ranking", r.timings().ranking().toMillis());
        t.put("fusion", r.timings().fusion().toMillis());
        t.put("total", r.timings().total().toMillis());
        return o;
    }
}
