package io.llmblender.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.QueryEncoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code blender route}: loads a router saved by {@code blender train-router} and prints, for each query, the LLM it
 * chooses, its confidence and the whole distribution (a table, or one JSON object per line with {@code --json}).
 * Queries come from the command line or, one per line, from {@code --queries FILE}. With {@code --threshold P} or
 * {@code --share S} (the threshold that routes share S of the router's training queries,
 * {@link ZooterRouter#thresholdForShare}) it also says what the adaptive mode would do with each query: {@code route}
 * (confidence at or above the threshold: one call) or {@code blend}. The confidence is the router's calibrated one
 * ({@link ZooterRouter#confidenceTemperature()}); a router saved before the calibration gets a note on standard
 * error. A thin front over {@link ZooterRouter#route}.
 */
@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        description = "Route queries with a saved router: the chosen LLM, its confidence, the distribution.")
final class RouteCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--router", required = true, paramLabel = "DIR", description = "A router made by train-router.")
    Path router;

    @Option(
            names = "--encoder",
            defaultValue = ModelOptions.MINILM,
            paramLabel = "minilm|DIR",
            description = "The query encoder the router was trained with (default: the bundled all-MiniLM-L6-v2).")
    String encoderOption;

    @Option(names = "--queries", paramLabel = "FILE", description = "A text file, one query per line.")
    Path queriesFile;

    @Option(names = "--json", description = "One JSON object per query instead of the table.")
    boolean json;

    @Option(
            names = "--threshold",
            paramLabel = "P",
            description = "Say whether the adaptive mode routes each query at this confidence threshold, in [0, 1].")
    Double threshold;

    @Option(
            names = "--share",
            paramLabel = "S",
            description = "Like --threshold, at the threshold that routes share S (in [0, 1]) of the router's training"
                    + " queries.")
    Double share;

    @Parameters(arity = "0..*", paramLabel = "QUERY", description = "Queries to route (quote each).")
    List<String> queries = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < queries.size(); i++) {
            if (queries.get(i).isBlank()) {
                throw new ParameterException(
                        spec.commandLine(),
                        "QUERY " + (i + 1) + " is blank: there is nothing to route; give the query's text");
            }
        }
        List<String> all = new ArrayList<>(queries);
        if (queriesFile != null) {
            try {
                for (String line : Files.readAllLines(queriesFile, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        all.add(line.strip());
                    }
                }
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("--queries: no such file " + queriesFile.toAbsolutePath(), e);
            }
        }
        if (all.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give queries as arguments or with --queries FILE");
        }
        if (threshold != null && share != null) {
            throw new ParameterException(spec.commandLine(), "give --threshold or --share, not both");
        }
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            throw new ParameterException(spec.commandLine(), "--threshold must be in [0, 1], found " + threshold);
        }
        if (share != null && !(share >= 0 && share <= 1)) {
            throw new ParameterException(spec.commandLine(), "--share must be in [0, 1], found " + share);
        }
        if (!Files.isDirectory(router)) {
            throw new IllegalArgumentException("--router: no directory " + router.toAbsolutePath());
        }
        try (QueryEncoder encoder = ModelOptions.encoder(encoderOption, "--encoder");
                ZooterRouter r = ZooterRouter.load(router, encoder, null)) {
            if (!r.hasTrainingConfidences()) {
                spec.commandLine()
                        .getErr()
                        .println("note: " + router + " was saved before routers calibrated their confidence: it"
                                + " routes with the head's own distribution, whose confidence stays below"
                                + " e/(e+N-1) with rewards in [0, 1]; retrain it with train-router");
            }
            if (share != null) {
                try {
                    threshold = r.thresholdForShare(share).threshold();
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException("--share " + share + ": " + e.getMessage(), e);
                }
            }
            if (threshold != null && !json) {
                out.printf(
                        Locale.ROOT,
                        "adaptive threshold %.4f%s%n",
                        threshold,
                        share == null
                                ? ""
                                : String.format(Locale.ROOT, " (routes %.0f%% of the training queries)", share * 100));
            }
            if (!json) {
                out.printf(
                        Locale.ROOT,
                        "%-24s %10s%s  %s%n",
                        "chosen",
                        "confidence",
                        threshold == null ? "" : "  adaptive",
                        "query");
            }
            for (String query : all) {
                RouteDecision d = r.route(query);
                String adaptive = threshold == null ? null : d.confidence() >= threshold ? "route" : "blend";
                if (json) {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("query", query);
                    o.put("chosen", d.chosen());
                    o.put("confidence", d.confidence());
                    if (adaptive != null) {
                        o.put("threshold", threshold);
                        o.put("adaptive", adaptive);
                    }
                    ObjectNode p = o.putObject("probabilities");
                    for (String name : d.names()) {
                        p.put(name, d.probability(name));
                    }
                    out.println(JSON.writeValueAsString(o));
                } else {
                    out.printf(
                            Locale.ROOT,
                            "%-24s %10.3f%s  %s%n",
                            d.chosen(),
                            d.confidence(),
                            adaptive == null ? "" : String.format(Locale.ROOT, "  %8s", adaptive),
                            shorten(query));
                }
            }
        }
        out.flush();
        return 0;
    }

    private static String shorten(String q) {
        String one = q.replaceAll("\\s+", " ");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }
}
