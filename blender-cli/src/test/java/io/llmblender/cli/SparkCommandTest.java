package io.llmblender.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The child process blender spark starts, and its errors; the README runs a real local job. */
class SparkCommandTest {

    @TempDir
    Path tmp;

    private static CommandLine parse(String... args) {
        CommandLine cli =
                BlenderCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        cli.parseArgs(args);
        return cli;
    }

    private static SparkCommand sparkOf(CommandLine cli) {
        return (SparkCommand) cli.getSubcommands().get("spark").getCommand();
    }

    @Test
    void theChildIsJavaWithTheModuleJarAndTheBuildsClassPathAndGetsTheJobOptionsInOrder() throws Exception {
        Path jar = Files.createFile(tmp.resolve("blender-spark-0.1.0-SNAPSHOT.jar"));
        Files.writeString(tmp.resolve(SparkCommand.CLASSPATH_FILE), "/m2/org/apache/spark/spark-core.jar:/m2/a.jar");
        CommandLine cli = parse(
                "spark",
                "--master",
                "local[1]",
                "--spark-dir",
                tmp.toString(),
                "rewards",
                "--input",
                "in.jsonl",
                "--output",
                "out",
                "--chunk",
                "10");
        List<String> command = sparkOf(cli).command();
        assertThat(command.get(0)).endsWith("/bin/java");
        assertThat(command.subList(1, 3))
                .containsExactly("-cp", jar + ":/m2/org/apache/spark/spark-core.jar:/m2/a.jar");
        assertThat(command)
                .contains(
                        "-Dspark.master=local[1]", "-Dspark.ui.enabled=false", "-Dspark.driver.bindAddress=127.0.0.1");
        assertThat(command.subList(command.indexOf("io.llmblender.spark.RewardJob") + 1, command.size()))
                .containsExactly("--input", "in.jsonl", "--output", "out", "--chunk", "10");
    }

    /** The Log4j 2 file a child command line names. */
    private static String logConfig(List<String> command) throws Exception {
        String property = command.stream()
                .filter(a -> a.startsWith("-Dlog4j2.configurationFile="))
                .findFirst()
                .orElseThrow();
        return Files.readString(Path.of(property.substring("-Dlog4j2.configurationFile=".length())));
    }

    @Test
    void theChildLogsToStandardErrorAndSparksAndDjlsLogsAreOffUnlessAsked() throws Exception {
        Files.createFile(tmp.resolve("blender-spark-0.1.0-SNAPSHOT.jar"));
        Files.writeString(tmp.resolve(SparkCommand.CLASSPATH_FILE), "/m2/a.jar");
        String quiet = logConfig(sparkOf(parse("spark", "--spark-dir", tmp.toString(), "rank", "--input", "x"))
                .command());
        assertThat(quiet)
                .contains("appender.console.target = SYSTEM_ERR", "rootLogger.level = warn")
                .doesNotContain("SYSTEM_OUT");
        for (int i = 0; i < SparkCommand.THIRD_PARTY_LOGGERS.size(); i++) {
            assertThat(quiet)
                    .contains("logger.l" + i + ".name = " + SparkCommand.THIRD_PARTY_LOGGERS.get(i) + "\n")
                    .contains("logger.l" + i + ".level = off\n");
        }
        assertThat(SparkCommand.THIRD_PARTY_LOGGERS).contains("org.apache.spark", "org.apache.hadoop", "ai.djl");
        String warn = logConfig(
                sparkOf(parse("spark", "--spark-dir", tmp.toString(), "--log-level", "warn", "rank", "--input", "x"))
                        .command());
        assertThat(warn).contains("logger.l0.level = warn\n").doesNotContain("level = off");
    }

    @Test
    void withASparkInstallItIsSparkSubmitWithoutSparksJars() throws Exception {
        Path jar = Files.createFile(tmp.resolve("blender-spark-0.1.0-SNAPSHOT.jar"));
        Files.writeString(tmp.resolve(SparkCommand.CLASSPATH_FILE), "/m2/org/apache/spark/spark-core.jar:/m2/a.jar");
        Path submit = Files.createDirectories(tmp.resolve("spark/bin")).resolve("spark-submit");
        Files.writeString(submit, "#!/bin/sh\n");
        assertThat(submit.toFile().setExecutable(true)).isTrue();
        List<String> command = sparkOf(parse(
                        "spark",
                        "--spark-dir",
                        tmp.toString(),
                        "--spark-home",
                        tmp.resolve("spark").toString(),
                        "rank",
                        "--input",
                        "x"))
                .command();
        assertThat(command.get(0)).isEqualTo(submit.toString());
        assertThat(command)
                .containsSubsequence(
                        "--master",
                        "local[2]",
                        "--driver-java-options",
                        "--class",
                        "io.llmblender.spark.RankJob",
                        "--jars",
                        "/m2/a.jar",
                        jar.toString(),
                        "--input",
                        "x");
        assertThat(command.get(command.indexOf("--driver-java-options") + 1)).startsWith("-Dlog4j2.configurationFile=");
        assertThat(logConfig(command)).contains("logger.l0.level = off");
    }

    @Test
    void aMissingBuildOrAClusterMasterIsRefusedWithTheReason() {
        StringWriter err = new StringWriter();
        int rc = BlenderCli.run(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err, true),
                "spark",
                "--spark-dir",
                tmp.resolve("none").toString(),
                "rank",
                "--input",
                "x",
                "--output",
                "y");
        assertThat(rc).isEqualTo(BlenderCli.FAILED);
        assertThat(err.toString()).contains("no blender-spark jar in " + tmp.resolve("none"));
        StringWriter usage = new StringWriter();
        assertThat(BlenderCli.run(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(usage, true),
                        "spark",
                        "--master",
                        "yarn",
                        "rank"))
                .isEqualTo(2);
        assertThat(usage.toString()).contains("--master must be local, local[N] or local[*], found 'yarn'");
    }
}
