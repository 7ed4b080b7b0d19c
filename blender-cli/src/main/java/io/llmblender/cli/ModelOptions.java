package io.llmblender.cli;

import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.rank.Ranker;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import io.llmblender.ranker.minilm.MiniLmRewardRanker;
import io.llmblender.ranker.names.RankerNames;
import io.llmblender.router.encode.BgeSmallZhEncoder;
import io.llmblender.router.encode.MiniLmEncoder;
import io.llmblender.router.encode.QueryEncoder;
import io.llmblender.router.encode.TorchScriptEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Resolves the tool's model options ({@code --ranker}, {@code --fuser}): a directory of an exported model,
 * {@value #DEFAULT} for the default ranker ({@link MiniLmRewardRanker#defaultRanker()}: consensus over three or more
 * answers, the trained reward ranker for a pair), {@value #REWARD_RANKER} for the trained reward ranker alone
 * ({@link MiniLmRewardRanker}), {@value #MINILM_RANKER} for the zero-shot MiniLM PairRanker ({@link MiniLmRanker}),
 * both unpacked once into the user's cache, or
 * {@value #TEST} for the tiny test models bundled in the jar (random weights: they rank and fuse at random), unpacked
 * once per process into a temporary directory removed at exit.
 */
final class ModelOptions {

    /** The value that selects a bundled test model. */
    static final String TEST = "test";

    /** The value that selects the default ranker ({@link MiniLmRewardRanker#defaultRanker()}). */
    static final String DEFAULT = "default";

    /** The value that selects the trained reward ranker ({@link MiniLmRewardRanker}). */
    static final String REWARD_RANKER = "reward";

    /** The value that selects the zero-shot MiniLM PairRanker ({@link MiniLmRanker}). */
    static final String MINILM_RANKER = "minilm";

    /** Said wherever a test model is used. */
    static final String TEST_MODEL_NOTE = "the bundled test models have random weights: they rank and fuse at random;"
            + " give a real export with --ranker DIR and --fuser DIR (see models/README.md)";

    private static final String ROOT = "/io/llmblender/cli/models/";
    private static Path unpacked;

    private ModelOptions() {}

    /**
     * The PairRanker directory an option names, for commands that need a PairRanker's pairwise model.
     *
     * @param value {@value #REWARD_RANKER} or {@value #DEFAULT} (both the trained reward ranker here: the default
     *     ranker is no PairRanker), {@value #MINILM_RANKER}, {@value #TEST} or a directory
     * @param option the option's name, for errors
     * @return the directory
     * @throws IllegalArgumentException if the value names no directory
     */
    static Path ranker(String value, String option) {
        if (value.equals(DEFAULT) || value.equals(REWARD_RANKER)) {
            return MiniLmRewardRanker.directory();
        }
        if (value.equals(MINILM_RANKER)) {
            return MiniLmRanker.directory();
        }
        if (value.equals(TEST)) {
            return test("pairranker", List.of("pairranker.pt", "tokenizer.json", "ranker_config.json"));
        }
        Path p = Path.of(value);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(option + ": no directory " + p.toAbsolutePath()
                    + "; accepted here: reward (= default here), minilm, test, or an exported PairRanker directory (this"
                    + " command needs a"
                    + " PairRanker; consensus, judge:NAME and combined:FILE work with rank, blend and serve)");
        }
        return p;
    }

    /** The ranker names every command's {@code --ranker} accepts, for help and errors. */
    static final String RANKER_NAMES = "test (random test model), " + RankerNames.ACCEPTED;

    /**
     * Makes the ranker a {@code --ranker} value names: {@value #TEST} for the bundled random test model, else any
     * name {@link RankerNames} accepts ({@code default}, {@code consensus}, {@code judge:NAME}, {@code combined:FILE},
     * a directory, ...).
     *
     * @param value the option's value
     * @param option the option's name, for errors
     * @param llms the LLMs configured for the command, by name (for {@code judge:NAME}); empty where there are none
     * @param noneAllowed whether {@code none} (no ranker) makes sense for the command
     * @param made every ranker made is appended, for the caller to close in reverse order
     * @return the ranker, or {@code null} for {@code none}
     * @throws IllegalArgumentException naming the option and value and listing the accepted names
     */
    static Ranker rankerModel(
            String value, String option, Map<String, LlmClient> llms, boolean noneAllowed, List<AutoCloseable> made) {
        String v = value.strip();
        if (v.equals(TEST)) {
            PairRanker r = PairRanker.load(ranker(TEST, option));
            made.add(r);
            return r;
        }
        if (v.equals("none") && !noneAllowed) {
            throw new IllegalArgumentException(
                    option + " none: this command needs a ranker; accepted: " + RANKER_NAMES.replace("none, ", ""));
        }
        if (v.startsWith("judge:") && llms.isEmpty()) {
            throw new IllegalArgumentException(
                    option + " '" + value + "': a judge needs an LLM, and this command has"
                            + " none configured (give the judge with --llm name=NAME,url=URL,model=M, or in a serve config's llms)");
        }
        try {
            return RankerNames.resolve(v, option, llms, made);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage().replace("accepted: default,", "accepted: test," + " default,"), e);
        }
    }

    /**
     * Checks a {@code --ranker} value without loading anything, so a command fails before its work starts: the name
     * must be one {@link #rankerModel} accepts, a directory must exist, a {@code combined:} file must exist.
     *
     * @param value the option's value
     * @param option the option's name, for errors
     * @param noneAllowed whether {@code none} is accepted
     * @throws IllegalArgumentException as {@link #rankerModel} would
     */
    static void checkRanker(String value, String option, boolean noneAllowed) {
        String v = value.strip();
        if (v.equals(TEST)
                || v.equals(DEFAULT)
                || v.equals(REWARD_RANKER)
                || v.equals(MINILM_RANKER)
                || v.equals("length")
                || v.startsWith("judge:")) {
            return;
        }
        if (v.equals("none")) {
            if (!noneAllowed) {
                throw new IllegalArgumentException(
                        option + " none: this command needs a ranker; accepted: " + RANKER_NAMES.replace("none, ", ""));
            }
            return;
        }
        if (v.equals("consensus") || v.startsWith("consensus:")) {
            if (!RankerNames.CONSENSUS.contains(v)) {
                throw new IllegalArgumentException(RankerNames.unknownConsensus(option, value));
            }
            return;
        }
        if (v.startsWith("combined:")) {
            Path f = Path.of(v.substring("combined:".length()));
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException(
                        option + " '" + value + "': no combination file " + f.toAbsolutePath());
            }
            return;
        }
        if (!Files.isDirectory(Path.of(v))) {
            throw new IllegalArgumentException(option + " '" + value + "' is no ranker name and no directory ("
                    + Path.of(v).toAbsolutePath() + "); accepted: " + RANKER_NAMES);
        }
    }

    /**
     * How the tool's output names a model option's choice.
     *
     * @param value {@value #DEFAULT}, {@value #TEST} or a directory
     * @return a short description
     */
    static String describe(String value) {
        if (value.equals(DEFAULT)) {
            return "default: consensus-coverage over three or more answers (label-free, no model); for two answers "
                    + MiniLmRewardRanker.NAME + " (trained reward ranker; the longer answer for Chinese)";
        }
        if (value.equals(REWARD_RANKER)) {
            return MiniLmRewardRanker.NAME + " (trained: all-MiniLM-L6-v2 prompt-and-answer reward model fine-tuned on"
                    + " preference pairs, plus a length term; models/minilm-reward)";
        }
        if (value.equals(MINILM_RANKER)) {
            return MiniLmRanker.NAME
                    + " (zero-shot all-MiniLM-L6-v2 relevance, not trained on preferences; models/minilm-ranker)";
        }
        if (value.equals("consensus:embedding")) {
            return value + " (mean cosine of the answers' MiniLM vectors; the MiniLM ranker below three answers)";
        }
        if (value.startsWith("consensus")) {
            return value + " (label-free consensus of the answers; the longer answer wins below three answers)";
        }
        return value.equals(TEST) ? "bundled test model (random weights)" : value;
    }

    /**
     * The fuser directory an option names.
     *
     * @param value {@value #TEST} or a directory
     * @param option the option's name, for errors
     * @return the directory
     * @throws IllegalArgumentException if the value names no directory
     */
    static Path fuser(String value, String option) {
        return value.equals(TEST)
                ? test("genfuser", List.of("fuser.pt", "tokenizer.json", "fuser_config.json"))
                : directory(value, option);
    }

    /** The value that selects the default query encoder, all-MiniLM-L6-v2. */
    static final String MINILM = "minilm";

    /**
     * The value that selects the Chinese query encoder, bge-small-zh-v1.5 ({@link BgeSmallZhEncoder}); its model jar,
     * {@value BgeSmallZhEncoder#ARTIFACT}, must be on the class path.
     */
    static final String BGE_ZH = "bge-zh";

    /**
     * The router's query encoder an option names: {@value #MINILM} (the default, bundled), {@value #BGE_ZH} (for
     * Chinese prompts; needs the optional artifact {@value BgeSmallZhEncoder#ARTIFACT}) or a
     * {@code TorchScriptEncoder} directory.
     *
     * @param value {@value #MINILM}, {@value #BGE_ZH} or a directory
     * @param option the option's name, for errors
     * @return the encoder, to be closed by the caller
     * @throws IllegalArgumentException if the value names no directory
     * @throws io.llmblender.core.error.ModelLoadException if bge-zh's artifact is missing (the message names it)
     */
    static QueryEncoder encoder(String value, String option) {
        if (value.equals(MINILM)) {
            return MiniLmEncoder.load();
        }
        if (value.equals(BGE_ZH)) {
            return BgeSmallZhEncoder.load();
        }
        return TorchScriptEncoder.load(directory(value, option));
    }

    static Path directory(String value, String option) {
        Path p = Path.of(value);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(option + ": no directory " + p.toAbsolutePath());
        }
        return p;
    }

    private static synchronized Path test(String name, List<String> files) {
        try {
            if (unpacked == null) {
                Path dir = Files.createTempDirectory("blender-test-models");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
                unpacked = dir;
            }
            Path dir = unpacked.resolve(name);
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                for (String file : files) {
                    try (InputStream in = ModelOptions.class.getResourceAsStream(ROOT + name + "/" + file)) {
                        if (in == null) {
                            throw new IllegalStateException(
                                    "the bundled test model " + name + " lacks " + file + "; rebuild the tool");
                        }
                        Files.copy(in, dir.resolve(file));
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundled test model " + name + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
