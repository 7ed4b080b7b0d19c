package io.llmblender.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blender spark} as a user runs it: {@code java -jar blender-cli/target/blender.jar spark ...}, which starts the
 * job in a child JVM from this module's packaged jar and class path. Run in the integration-test phase (after both
 * are packaged; {@code mvn verify}). Standard output carries the job's one line and nothing else; an error is one line
 * on standard error, exit code 2 for a usage error and 1 for a failure at run time; {@code blender eval} reads the
 * merged output.
 */
class SparkCommandIT {

    private static final Path TOOL = Path.of("..", "blender-cli", "target", "blender.jar")
            .toAbsolutePath()
            .normalize();

    @TempDir
    static Path tmp;

    private static Path input;

    private record Result(int exit, String out, String err) {

        List<String> errLines() {
            return err.lines().toList();
        }
    }

    @BeforeAll
    static void packaged() throws IOException {
        assertThat(TOOL)
                .as("the tool's jar: mvn verify packages blender-cli before this module")
                .isRegularFile();
        assertThat(Path.of("target", "spark-local.classpath"))
                .as("this module's packaged class path")
                .isRegularFile();
        input = LocalSpark.writeInput(tmp, LocalSpark.gsm8kLines(5));
    }

    private static Result blender(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(TOOL.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("OPT_OUT_TRACKING", "true");
        Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("blender " + String.join(" ", args) + " ran over 300 s; stderr:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsAreOneLineOnStandardErrorWithExitCode2BeforeSparkStarts() throws Exception {
        Result missing = blender("spark", "rank", "--input", "/no/such/dir/x.jsonl", "--output", tmp + "/o1");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err())
                .isEqualTo("blender spark rank: --input /no/such/dir/x.jsonl: no such file or directory\n");

        Result rewards = blender("spark", "rewards", "--input", "/no/such/dir/x.jsonl", "--output", tmp + "/o2");
        assertThat(rewards.exit()).isEqualTo(2);
        assertThat(rewards.out()).isEmpty();
        assertThat(rewards.err())
                .isEqualTo("blender spark rewards: --input /no/such/dir/x.jsonl: no such file or directory\n");

        Result judge =
                blender("spark", "rank", "--input", input.toString(), "--output", tmp + "/o3", "--ranker", "judge:gpt");
        assertThat(judge.exit()).isEqualTo(2);
        assertThat(judge.out()).isEmpty();
        assertThat(judge.errLines())
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("blender spark rank: --ranker 'judge:gpt': judge rankers are not available in Spark jobs");

        Path existing = Files.createDirectories(tmp.resolve("existing"));
        Result exists = blender("spark", "rank", "--input", input.toString(), "--output", existing.toString());
        assertThat(exists.exit()).isEqualTo(2);
        assertThat(exists.errLines())
                .containsExactly("blender spark rank: --output " + existing + ": already exists; give --overwrite to"
                        + " replace it, or --chunk N to resume a chunked output");

        Result unknown = blender("spark", "rank", "--input", input.toString(), "--output", tmp + "/o4", "--bogus");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.errLines()).containsExactly("blender spark rank: unknown option --bogus");
    }

    @Test
    void aFailureAtRunTimeIsOneLineWithExitCode1AndNoSparkLog() throws Exception {
        Path nowhere = tmp.resolve("no-such-ranker");
        Result failed = blender(
                "spark",
                "rank",
                "--input",
                input.toString(),
                "--output",
                tmp + "/failed",
                "--ranker",
                nowhere.toString());
        assertThat(failed.exit()).as(failed.err()).isEqualTo(1);
        assertThat(failed.out()).isEmpty();
        assertThat(failed.errLines())
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("blender spark rank: --ranker '" + nowhere + "' is no ranker name and no directory ("
                        + nowhere + "); accepted: default, reward, minilm, consensus");
    }

    @Test
    void theDefaultRankerWritesOneLineOnStandardOutputAndBlenderEvalReadsTheMergedOutput() throws Exception {
        Path merged = tmp.resolve("ranked.jsonl");
        Path output = tmp.resolve("ranked");
        Result ranked = blender(
                "spark",
                "rank",
                "--input",
                input.toString(),
                "--output",
                output.toString(),
                "--merge",
                merged.toString());
        assertThat(ranked.exit()).as(ranked.err()).isZero();
        assertThat(ranked.out()).isEqualTo("ranked 5 records into " + output + " (merged into " + merged + ")\n");
        // Spark's start-up, DJL's CUDA probes, SLF4J's provider notes: none of it, on either stream
        assertThat(ranked.err()).doesNotContain("WARN", "CUDA", "SLF4J", "INFO");

        Result eval = blender("eval", "--input", merged.toString());
        assertThat(eval.exit()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("5 records").contains("selection (");
    }
}
