package io.llmblender.cli;

import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.fuser.GenFuser;
import io.llmblender.openai.OpenAiCompatibleClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --fuser} values of {@code demo} and {@code fuse}: a GenFuser export directory, {@code llm:NAME} (the LLM
 * given with {@code --llm name=NAME,...} writes the fused answer), or {@code test} (the bundled random test model,
 * only when asked for by name). Not thread-safe; one per command run.
 */
final class FuserOption {

    /** What {@code --fuser} accepts, for help texts and errors. */
    static final String ACCEPTED = "a GenFuser export directory, 'llm:NAME' (an LLM given with"
            + " --llm name=NAME,url=URL,model=M[,key-env=VAR]), or 'test' (the bundled random test model)";

    private static final Duration LLM_TIMEOUT = Duration.ofMinutes(2);

    private FuserOption() {}

    /**
     * Opens the fuser {@code value} names. Whatever it opens (the fuser, an LLM client) goes to {@code resources}
     * for the caller to close.
     *
     * @param commandLine for usage errors
     * @param value the {@code --fuser} value
     * @param llms the {@code --llm} values given
     * @param genFuser loads a GenFuser from a directory with the command's decoding options
     * @param resources receives what must be closed, in opening order
     * @return the fuser
     * @throws ParameterException if {@code llm:NAME} names no {@code --llm}, or an {@code --llm} is malformed
     * @throws IllegalArgumentException if a directory does not exist (listing what is accepted)
     */
    static Fuser open(
            CommandLine commandLine,
            String value,
            List<String> llms,
            Function<Path, GenFuser> genFuser,
            List<AutoCloseable> resources) {
        if (value.startsWith("llm:")) {
            String name = value.substring("llm:".length());
            List<String> names = new ArrayList<>();
            for (String llm : llms) {
                BlendCommand.LlmSpec spec = BlendCommand.parseLlm(commandLine, llm);
                names.add(spec.name());
                if (spec.name().equals(name)) {
                    OpenAiCompatibleClient client = BlendCommand.client(spec, LLM_TIMEOUT);
                    resources.add(client);
                    return LlmFuser.builder(client).build();
                }
            }
            throw new ParameterException(
                    commandLine,
                    "--fuser " + value + " needs the LLM '" + name + "': give --llm name=" + name
                            + ",url=URL,model=M[,key-env=VAR]"
                            + (names.isEmpty() ? "" : "; the --llm given are " + names));
        }
        Path dir;
        if (value.equals(ModelOptions.TEST)) {
            dir = ModelOptions.fuser(value, "--fuser");
        } else {
            dir = Path.of(value);
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(
                        "--fuser: no directory " + dir.toAbsolutePath() + "; --fuser takes " + ACCEPTED);
            }
        }
        GenFuser fuser = genFuser.apply(dir);
        resources.add(fuser);
        return fuser;
    }

    /** Closes what {@link #open} opened, in reverse order; the first failure is thrown after all were tried. */
    static void closeAll(List<AutoCloseable> resources) {
        RuntimeException first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
