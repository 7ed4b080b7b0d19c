package io.llmblender.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
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
import picocli.CommandLine.Unmatched;

/**
 * {@code blender spark rank|rewards JOB-OPTIONS}: runs blender-spark's {@code RankJob} or {@code RewardJob} in Spark
 * local mode on this machine, the same job {@code spark-submit} runs on a cluster.
 *
 * <p><b>Why a child JVM.</b> Spark and its few hundred jars stay out of this tool's class path (and out of every
 * library jar): the job runs in a new {@code java} process whose class path is blender-spark's jar plus the class path
 * its build wrote ({@code blender-spark/target/spark-local.classpath}: Spark and the rest from the Maven repository,
 * written by {@code mvn package}, which {@code ./blender} runs). With {@code --spark-home} (default: the
 * {@code SPARK_HOME} variable) it runs {@code SPARK_HOME/bin/spark-submit} instead. Either way the driver binds
 * 127.0.0.1 and the Spark UI is off.
 *
 * <p><b>Output and errors.</b> The job's standard output is copied to this command's (one line: how many records went
 * where), its standard error to this command's; the exit code is the job's, as the rest of the tool's: 2 for a usage
 * error (a bad option, a local {@code --input} that does not exist, a local {@code --output} that does, a ranker name
 * a job refuses), checked before Spark starts, 1 for a failure at run time. Either is one line on standard error,
 * {@code blender spark rank: --input /x/y: no such file or directory}. The logs of Spark, Hadoop and DJL (Spark's
 * start-up and task-failure stack traces, DJL's CUDA probes) are off unless {@code --log-level} asks for them; they
 * go to standard error; blender's own warnings are kept.
 *
 * <p><b>Options.</b> Everything after the task goes to the job unchanged ({@code --input}, {@code --output},
 * {@code --ranker}, {@code --chunk}, ...: see the job's Javadoc or the README).
 */
@Command(
        name = "spark",
        mixinStandardHelpOptions = true,
        description = "Run the blender-spark job (rank, or rewards for train-router) in Spark local mode; options"
                + " after the task go to the job.")
final class SparkCommand implements Callable<Integer> {

    /** The jobs a task names. */
    enum Task {
        /** io.llmblender.spark.RankJob. */
        RANK("io.llmblender.spark.RankJob"),
        /** io.llmblender.spark.RewardJob. */
        REWARDS("io.llmblender.spark.RewardJob");

        final String mainClass;

        Task(String mainClass) {
            this.mainClass = mainClass;
        }
    }

    /** The log levels {@code --log-level} takes. */
    enum LogLevel {
        OFF,
        ERROR,
        WARN,
        INFO,
        DEBUG
    }

    /** The loggers {@code --log-level} sets: Spark's (and the libraries it brings) and DJL's. */
    static final List<String> THIRD_PARTY_LOGGERS = List.of(
            "org.apache.spark", "org.apache.hadoop", "org.sparkproject", "org.apache.parquet", "io.netty", "ai.djl");

    /** The environment variable the jobs take their name in error lines from (blender-spark's JobMain). */
    static final String PROGRAM_VARIABLE = "BLENDER_SPARK_PROGRAM";

    /** The class-path file blender-spark's build writes. */
    static final String CLASSPATH_FILE = "spark-local.classpath";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--master",
            paramLabel = "local[N]",
            defaultValue = "local[2]",
            description = "Spark master, local mode only (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(
            names = "--spark-dir",
            paramLabel = "DIR",
            description = "blender-spark's build output (default: blender-spark/target beside this tool's build).")
    Path sparkDir;

    @Option(
            names = "--spark-home",
            paramLabel = "DIR",
            description = "A Spark install to run spark-submit from (default: $SPARK_HOME; unset: Spark from the"
                    + " Maven repository).")
    Path sparkHome;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            defaultValue = "OFF",
            description = "Spark's, Hadoop's and DJL's logs on standard error: off (the default: an error is one line),"
                    + " error, warn, info or debug.")
    LogLevel logLevel;

    @Parameters(
            index = "0",
            paramLabel = "rank|rewards",
            description = "The job: rank (RankJob) or rewards (RewardJob).")
    Task task;

    @Unmatched
    List<String> jobArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!master.matches("local(\\[(\\d+|\\*)\\])?")) {
            throw new ParameterException(
                    spec.commandLine(), "--master must be local, local[N] or local[*], found '" + master + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> command = command();
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().putIfAbsent("OPT_OUT_TRACKING", "true");
        builder.environment()
                .put(PROGRAM_VARIABLE, "blender spark " + task.name().toLowerCase(Locale.ROOT));
        Process process = builder.start();
        Thread errors = new Thread(() -> copy(process.getErrorStream(), err), "blender-spark-stderr");
        errors.setDaemon(true);
        errors.start();
        try {
            copy(process.getInputStream(), out);
        } finally {
            process.waitFor();
            errors.join();
            out.flush();
            err.flush();
        }
        return process.exitValue();
    }

    /** Copies a child's stream to one of this command's, line by line, until the child closes it. */
    private static void copy(InputStream stream, PrintWriter to) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (to) {
                    to.println(line);
                    to.flush();
                }
            }
        } catch (IOException e) {
            // the child's stream closed under us: the child is gone, and its exit code says how it ended
        }
    }

    /** The command line of the child process. */
    List<String> command() throws IOException {
        List<String> command = new ArrayList<>();
        Path home = sparkHome != null
                ? sparkHome
                : System.getenv("SPARK_HOME") == null ? null : Path.of(System.getenv("SPARK_HOME"));
        Path dir = sparkDir != null ? sparkDir : defaultSparkDir();
        Path jar = moduleJar(dir);
        if (home != null) {
            Path submit = home.resolve("bin").resolve("spark-submit");
            if (!Files.isExecutable(submit)) {
                throw new IllegalArgumentException("no spark-submit at " + submit + " (--spark-home or SPARK_HOME)");
            }
            command.add(submit.toString());
            command.addAll(List.of(
                    "--master",
                    master,
                    "--driver-java-options",
                    "-Dlog4j2.configurationFile=" + logging(),
                    "--conf",
                    "spark.ui.enabled=false",
                    "--conf",
                    "spark.driver.host=127.0.0.1",
                    "--conf",
                    "spark.driver.bindAddress=127.0.0.1",
                    "--class",
                    task.mainClass,
                    "--jars",
                    String.join(",", classpath(dir, false)),
                    jar.toString()));
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-cp");
            List<String> entries = new ArrayList<>();
            entries.add(jar.toString());
            entries.addAll(classpath(dir, true));
            command.add(String.join(java.io.File.pathSeparator, entries));
            command.add("-Dlog4j2.configurationFile=" + logging());
            command.addAll(List.of(
                    "-Dspark.master=" + master,
                    "-Dspark.ui.enabled=false",
                    "-Dspark.driver.host=127.0.0.1",
                    "-Dspark.driver.bindAddress=127.0.0.1",
                    "-Dai.djl.offline=true",
                    task.mainClass));
        }
        command.addAll(jobArgs);
        return command;
    }

    /**
     * A Log4j 2 configuration for the child: everything on standard error (standard output carries the job's one
     * line), blender's own warnings, and Spark's, Hadoop's and DJL's logs at {@code --log-level} (default off: Spark
     * logs every failed task with its stack trace, which the job's one error line already says).
     */
    private String logging() throws IOException {
        Path file = Files.createTempFile("blender-spark-log4j2", ".properties");
        file.toFile().deleteOnExit();
        StringBuilder config = new StringBuilder("""
                rootLogger.level = warn
                rootLogger.appenderRef.stderr.ref = console
                appender.console.type = Console
                appender.console.name = console
                appender.console.target = SYSTEM_ERR
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
                """);
        String level = logLevel.name().toLowerCase(Locale.ROOT);
        for (int i = 0; i < THIRD_PARTY_LOGGERS.size(); i++) {
            config.append("logger.l")
                    .append(i)
                    .append(".name = ")
                    .append(THIRD_PARTY_LOGGERS.get(i))
                    .append('\n');
            config.append("logger.l")
                    .append(i)
                    .append(".level = ")
                    .append(level)
                    .append('\n');
        }
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file.toString();
    }

    /** The class path file's entries; without Spark's own jars when a Spark install brings them. */
    private static List<String> classpath(Path dir, boolean withSpark) throws IOException {
        Path file = dir.resolve(CLASSPATH_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + CLASSPATH_FILE + " in " + dir + ": build blender-spark first"
                    + " (mvn package -DskipTests, or ./blender, which runs it)");
        }
        List<String> out = new ArrayList<>();
        for (String entry :
                Files.readString(file, StandardCharsets.UTF_8).strip().split(java.io.File.pathSeparator, -1)) {
            boolean spark = entry.contains("/org/apache/spark/")
                    || entry.contains("/org/scala-lang/")
                    || entry.contains("/org/apache/hadoop/");
            if (!entry.isBlank() && (withSpark || !spark)) {
                out.add(entry);
            }
        }
        return out;
    }

    private static Path moduleJar(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "blender-spark-*.jar")) {
                for (Path jar : jars) {
                    if (!jar.getFileName().toString().equals("blender-spark-job.jar")) {
                        return jar;
                    }
                }
            }
        }
        throw new IllegalArgumentException("no blender-spark jar in " + dir + ": build blender-spark first (mvn"
                + " package -DskipTests, or ./blender, which runs it), or give --spark-dir");
    }

    /** blender-spark/target beside the build this class was loaded from (blender-cli/target/...). */
    private static Path defaultSparkDir() {
        try {
            Path source = Path.of(SparkCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path target = source.getParent();
            return target.getParent().getParent().resolve("blender-spark").resolve("target");
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where this tool was built; give --spark-dir", e);
        }
    }
}
