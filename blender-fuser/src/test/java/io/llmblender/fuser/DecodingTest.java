package io.llmblender.fuser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Prompt;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decoding loops on the tiny random T5: strategies that must agree do (greedy, one beam, top-1
 * and near-zero-temperature sampling; cached and recomputed decoders; a batch and its prompts
 * alone), sampling is reproducible per seed, the token limit and EOS are reported, and the fuser's
 * API contract (closing, argument checks, threads, the caller's lists).
 */
class DecodingTest {

    private static final int MAX = 24;
    private static final Prompt ADD = Prompt.of("Add 7 and 8.", "Be brief.");
    private static final List<String> ADD_CANDIDATES = List.of("15", "7 + 8 = 15");
    private static final Prompt TIMES = Prompt.of("What is 3 times 4?");
    private static final List<String> TIMES_CANDIDATES = List.of("12", "It is 12.", "twelve");
    private static final Prompt CLIPS = Prompt.of("Natalia sold clips to 48 of her friends in April. How many clips?");
    private static final List<String> CLIPS_CANDIDATES = List.of("48", "She sold 48 clips.");
    private static final List<Prompt> PROMPTS =
            List.of(ADD, TIMES, CLIPS, Prompt.of("I love you!"), Prompt.of("Is 17 prime?", "Answer yes or no."));
    private static final List<List<String>> CANDIDATES = List.of(
            ADD_CANDIDATES,
            TIMES_CANDIDATES,
            CLIPS_CANDIDATES,
            List.of("I hate you!", "I love you, too!"),
            List.of("Yes.", "17 is prime, so yes."));

    private static final Map<String, GenFuser> FUSERS = new HashMap<>();
    private static long[][] promptIds;

    @BeforeAll
    static void prompts() throws IOException {
        List<long[]> ids = new ArrayList<>();
        GenFuser any = fuser(Decoding.greedy(), true, MAX);
        for (int i = 0; i < PROMPTS.size(); i++) {
            ids.add(any.promptIds(PROMPTS.get(i), CANDIDATES.get(i)));
        }
        JsonNode golden = new ObjectMapper()
                .readTree(GoldenDecodingTest.DIR.resolve("golden.json").toFile());
        golden.get("decoding").get("prompts").forEach(p -> ids.add(GoldenDecodingTest.longs(p.get("input_ids"))));
        promptIds = ids.toArray(long[][]::new);
    }

    @AfterAll
    static void close() {
        FUSERS.values().forEach(GenFuser::close);
    }

    /** One fuser per setting, loaded once for the class. */
    private static GenFuser fuser(Decoding decoding, boolean cache, int maxNewTokens) {
        return FUSERS.computeIfAbsent(
                decoding + "/" + cache + "/" + maxNewTokens,
                k -> GenFuser.builder(GoldenDecodingTest.DIR)
                        .device("cpu")
                        .decoding(decoding)
                        .kvCache(cache)
                        .maxNewTokens(maxNewTokens)
                        .build());
    }

    private static List<String> tokens(List<Decoder.Output> outputs) {
        return outputs.stream()
                .map(o -> Arrays.toString(o.tokens()) + (o.endedWithEos() ? " EOS" : ""))
                .toList();
    }

    private static String view(Fusion f) {
        return f.text() + " | " + f.finishReason() + " | " + f.generatedTokens() + " | " + f.candidatesUsed();
    }

    private static List<String> views(List<Fusion> fusions) {
        return fusions.stream().map(DecodingTest::view).toList();
    }

    private static List<String> aloneEach(GenFuser fuser) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            out.add(view(fuser.fuse(PROMPTS.get(i), CANDIDATES.get(i))));
        }
        return out;
    }

    @Test
    void greedy_equalsBeamSearchWithOneBeam() {
        List<String> greedy = tokens(fuser(Decoding.greedy(), true, MAX).generate(promptIds));
        assertThat(tokens(fuser(Decoding.beamSearch(1), true, MAX).generate(promptIds)))
                .isEqualTo(greedy);
        assertThat(greedy).anyMatch(t -> t.endsWith("EOS")).anyMatch(t -> !t.endsWith("EOS"));
    }

    @Test
    void greedy_kvCacheGivesTheTokensOfRecomputingTheDecoder() {
        assertThat(tokens(fuser(Decoding.greedy(), false, MAX).generate(promptIds)))
                .isEqualTo(tokens(fuser(Decoding.greedy(), true, MAX).generate(promptIds)));
    }

    @Test
    void beamSearch_kvCacheGivesTheTokensOfRecomputingTheDecoder() {
        assertThat(tokens(fuser(Decoding.beamSearch(4), false, MAX).generate(promptIds)))
                .isEqualTo(tokens(fuser(Decoding.beamSearch(4), true, MAX).generate(promptIds)));
    }

    @Test
    void sampling_sameSeed_isReproducibleAcrossCallsAndFusers() {
        Decoding decoding = Decoding.sampling(0.8, 50, 0.95, 42);
        GenFuser fuser = fuser(decoding, true, MAX);
        List<String> first = tokens(fuser.generate(promptIds));
        assertThat(tokens(fuser.generate(promptIds))).isEqualTo(first);
        try (GenFuser other = GenFuser.builder(GoldenDecodingTest.DIR)
                .device("cpu")
                .decoding(decoding)
                .maxNewTokens(MAX)
                .build()) {
            assertThat(tokens(other.generate(promptIds))).isEqualTo(first);
        }
    }

    @Test
    void sampling_differentSeeds_giveDifferentText() {
        Set<List<String>> outputs = new HashSet<>();
        for (long seed = 1; seed <= 5; seed++) {
            outputs.add(tokens(
                    fuser(Decoding.sampling(0.8, 50, 0.95, seed), true, MAX).generate(promptIds)));
        }
        assertThat(outputs).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void sampling_nearZeroTemperature_equalsGreedy() {
        assertThat(tokens(fuser(Decoding.sampling(1e-3, 0, 1.0, 7), true, MAX).generate(promptIds)))
                .isEqualTo(tokens(fuser(Decoding.greedy(), true, MAX).generate(promptIds)));
    }

    @Test
    void sampling_topKOneOrTinyTopP_equalsGreedy() {
        List<String> greedy = tokens(fuser(Decoding.greedy(), true, MAX).generate(promptIds));
        assertThat(tokens(fuser(Decoding.sampling(1.0, 1, 1.0, 7), true, MAX).generate(promptIds)))
                .isEqualTo(greedy);
        assertThat(tokens(fuser(Decoding.sampling(1.0, 0, 1e-9, 7), true, MAX).generate(promptIds)))
                .isEqualTo(greedy);
    }

    @Test
    void fuseAll_sampling_equalsEachPromptAlone() {
        GenFuser fuser = fuser(Decoding.sampling(0.8, 50, 0.95, 11), true, MAX);
        assertThat(views(fuser.fuseAll(PROMPTS, CANDIDATES))).isEqualTo(aloneEach(fuser));
    }

    @Test
    void fuseAll_beamSearch_equalsEachPromptAlone() {
        GenFuser fuser = fuser(Decoding.beamSearch(4), true, MAX);
        assertThat(views(fuser.fuseAll(PROMPTS, CANDIDATES))).isEqualTo(aloneEach(fuser));
    }

    /** The first of PROMPTS whose greedy output (up to MAX tokens) is as asked; the fixture is random. */
    private static int firstPrompt(String what, Predicate<Decoder.Output> test) {
        List<Decoder.Output> outputs =
                fuser(Decoding.greedy(), true, MAX).generate(Arrays.copyOf(promptIds, PROMPTS.size()));
        for (int i = 0; i < outputs.size(); i++) {
            if (test.test(outputs.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no prompt of the test gives " + what + " on this fixture: " + tokens(outputs));
    }

    @Test
    void fuse_longerThanTheLimit_stopsWithLengthAfterMaxNewTokens() {
        int i = firstPrompt("more than 3 tokens", o -> o.tokens().length > 3);
        Decoder.Output full = fuser(Decoding.greedy(), true, MAX)
                .generate(new long[][] {promptIds[i]})
                .get(0);
        GenFuser limited = fuser(Decoding.greedy(), true, 3);
        Fusion fusion = limited.fuse(PROMPTS.get(i), CANDIDATES.get(i));
        assertThat(fusion.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(fusion.generatedTokens()).hasValue(3);
        Decoder.Output cut = limited.generate(new long[][] {promptIds[i]}).get(0);
        assertThat(cut.tokens()).containsExactly(Arrays.copyOf(full.tokens(), 3));
        assertThat(cut.endedWithEos()).isFalse();
    }

    @Test
    void fuse_endingWithEos_stopsAndCountsTheEosToken() {
        int i = firstPrompt("tokens then EOS", o -> o.endedWithEos() && o.tokens().length > 0);
        Prompt prompt = PROMPTS.get(i);
        List<String> candidates = CANDIDATES.get(i);
        int n = fuser(Decoding.greedy(), true, MAX)
                .generate(new long[][] {promptIds[i]})
                .get(0)
                .tokens()
                .length;
        Fusion fusion = fuser(Decoding.greedy(), true, MAX).fuse(prompt, candidates);
        assertThat(fusion.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(fusion.generatedTokens()).hasValue(n + 1);
        // The limit counts the EOS token: n + 1 still stops, n runs out.
        Fusion exact = fuser(Decoding.greedy(), true, n + 1).fuse(prompt, candidates);
        assertThat(exact.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(exact.text()).isEqualTo(fusion.text());
        assertThat(exact.generatedTokens()).hasValue(n + 1);
        Fusion cut = fuser(Decoding.greedy(), true, n).fuse(prompt, candidates);
        assertThat(cut.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(cut.generatedTokens()).hasValue(n);
    }

    @Test
    void decoding_badArguments_failNamingTheField() {
        assertThatThrownBy(() -> Decoding.beamSearch(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beams")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> Decoding.beamSearch(2, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lengthPenalty");
        assertThatThrownBy(() -> Decoding.sampling(0, 50, 0.95, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> Decoding.sampling(Double.NaN, 50, 0.95, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> Decoding.sampling(0.8, -1, 0.95, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topK")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> Decoding.sampling(0.8, 50, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topP");
        assertThatThrownBy(() -> Decoding.sampling(0.8, 50, 1.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topP")
                .hasMessageContaining("1.5");
        assertThatCode(() -> Decoding.sampling(0.8, 0, 1.0, 1)).doesNotThrowAnyException();
    }

    @Test
    void decoding_defaults_areFourBeamsWithLengthPenaltyOne() {
        Decoding defaults = Decoding.defaults();
        assertThat(defaults.strategy()).isEqualTo(Decoding.Strategy.BEAM_SEARCH);
        assertThat(defaults.beams()).isEqualTo(4);
        assertThat(defaults.lengthPenalty()).isEqualTo(1.0);
    }

    @Test
    void fuse_afterClose_throwsAndCloseIsIdempotent() {
        GenFuser fuser = GenFuser.builder(GoldenDecodingTest.DIR)
                .device("cpu")
                .name("my-fuser")
                .decoding(Decoding.greedy())
                .maxNewTokens(2)
                .build();
        assertThat(fuser.name()).isEqualTo("my-fuser");
        assertThat(fuser.fuse(ADD, ADD_CANDIDATES).fuserName()).isEqualTo("my-fuser");
        fuser.close();
        assertThatCode(fuser::close).doesNotThrowAnyException();
        assertThatThrownBy(() -> fuser.fuse(ADD, ADD_CANDIDATES))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> fuser.fuseAll(PROMPTS, CANDIDATES)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fuse_fromFourThreads_equalsSequentialResults() throws Exception {
        GenFuser fuser = fuser(Decoding.beamSearch(4), true, MAX);
        List<String> sequential = aloneEach(fuser);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int i = t % PROMPTS.size();
                futures.add(pool.submit(() -> view(fuser.fuse(PROMPTS.get(i), CANDIDATES.get(i)))));
            }
            for (int t = 0; t < futures.size(); t++) {
                assertThat(futures.get(t).get()).isEqualTo(sequential.get(t % PROMPTS.size()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fuseAll_badLists_throwIllegalArgument() {
        GenFuser fuser = fuser(Decoding.greedy(), true, MAX);
        assertThatThrownBy(() -> fuser.fuseAll(PROMPTS, CANDIDATES.subList(0, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same size");
        assertThatThrownBy(() -> fuser.fuseAll(List.of(ADD, TIMES), List.of(ADD_CANDIDATES, List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ranked[1]");
        assertThatThrownBy(() -> fuser.fuse(ADD, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(fuser.fuseAll(List.of(), List.of())).isEmpty();
    }

    @Test
    void fuse_doesNotModifyTheCallersLists() {
        GenFuser fuser = fuser(Decoding.greedy(), true, 4);
        String longCandidate = "the answer is twelve ".repeat(100).trim();
        List<String> mutable = new ArrayList<>(List.of(longCandidate, "a</s>b", "12"));
        List<String> before = List.copyOf(mutable);
        fuser.fuse(TIMES, mutable);
        assertThat(mutable).isEqualTo(before);
        List<List<String>> ranked = new ArrayList<>(List.of(mutable, List.of(longCandidate, "12")));
        fuser.fuseAll(new ArrayList<>(List.of(TIMES, ADD)), ranked);
        assertThat(ranked).containsExactly(before, List.of(longCandidate, "12"));
        assertThatCode(() -> fuser.fuse(TIMES, List.of(longCandidate, "12"))).doesNotThrowAnyException();
    }
}
