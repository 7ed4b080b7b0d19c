package io.llmblender.cli;

import io.llmblender.server.BlenderServer;
import io.llmblender.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code blender serve --config server.json}: the configured ensembles as an OpenAI-compatible endpoint (see
 * {@link ServerConfig} for the file: the config of {@code blender blend} with {@code ensembles} and a {@code server}
 * section). Runs until the process is stopped (Ctrl-C or SIGTERM close the server gracefully: it stops accepting,
 * and requests in flight get the config's {@code server.shutdown_grace_s}, default 30 seconds, to finish) or, in this JVM, until the calling thread is interrupted. {@code --ranker test} and {@code --fuser test}
 * select the bundled test models, as in {@code blender blend}.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve the configured ensembles as an OpenAI-compatible endpoint (POST /v1/chat/completions).")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--config",
            required = true,
            paramLabel = "FILE",
            description = "The server config: LLMs, ranker, fuser, router, ensembles, keys, limits, host and port.")
    Path config;

    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            description = "Bind this address instead of the config's"
                    + " (default 127.0.0.1; any other address needs API keys).")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Listen on this port instead of the config's (default 8080; 0 lets the system choose).")
    Integer port;

    @Option(
            names = "--ranker",
            paramLabel = "NAME|DIR",
            description =
                    "Override the config's ranker (default: the config's, else default = consensus): default,"
                            + " minilm, consensus[:VARIANT], judge:NAME (an LLM of the config), length, combined:FILE, none, a directory, or test.")
    String ranker;

    @Option(names = "--fuser", paramLabel = "DIR|test|llm:NAME|none", description = "Override the config's fuser.")
    String fuser;

    @Option(
            names = "--port-file",
            paramLabel = "FILE",
            description = "Write the port listened on to this file once the server is up (for scripts and --port 0).")
    Path portFile;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (port != null && (port < 0 || port > 65535)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--port must be in [0, 65535], found " + port);
        }
        if (host != null && host.isBlank()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--host must not be blank");
        }
        ServerConfig c = ServerConfig.read(config);
        String r = ranker != null ? ranker : c.ranker();
        String f = fuser != null ? fuser : c.fuser();
        if (ranker != null) {
            ModelOptions.checkRanker(r, "--ranker", true);
        }
        String rankerShown = ModelOptions.describe(r);
        if (r.equals(ModelOptions.TEST) || f.equals(ModelOptions.TEST)) {
            err.println("note: " + ModelOptions.TEST_MODEL_NOTE);
        }
        if (r.equals(ModelOptions.TEST)) {
            r = ModelOptions.ranker(r, "--ranker").toString();
        }
        if (f.equals(ModelOptions.TEST)) {
            f = ModelOptions.fuser(f, "--fuser").toString();
        }
        c = c.withRanker(r).withFuser(f).withAddress(host, port);
        CountDownLatch stopped = new CountDownLatch(1);
        BlenderServer server = c.toBuilder().start();
        Thread hook = new Thread(
                () -> {
                    server.close();
                    stopped.countDown();
                },
                "blender-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean interrupted = false;
        try {
            err.println("serving " + server.models() + " at " + server.baseUrl() + " (ranker " + rankerShown + ")");
            err.flush();
            if (portFile != null) {
                Files.writeString(portFile, Integer.toString(server.port()));
            }
            stopped.await();
        } catch (InterruptedException e) {
            interrupted = true; // set again after closing, which waits for Jetty's threads
        } finally {
            server.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it closes the server
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
