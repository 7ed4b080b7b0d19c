package io.llmblender.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.llmblender.testkit.ShellWords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The benchmark and model-making commands of README.md take minutes (and Python) and are run by hand; this keeps them
 * from rotting: every {@code exec:java@ID} names an execution of this module's pom with that benchmark's main class,
 * its {@code -Dexec.args} parse with the benchmark's own options, and every {@code models/} script it names exists
 * and knows the options given to it.
 */
class ReadmeBenchCommandsTest {

    private static final Pattern EXEC = Pattern.compile("exec:java@([a-z-]+)(?:.*-Dexec\\.args=\"([^\"]*)\")?");
    private static final Pattern PYTHON = Pattern.compile("/usr/bin/python3 (models/\\S+\\.py)(.*)");
    private static final Map<String, String> MAIN_CLASSES = Map.of(
            "ranker-bench", "io.llmblender.bench.RankerBenchmark",
            "fuser-bench", "io.llmblender.bench.FuserBenchmark",
            "router-eval", "io.llmblender.bench.RouterEvaluation",
            "soak-bench", "io.llmblender.bench.SoakBenchmark",
            "pair-accuracy", "io.llmblender.bench.PairAccuracyBenchmark",
            "ranker-engines", "io.llmblender.bench.RankerEnginesBenchmark",
            "server-bench", "io.llmblender.bench.ServerBenchmark",
            "spark-bench", "io.llmblender.bench.SparkBenchmark",
            "ranker-selection", "io.llmblender.bench.RankerSelectionBenchmark");
    private static final Map<String, Consumer<String[]>> PARSERS = Map.of(
            "ranker-bench", RankerBenchmark.Options::parse,
            "fuser-bench", FuserBenchmark.Options::parse,
            "router-eval", RouterEvaluation.Options::parse,
            "soak-bench", args -> new CommandLine(SoakBenchmark.class).parseArgs(args),
            "pair-accuracy", args -> new CommandLine(new PairAccuracyBenchmark.Options()).parseArgs(args),
            "ranker-engines", args -> new CommandLine(new RankerEnginesBenchmark.Options()).parseArgs(args),
            "server-bench", args -> new CommandLine(ServerBenchmark.class).parseArgs(args),
            "spark-bench", args -> new CommandLine(new SparkBenchmark.Options()).parseArgs(args),
            "ranker-selection", args -> new CommandLine(new RankerSelectionBenchmark.Options()).parseArgs(args));

    @Test
    void readmeBenchmarkAndModelCommands_stayValid() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        List<String> lines = commandLines(Files.readString(Path.of("..", "README.md")));
        int execs = 0;
        int scripts = 0;
        for (String line : lines) {
            Matcher exec = EXEC.matcher(line);
            if (exec.find()) {
                execs++;
                String id = exec.group(1);
                assertThat(MAIN_CLASSES).as("README runs exec:java@%s", id).containsKey(id);
                assertThat(pom)
                        .as("pom.xml execution %s", id)
                        .containsPattern("<id>" + id + "</id>[\\s\\S]*?<mainClass>"
                                + Pattern.quote(MAIN_CLASSES.get(id)) + "</mainClass>");
                String[] args = exec.group(2) == null
                        ? new String[0]
                        : ShellWords.split(exec.group(2)).toArray(String[]::new);
                assertThatCode(() -> PARSERS.get(id).accept(args)).as(line).doesNotThrowAnyException();
            }
            Matcher python = PYTHON.matcher(line);
            if (python.find()) {
                scripts++;
                Path script = Path.of("..", python.group(1));
                assertThat(script).as(line).exists();
                String source = Files.readString(script);
                for (String word : python.group(2).trim().split("\\s+")) {
                    if (word.startsWith("--")) {
                        assertThat(source).as("%s knows %s", script, word).contains("\"" + word + "\"");
                    }
                }
            }
        }
        assertThat(execs).as("exec:java commands in README.md").isGreaterThanOrEqualTo(4);
        assertThat(scripts).as("models/ script commands in README.md").isGreaterThanOrEqualTo(2);
    }

    /** Lines of fenced blocks, with backslash continuations joined. */
    private static List<String> commandLines(String readme) {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        StringBuilder pending = new StringBuilder();
        for (String line : readme.split("\n")) {
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            out.add(pending.append(line).toString().replaceAll("\\s+", " ").trim());
            pending.setLength(0);
        }
        return out;
    }
}
