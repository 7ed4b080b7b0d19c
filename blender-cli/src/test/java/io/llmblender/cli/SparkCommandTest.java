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
                        "--class",
                        "io.llmblender.spark.RankJob",
                        "--jars",
                        "/m2/a.jar",
                        jar.toString(),
                        "--input",
                        "x");
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
