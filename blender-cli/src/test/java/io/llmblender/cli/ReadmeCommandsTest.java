package io.llmblender.cli;

import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.testkit.LoopbackOpenAiServer;
import io.llmblender.testkit.ShellWords;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs every {@code ./blender} command of README.md, in README order, in this JVM: relative paths are taken from the
 * repository root, endpoint URLs point at a loopback OpenAI-compatible server, and the key variable at the test's
 * fake key. (CI also runs the offline ones literally through the wrapper script.)
 */
public class ReadmeCommandsTest {

    private static final Pattern URL = Pattern.compile("url=[^,\\s\"]+");
    private static final Pattern KEY_ENV = Pattern.compile("key-env=[A-Z_]+");

    @Test
    void everyReadmeCommand_runsAndSucceeds() throws Exception {
        List<String> commands = commands(Files.readString(Path.of("..", "README.md")));
        assertThat(commands)
                .as("./blender commands in README.md")
                .hasSizeGreaterThanOrEqualTo(6)
                .anyMatch(c -> c.startsWith("./blender demo"))
                .anyMatch(c -> c.startsWith("./blender blend"));
        try (LoopbackOpenAiServer server =
                new LoopbackOpenAiServer().reply(completion("Rest and drink fluids.", "stop", 5, 4))) {
            for (String command : commands) {
                String local = KEY_ENV.matcher(
                                URL.matcher(command).replaceAll(Matcher.quoteReplacement("url=" + server.baseUrl())))
                        .replaceAll("key-env=BLENDER_TEST_API_KEY");
                List<String> args = new ArrayList<>();
                for (String word : ShellWords.split(local)
                        .subList(1, ShellWords.split(local).size())) {
                    args.add(fromRoot(word));
                }
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int rc = BlenderCli.run(
                        new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
                assertThat(rc)
                        .as("%s%nstdout:%n%s%nstderr:%n%s", command, out, err)
                        .isZero();
                assertThat(out.toString()).as(command).isNotBlank();
            }
        }
    }

    /** Lines of fenced blocks that start with {@code ./blender }. */
    static List<String> commands(String readme) {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : readme.split("\n")) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            } else if (fenced && line.startsWith("./blender ")) {
                out.add(line.strip());
            }
        }
        return out;
    }

    /** A repository-relative path as seen from this module's directory; other words unchanged. */
    private static String fromRoot(String word) {
        boolean path = !word.startsWith("-")
                && !word.contains("=")
                && !word.contains(" ")
                && (word.startsWith("data/") || word.startsWith("target/") || word.startsWith("models/"));
        return path ? "../" + word : word;
    }
}
