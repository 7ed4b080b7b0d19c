package io.llmblender.fuser;

import ai.djl.Device;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.core.check.Require;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Prompt;
import io.llmblender.djl.CloseGuard;
import io.llmblender.djl.ConfigFile;
import io.llmblender.djl.DeviceChoice;
import io.llmblender.djl.LongTexts;
import io.llmblender.djl.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LLM-Blender's GenFuser: a T5-family seq2seq model, loaded with DJL from an exported TorchScript
 * directory, that writes one answer from the ranked top-K candidates. DJL's own text generation
 * handles decoder-only models only, so the decoding loop is here, in Java: greedy, beam search
 * (the default: 4 beams, as the reference) and sampling (see {@link Decoding}).
 *
 * <p><b>Model directory.</b> {@code fuser_config.json} (our format: decoder start, end-of-sequence
 * and pad ids, cache shape, max lengths), a Hugging Face {@code tokenizer.json} and a TorchScript
 * module with the methods {@code encode(input_ids, attention_mask) -> (cross_k, cross_v)} and
 * {@code decode_step(tokens, cross_k, cross_v, enc_mask, past_k, past_v) -> (logits, k, v)}.
 * {@code models/export_t5.py} writes one from a T5 / Flan-T5 checkpoint such as
 * {@code llm-blender/gen_fuser_3b}; {@code models/make_tiny_t5.py} writes the random test model.
 *
 * <p><b>Prompt.</b> Built exactly as the reference from the instruction, the input and every
 * candidate given (see {@code FusionPrompt}): candidates cut to 128 tokens with "..." appended,
 * the whole prompt at most 1024 tokens. Over that budget this fuser cuts the candidates further
 * rather than losing the final instruction line, as the reference does. For a chat-form prompt the
 * last user turn is the instruction.
 *
 * <p><b>Decoding.</b> The encoder runs once per prompt; its cross-attention keys and values are
 * shared by every step and beam, and the decoder's key/value cache carries over from step to
 * step (beams reorder it). Generation stops at the end-of-sequence token or after
 * {@link Builder#maxNewTokens(int)} tokens; {@link Fusion#finishReason()} says which
 * ({@link FinishReason#STOP} or {@link FinishReason#LENGTH}) and
 * {@link Fusion#generatedTokens()} how many tokens were generated.
 *
 * <p><b>Limits.</b> A call fuses at most {@value #MAX_CANDIDATES} candidates per prompt, each of
 * at most {@value #MAX_TEXT_CHARS} characters (each is cut to 128 tokens; one of more than 65,536
 * characters is first cut at a space after room for them, with the same tokens as when whole);
 * past either an {@link IllegalArgumentException} names the candidate and its length. The
 * prompt's own size is bounded by {@link Prompt#MAX_CHARS}. Empty and blank candidates, control
 * characters, lone surrogates and any script are accepted; {@code </s>}, {@code <pad>},
 * {@code <unk>} and {@code <extra_id_N>} in user text become a space.
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use; each call works in its own child NDManager,
 * freed before the call returns. {@link #close()} waits for calls in flight; later calls throw
 * {@link IllegalStateException}.
 */
public final class GenFuser implements Fuser {

    /** The longest candidate, in characters, a call accepts. */
    public static final int MAX_TEXT_CHARS = 4_000_000;

    /**
     * The most candidates one prompt may fuse: the 1024-token prompt leaves each of 64 candidates
     * about ten tokens, and with many more even empty candidates crowd out the final instruction.
     */
    public static final int MAX_CANDIDATES = 64;

    private final String name;
    private final FuserConfig config;
    private final HuggingFaceTokenizer tokenizer;
    private final FusionPrompt promptBuilder;
    private final Seq2SeqModel model;
    private final Decoding decoding;
    private final int maxNewTokens;
    private final boolean kvCache;
    /** Calls in flight finish before close frees the model and tokenizer; later calls throw. */
    private final CloseGuard guard;

    private GenFuser(
            Builder builder,
            FuserConfig config,
            HuggingFaceTokenizer tokenizer,
            Seq2SeqModel model,
            int precutTokenChars) {
        this.name = builder.name != null ? builder.name : config.name();
        this.guard = new CloseGuard("GenFuser " + name);
        this.config = config;
        this.tokenizer = tokenizer;
        this.promptBuilder =
                new FusionPrompt(tokenizer, config.candidateMaxLength(), config.maxSourceLength(), precutTokenChars);
        this.model = model;
        this.decoding = builder.decoding != null ? builder.decoding : Decoding.defaults();
        this.maxNewTokens = builder.maxNewTokens();
        this.kvCache = builder.kvCache == null || builder.kvCache;
    }

    /**
     * Loads a fuser from a local model directory with the defaults of {@link Builder}.
     *
     * @param dir the exported model directory
     * @return the fuser; close it when done
     * @throws ModelLoadException if a file is missing or the parts do not fit together
     */
    public static GenFuser load(Path dir) {
        return builder(dir).build();
    }

    /**
     * Starts a builder for a local model directory.
     *
     * @param dir the exported model directory
     * @return a builder
     */
    public static Builder builder(Path dir) {
        return new Builder(Require.nonNull(dir, "dir"));
    }

    /** The model's name from its configuration, or the name given to the builder. */
    @Override
    public String name() {
        return name;
    }

    /**
     * The decoding this fuser uses.
     *
     * @return the decoding
     */
    public Decoding decoding() {
        return decoding;
    }

    /**
     * {@value #MAX_CANDIDATES}: a Blender fuses at most this many of its top answers with this fuser.
     *
     * @return {@value #MAX_CANDIDATES}
     */
    @Override
    public int maxCandidates() {
        return MAX_CANDIDATES;
    }

    /**
     * Fuses the given candidates, all of them (a {@link io.llmblender.core.Blender} passes its
     * top K), into one answer.
     *
     * @param prompt what the candidates answer
     * @param ranked the candidates, best first, at least one; not modified
     * @return the fused answer, why generation stopped and how many tokens it made
     * @throws io.llmblender.core.error.InferenceException if the model fails
     * @throws IllegalStateException if the fuser is closed
     */
    @Override
    public Fusion fuse(Prompt prompt, List<String> ranked) {
        Require.nonNull(prompt, "prompt");
        return fuseAll(List.of(prompt), List.of(Require.nonNull(ranked, "ranked")))
                .get(0);
    }

    /**
     * Fuses many prompts in one batch: one encoder pass and one decoding loop for all. Each result
     * equals fusing its prompt alone (sampling included: each prompt's generator is seeded alike).
     *
     * @param prompts the prompts
     * @param ranked the candidates of each prompt, best first
     * @return one fusion per prompt, in order
     * @throws IllegalArgumentException if the lists differ in size or a candidate list is empty
     * @throws io.llmblender.core.error.InferenceException if the model fails
     * @throws IllegalStateException if the fuser is closed
     */
    @Override
    public List<Fusion> fuseAll(List<Prompt> prompts, List<List<String>> ranked) {
        Require.nonNull(prompts, "prompts");
        Require.nonNull(ranked, "ranked");
        if (prompts.size() != ranked.size()) {
            throw new IllegalArgumentException(
                    "prompts and ranked must have the same size, found " + prompts.size() + " and " + ranked.size());
        }
        if (prompts.isEmpty()) {
            return List.of();
        }
        long[][] ids = new long[prompts.size()][];
        for (int i = 0; i < prompts.size(); i++) {
            Require.nonNull(prompts.get(i), "prompts[" + i + "]");
            List<String> candidates = Require.nonNull(ranked.get(i), "ranked[" + i + "]");
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("ranked[" + i + "] must hold at least one candidate");
            }
            if (candidates.size() > MAX_CANDIDATES) {
                throw new IllegalArgumentException("ranked[" + i + "] must hold at most " + MAX_CANDIDATES
                        + " candidates (GenFuser.MAX_CANDIDATES), found " + candidates.size());
            }
            for (int c = 0; c < candidates.size(); c++) {
                String text = Require.nonNull(candidates.get(c), "ranked[" + i + "][" + c + "]");
                if (text.length() > MAX_TEXT_CHARS) {
                    throw new IllegalArgumentException("ranked[" + i + "][" + c + "] must be at most " + MAX_TEXT_CHARS
                            + " characters (GenFuser.MAX_TEXT_CHARS), found " + text.length());
                }
            }
        }
        guard.enter();
        try {
            for (int i = 0; i < prompts.size(); i++) {
                ids[i] = promptBuilder
                        .build(prompts.get(i).instruction(), prompts.get(i).input(), ranked.get(i))
                        .ids();
            }
            List<Decoder.Output> outputs = generate(ids);
            List<Fusion> out = new ArrayList<>(outputs.size());
            for (int i = 0; i < outputs.size(); i++) {
                Decoder.Output o = outputs.get(i);
                long[] tokens = new long[o.tokens().length];
                for (int k = 0; k < tokens.length; k++) {
                    tokens[k] = o.tokens()[k];
                }
                out.add(Fusion.of(
                        tokenizer.decode(tokens, true),
                        name,
                        ranked.get(i).size(),
                        o.endedWithEos() ? FinishReason.STOP : FinishReason.LENGTH,
                        o.tokens().length + (o.endedWithEos() ? 1 : 0)));
            }
            return out;
        } finally {
            guard.exit();
        }
    }

    /** Runs the decoding loop over prompt token ids: for tests and benchmarks. */
    List<Decoder.Output> generate(long[][] promptIds) {
        Decoder decoder = new Decoder(config.decoderStartId(), config.eosId(), config.padId(), maxNewTokens);
        int copies = decoding.strategy() == Decoding.Strategy.BEAM_SEARCH ? decoding.beams() : 1;
        try (Seq2SeqModel.Session session = model.open(promptIds, copies, kvCache)) {
            return copies > 1 || decoding.strategy() == Decoding.Strategy.BEAM_SEARCH
                    ? decoder.beamSearch(session, promptIds.length, copies, decoding.lengthPenalty())
                    : decoder.oneBest(session, promptIds.length, decoding);
        }
    }

    /** The prompt as this fuser builds it: for inspection and tests. */
    String promptText(Prompt prompt, List<String> ranked) {
        return promptBuilder.build(prompt.instruction(), prompt.input(), ranked).text();
    }

    /** The prompt's token ids as this fuser builds them. */
    long[] promptIds(Prompt prompt, List<String> ranked) {
        return promptBuilder.build(prompt.instruction(), prompt.input(), ranked).ids();
    }

    /** Waits for calls in flight, then frees the model and tokenizer. Idempotent. */
    @Override
    public void close() {
        guard.close(() -> {
            model.close();
            tokenizer.close();
        });
    }

    @Override
    public String toString() {
        return "GenFuser[" + name + ", " + decoding + ", maxNewTokens=" + maxNewTokens + "]";
    }

    /**
     * Options for loading a {@link GenFuser}. Not thread-safe; each {@link #build()} loads a new
     * fuser.
     *
     * <p>Each setter may be called at most once; a second call throws {@link IllegalStateException}
     * naming the setting and both values (Caffeine style). The value is validated first: an invalid
     * value is refused with its own exception even on a second call.
     */
    public static final class Builder {
        private static final int DEFAULT_MAX_NEW_TOKENS = 128;

        private final Path dir;
        private String name;
        private String device;
        private Decoding decoding;
        private Integer maxNewTokens;
        private Boolean kvCache;
        private Integer threads;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /**
         * The name recorded as provenance. Default: the {@code name} in {@code fuser_config.json}.
         *
         * @param name a non-blank name
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder name(String name) {
            Require.nonBlank(name, "name");
            Require.unset(this.name, "name", name, Require::quote);
            this.name = name;
            return this;
        }

        /**
         * The device, as DJL names it ({@code "cpu"}, {@code "gpu"}). Default: the first GPU
         * when DJL's PyTorch engine sees one, else the CPU.
         *
         * @param device the device name
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder device(String device) {
            Require.nonBlank(device, "device");
            Require.unset(this.device, "device", device, Require::quote);
            this.device = device;
            return this;
        }

        /**
         * PyTorch's intra-op threads. PyTorch's count is process-wide, so this sets it for every PyTorch model in
         * the JVM (the last load wins). Default 1: on a shared 2-core machine the default of one thread per core
         * spin-waits and ran the fuser up to ten times slower (README, Performance); a single caller on a large
         * idle machine may gain from more.
         *
         * @param threads a positive thread count
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder threads(int threads) {
            Require.positive(threads, "threads");
            Require.unset(this.threads, "threads", threads);
            this.threads = threads;
            return this;
        }

        /**
         * How to pick tokens. Default {@link Decoding#defaults()}: beam search, 4 beams.
         *
         * @param decoding the decoding
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder decoding(Decoding decoding) {
            Require.nonNull(decoding, "decoding");
            Require.unset(this.decoding, "decoding", decoding);
            this.decoding = decoding;
            return this;
        }

        /**
         * The most tokens to generate, the end-of-sequence token included. Default 128, as the
         * reference.
         *
         * @param tokens a positive count
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder maxNewTokens(int tokens) {
            Require.positive(tokens, "maxNewTokens");
            Require.unset(this.maxNewTokens, "maxNewTokens", tokens);
            this.maxNewTokens = tokens;
            return this;
        }

        /**
         * Whether to keep the decoder's key/value cache across steps (the default) or recompute
         * the whole decoder each step. Recomputing gives the same tokens, much more slowly; it
         * exists to measure the cache and to check it.
         *
         * @param enabled whether to cache
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder kvCache(boolean enabled) {
            Require.unset(this.kvCache, "kvCache", enabled);
            this.kvCache = enabled;
            return this;
        }

        /**
         * Loads the fuser: reads and checks the configuration and tokenizer, loads the model and
         * decodes one token of a short prompt so that a model that does not fit fails now.
         *
         * @return the fuser; close it when done
         * @throws ModelLoadException naming the file and the problem
         */
        public GenFuser build() {
            if (!Files.isDirectory(dir)) {
                throw new ModelLoadException("GenFuser model directory does not exist: " + dir);
            }
            FuserConfig config = FuserConfig.read(dir);
            int maxNewTokens = maxNewTokens();
            if (config.maxTargetPositions() > 0 && maxNewTokens > config.maxTargetPositions() - 1) {
                throw new IllegalArgumentException("maxNewTokens must be at most " + (config.maxTargetPositions() - 1)
                        + " for this model (max_target_positions " + config.maxTargetPositions() + "), found "
                        + maxNewTokens);
            }
            Path tokenizerFile = dir.resolve(config.tokenizerFile());
            if (!Files.isRegularFile(tokenizerFile)) {
                throw new ModelLoadException(
                        "missing tokenizer file " + config.tokenizerFile() + " in model directory " + dir);
            }
            JsonNode tokenizerJson = ConfigFile.readJson(tokenizerFile);
            int precutTokenChars =
                    LongTexts.splitsOnWhitespace(tokenizerJson) ? LongTexts.longestToken(tokenizerJson) : 0;
            HuggingFaceTokenizer tokenizer = Tokenizers.load(
                    tokenizerFile,
                    b -> b.optAddSpecialTokens(false).optTruncation(false).optPadding(false));
            Device target = DeviceChoice.pick(device, true);
            Seq2SeqModel model = null;
            try {
                checkTokenizer(tokenizer, tokenizerFile, config);
                model = Seq2SeqModel.load(dir, config, target, threads != null ? threads : 1);
                GenFuser fuser = new GenFuser(this, config, tokenizer, model, precutTokenChars);
                fuser.checkFits(dir.resolve(config.modelFile()));
                return fuser;
            } catch (RuntimeException e) {
                if (model != null) {
                    model.close();
                }
                tokenizer.close();
                throw e;
            }
        }

        /** The most tokens set, or the default 128. */
        private int maxNewTokens() {
            return maxNewTokens != null ? maxNewTokens : DEFAULT_MAX_NEW_TOKENS;
        }

        private static void checkTokenizer(HuggingFaceTokenizer tokenizer, Path file, FuserConfig config) {
            long[] eos = tokenizer.encode("</s>", false, false).getIds();
            if (eos.length != 1 || eos[0] != config.eosId()) {
                throw new ModelLoadException(
                        file + " does not encode \"</s>\" as the single token eos_token_id " + config.eosId() + " of "
                                + FuserConfig.FILE_NAME + "; it gives " + java.util.Arrays.toString(eos));
            }
            for (int i = 0; i < 3; i++) {
                long[] sentinel =
                        tokenizer.encode("<extra_id_" + i + ">", false, false).getIds();
                if (sentinel.length != 1 || sentinel[0] >= config.vocabSize()) {
                    throw new ModelLoadException(file + " lacks the sentinel token <extra_id_" + i + "> as one token"
                            + " within the model's vocabulary of " + config.vocabSize() + " (" + FuserConfig.FILE_NAME
                            + " field 'vocab_size')");
                }
            }
        }
    }

    private void checkFits(Path file) {
        long[] ids = promptIds(Prompt.of("a"), List.of("b"));
        try (Seq2SeqModel.Session session = model.open(new long[][] {ids}, 1, true)) {
            float[][] logits = session.step(new long[] {config.decoderStartId()}, null);
            if (logits[0].length != config.vocabSize()) {
                throw new ModelLoadException("the model " + file + " returns " + logits[0].length
                        + " logits per step but " + FuserConfig.FILE_NAME + " says vocab_size " + config.vocabSize());
            }
        } catch (io.llmblender.core.error.InferenceException e) {
            throw new ModelLoadException(
                    "the model " + file + " fails on a test prompt (does it export encode and"
                            + " decode_step with the cache shape of " + FuserConfig.FILE_NAME + "?): " + e.getMessage(),
                    e);
        }
    }
}
