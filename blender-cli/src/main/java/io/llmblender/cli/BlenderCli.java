package io.llmblender.cli;

import io.llmblender.core.error.BlenderException;
import io.llmblender.eval.dataset.DatasetException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code blender} command-line tool: a demo on the bundled data and test models, blending a prompt across LLMs,
 * ranking, fusing and evaluating datasets, and training and using routers.
 *
 * <p>Exit codes: 0 success, 1 a failure at run time (a message on standard error says what and where), 2 a usage
 * error (unknown option, missing or malformed value; the usage follows the message).
 *
 * <p>From a clone: {@code ./blender demo}. From the built jar: {@code java -jar blender-cli/target/blender.jar
 * demo}.
 */
@Command(
        name = "blender",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Ensemble LLMs: rank and fuse their answers (LLM-Blender), or route each query to one (Zooter).",
        subcommands = {
            DemoCommand.class,
            BlendCommand.class,
            RankCommand.class,
            FitRankersCommand.class,
            FuseCommand.class,
            EvalCommand.class,
            RouteCommand.class,
            TrainRouterCommand.class,
            EvalRoutingCommand.class,
            ServeCommand.class,
            SparkCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BlenderCli implements java.util.concurrent.Callable<Integer> {

    /** Exit code of a failure at run time. */
    public static final int FAILED = 1;

    @Spec
    CommandSpec spec;

    private BlenderCli() {}

    /**
     * Sets PyTorch's threads per operation before any model loads.
     *
     * @param threads at least 1
     */
    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "PyTorch threads per operation, before the command"
                    + " (default: PyTorch's, one per core; 1 is faster on a busy machine).")
    void threads(int threads) {
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, found " + threads);
        }
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
    }

    /**
     * Runs the tool and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // DJL must never download anything, nor phone home; a user can still override both.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        // UTF-8 whatever the locale: records and answers go to stdout, and Java 17 takes an ASCII default under LANG=C.
        System.exit(run(
                new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
                args));
    }

    /**
     * Runs the tool in this JVM, writing to the given streams; for tests and embedding.
     *
     * @param out standard output
     * @param err standard error
     * @param args the command line
     * @return the exit code
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new BlenderCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        for (CommandLine sub : cli.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(new Version());
        }
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            command.getErr().println("error: " + message(e));
            if (!expected(e)) {
                e.printStackTrace(command.getErr());
            }
            command.getErr().flush();
            return FAILED;
        });
        return cli;
    }

    /** Failures a user can act on from the message alone; anything else also gets its stack trace. */
    private static boolean expected(Throwable e) {
        return e instanceof IllegalArgumentException
                || e instanceof IllegalStateException
                || e instanceof BlenderException
                || e instanceof DatasetException
                || e instanceof UncheckedIOException
                || e instanceof java.io.IOException;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** Exit code of a usage error. */
    static final int USAGE = 2;

    /** No command given: the usage goes to standard error and the exit code says it was a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: give a command, e.g. 'blender demo'");
        spec.commandLine().usage(spec.commandLine().getErr());
        spec.commandLine().getErr().flush();
        return USAGE;
    }
}
