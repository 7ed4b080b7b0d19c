package io.llmblender.ranker.minilm;

import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.rank.ConsensusRanker;
import io.llmblender.core.rank.LanguageRoutedRanker;
import io.llmblender.core.rank.LazyRanker;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.rank.Rankers;
import io.llmblender.core.rank.RankingCost;
import io.llmblender.ranker.PairRanker;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The project's <b>trained</b> ranker: a prompt-and-answer cross-encoder reward model, all-MiniLM-L6-v2 (Apache-2.0,
 * 22.6M parameters) fine-tuned on human- and GPT-4-judged preference pairs ({@code models/train_reward_ranker.py}; the
 * sources, licences, budgets and dev table are in {@code MODEL_CARD.md} in the jar and in
 * {@code models/minilm-reward/}). One pass reads {@code [CLS] prompt [SEP] answer [SEP]} (64 tokens of prompt, 128 of
 * answer) and gives the answer a reward: a learned content part plus a fixed weight times the answer's log length,
 * the weight chosen on dev, because people prefer fuller answers on most tasks and the content part learns when they
 * do not. N answers cost N passes and {@code logit(i, j) = r_i - r_j}, so rankings are antisymmetric and transitive.
 *
 * <p>What it is good for, measured (README, Performance): on answer <i>pairs</i> it agrees with people more often
 * than "the longer answer wins" on the six-source human dev set; choosing among many LLMs' answers the label-free
 * consensus ranker picks far better, which is why the tool's default ranker uses this model only for pairs
 * ({@code --ranker default}). It is far from LLM-Blender's PairRM (0.4B parameters, trained on more data).
 *
 * <pre>{@code
 * try (PairRanker ranker = MiniLmRewardRanker.load()) {
 *     Ranking ranking = ranker.rank("How do I treat a cold?", answers);
 * }
 * }</pre>
 *
 * <p>The files travel inside this jar and are unpacked once, as {@link MiniLmRanker}'s are.
 *
 * <p>Thread-safe; holds no state besides the directory of the first successful unpack.
 */
public final class MiniLmRewardRanker {

    /** The model's name, as {@link PairRanker#name()} reports it. */
    public static final String NAME = "blender-minilm-reward";

    /** The name of {@link #defaultRanker()}. */
    public static final String DEFAULT_NAME = "consensus-coverage+" + NAME;

    private static final BundledModel MODEL =
            new BundledModel("/io/llmblender/ranker/minilm/reward/", NAME, "models/minilm-reward");

    private MiniLmRewardRanker() {}

    /**
     * Loads the shipped reward ranker with {@link PairRanker}'s defaults (one engine thread, fp32 arithmetic).
     *
     * @return a new ranker; the caller closes it
     * @throws ModelLoadException if the model cannot be unpacked or loaded (the message names the file)
     */
    public static PairRanker load() {
        return PairRanker.load(directory());
    }

    /**
     * The directory holding the shipped reward ranker ({@code ranker_config.json}, {@code tokenizer.json},
     * {@code encoder.onnx}, {@code head.bin}), unpacked from the jar on the first call, for
     * {@link PairRanker#builder(Path)} when a setting other than the defaults is wanted.
     *
     * @return the model directory
     * @throws ModelLoadException if the jar lacks a model file, a file does not match its recorded size or sha256, or
     *     the cache directory cannot be written (the message names the file or directory)
     */
    public static Path directory() {
        return MODEL.directory();
    }

    /**
     * The default ranker of the tool, the server and the Spring Boot starter when this module is on the class path:
     * <ul>
     *   <li>three or more answers: label-free consensus coverage, as {@link Rankers#defaultRanker()} (it picks far
     *       better among many LLMs' answers than this model does);</li>
     *   <li>two answers: this trained reward ranker, loaded on the first English pair (a {@link LazyRanker});</li>
     *   <li>two answers in Chinese (by {@link LanguageRoutedRanker}'s rule: a Han share of the prompt, or of the answers,
     *       of at least {@value LanguageRoutedRanker#DEFAULT_THRESHOLD}): the longer answer wins, because this model's
     *       English vocabulary reads most Chinese characters as {@code [UNK]} and length agreed with people best on the
     *       Chinese dev set.</li>
     * </ul>
     * Named {@value #DEFAULT_NAME}. Each call returns a new ranker that owns its parts: closing it closes the reward
     * model if it was loaded. Thread-safe.
     *
     * @return the ranker
     */
    public static Ranker defaultRanker() {
        LazyRanker reward = new LazyRanker(NAME, MiniLmRewardRanker::load);
        LanguageRoutedRanker pairs = LanguageRoutedRanker.builder()
                .defaultRanker(reward)
                .chineseRanker("length-prior", Rankers::lengthPrior)
                .build();
        return new Default(ConsensusRanker.builder().fallback(pairs).build(), pairs, reward);
    }

    /** The consensus ranker over the pair ranker, owning both and the lazily loaded model. */
    private static final class Default implements Ranker {
        private final ConsensusRanker consensus;
        private final LanguageRoutedRanker pairs;
        private final LazyRanker reward;

        Default(ConsensusRanker consensus, LanguageRoutedRanker pairs, LazyRanker reward) {
            this.consensus = consensus;
            this.pairs = pairs;
            this.reward = reward;
        }

        @Override
        public String name() {
            return DEFAULT_NAME;
        }

        @Override
        public PairwiseMatrix score(PairQuery query) {
            return consensus.score(query);
        }

        @Override
        public PairwiseMatrix score(PairQuery query, Consumer<RankingCost> costs) {
            return consensus.score(query, costs);
        }

        @Override
        public List<PairwiseMatrix> scoreAll(List<PairQuery> queries) {
            return consensus.scoreAll(queries);
        }

        @Override
        public void close() {
            consensus.close();
            pairs.close();
            reward.close();
        }

        @Override
        public String toString() {
            return "DefaultRanker[" + DEFAULT_NAME + ", reward model " + (reward.loaded() ? "loaded" : "not loaded")
                    + "]";
        }
    }

    /**
     * Unpacks the model below {@code cacheRoot} (into {@code rankers/<name>-<hash>}), or finds it there.
     *
     * @param cacheRoot the cache directory
     * @return the model directory
     * @throws ModelLoadException as {@link #directory()}
     */
    static Path unpack(Path cacheRoot) {
        return MODEL.unpack(cacheRoot);
    }
}
