package io.llmblender.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmblender.core.error.ModelLoadException;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranking;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward architecture on the tiny fixture ({@code models/make_tiny_reward_ranker.py}: a random BERT with a
 * non-zero reward head over the real all-MiniLM-L6-v2 tokenizer, fp16-stored ONNX on OnnxRuntime): Java builds
 * exactly the rows Python's reward_common builds (cuts, special-token strings, the long-text rule, code-point
 * lengths) and reproduces Python's rewards within 1e-4; the matrix is {@code r_i - r_j}.
 */
class RewardRankerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PairRanker ranker;
    private static PairEncoder encoder;
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        Path fixture = Fixtures.tinyRewardRanker();
        ranker = PairRanker.builder(fixture).device("cpu").build();
        encoder = PairEncoder.load(fixture, RankerConfig.read(fixture));
        golden = JSON.readTree(fixture.resolve("golden.json").toFile());
    }

    @AfterAll
    static void close() {
        ranker.close();
        encoder.close();
    }

    /** A golden text: a string, or a recipe {head, unit, count, tail} for one too long to store. */
    static String text(JsonNode spec) {
        if (spec.isTextual()) {
            return spec.asText();
        }
        return spec.get("head").asText()
                + spec.get("unit").asText().repeat(spec.get("count").asInt())
                + spec.get("tail").asText();
    }

    static List<String> answers(JsonNode query) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : query.get("answers")) {
            out.add(text(a));
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    static String digest(int[] ids) throws NoSuchAlgorithmException {
        String joined = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void loads_asARewardRanker() {
        assertThat(ranker.modelFile()).isEqualTo("encoder.onnx");
        assertThat(ranker.toString()).contains("reward", "plain", "encoder.onnx", "prompt=24", "answer=40");
        assertThat(ranker.maxRowLength()).isEqualTo(24 + 40 + 3);
        assertThatThrownBy(() -> ranker.encodePair("q", "a", "b"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("one answer per row");
    }

    @Test
    void tokenIds_areExactlyPythons() throws NoSuchAlgorithmException {
        int texts = 0;
        for (JsonNode q : golden.get("queries")) {
            String prompt = text(q.get("prompt"));
            int[] p = encoder.rewardIds(List.of(prompt))[0];
            assertThat(p.length)
                    .as("prompt tokens: " + prompt.substring(0, Math.min(40, prompt.length())))
                    .isEqualTo(q.get("prompt_tokens").get("count").asInt());
            assertThat(digest(p)).isEqualTo(q.get("prompt_tokens").get("sha256").asText());
            List<String> answers = answers(q);
            int[][] ids = encoder.rewardIds(answers);
            for (int a = 0; a < answers.size(); a++) {
                JsonNode want = q.get("answer_tokens").get(a);
                String what = "answer " + a + " of " + prompt.substring(0, Math.min(40, prompt.length()));
                assertThat(ids[a].length).as(what).isEqualTo(want.get("count").asInt());
                assertThat(digest(ids[a])).as(what).isEqualTo(want.get("sha256").asText());
                texts++;
            }
        }
        assertThat(texts).isGreaterThanOrEqualTo(15);
    }

    @Test
    void rows_areExactlyPythons_andCutPromptsAndAnswersHeadAndTail() {
        boolean promptCut = false;
        boolean answerCut = false;
        boolean empty = false;
        for (JsonNode q : golden.get("queries")) {
            String prompt = text(q.get("prompt"));
            List<String> answers = answers(q);
            for (int a = 0; a < answers.size(); a++) {
                long[] want = JSON.convertValue(q.get("rows").get(a), long[].class);
                assertThat(ranker.rewardRow(prompt, answers.get(a)))
                        .as("row of answer " + a + " to " + prompt.substring(0, Math.min(40, prompt.length())))
                        .containsExactly(want);
                promptCut |= q.get("prompt_tokens").get("count").asInt() > 24;
                answerCut |= q.get("answer_tokens").get(a).get("count").asInt() > 40;
                empty |= answers.get(a).isEmpty();
            }
        }
        assertThat(promptCut && answerCut && empty)
                .as("the golden queries cut a prompt and an answer and hold an empty answer")
                .isTrue();
    }

    @Test
    void cut_keepsHeadAndTailShares() {
        int[] ids = IntStream.range(0, 100).toArray();
        assertThat(RewardScoring.cut(ids, 10, 0.5)).containsExactly(0, 1, 2, 3, 4, 95, 96, 97, 98, 99);
        assertThat(RewardScoring.cut(ids, 10, 0.75)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 98, 99);
        assertThat(RewardScoring.cut(ids, 5, 0.5)).as("round half up: h = 3").containsExactly(0, 1, 2, 98, 99);
        assertThat(RewardScoring.cut(ids, 100, 0.5)).isSameAs(ids);
    }

    @Test
    void features_countCodePointsOfTheOriginalTexts() {
        for (JsonNode q : golden.get("queries")) {
            String prompt = text(q.get("prompt"));
            List<String> answers = answers(q);
            for (int a = 0; a < answers.size(); a++) {
                assertThat(RewardHead.features(prompt, answers.get(a)))
                        .containsExactly(doubles(q.get("features").get(a)), within(1e-12));
            }
        }
        double[] emoji = RewardHead.features("😀", "😀😀");
        assertThat(emoji[0]).isCloseTo((Math.log(3) - 6) / 2, within(1e-12));
        assertThat(emoji[1]).isCloseTo((Math.log(3) - Math.log(2)) / 2, within(1e-12));
    }

    @Test
    void rewards_matchPythonWithin1e4_andTheMatrixIsTheirDifference() {
        double worst = 0;
        for (JsonNode q : golden.get("queries")) {
            String prompt = text(q.get("prompt"));
            List<String> answers = answers(q);
            double[] want = doubles(q.get("rewards"));
            double[] got = ranker.rewardsOf(prompt, answers);
            for (int a = 0; a < want.length; a++) {
                worst = Math.max(worst, Math.abs(got[a] - want[a]));
            }
            assertThat(got)
                    .as(prompt.substring(0, Math.min(40, prompt.length())))
                    .containsExactly(want, within(1e-4));

            Ranking ranking = ranker.rank(prompt, answers);
            PairwiseMatrix m = ranking.matrix().orElseThrow();
            for (int i = 0; i < want.length; i++) {
                for (int j = 0; j < want.length; j++) {
                    if (i != j) {
                        assertThat(m.logit(i, j)).isCloseTo(want[i] - want[j], within(2e-4));
                        assertThat(m.logit(i, j)).isEqualTo(-m.logit(j, i));
                        assertThat(m.logit(i, j)).isEqualTo(got[i] - got[j]);
                    }
                }
            }
            List<Integer> byReward = IntStream.range(0, want.length)
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -want[i]))
                    .toList();
            assertThat(ranking.order()).as("ranking order is reward order").isEqualTo(byReward);
        }
        System.out.printf("RewardRankerTest: largest |Java - Python| reward on the golden queries: %.2e%n", worst);
    }

    @Test
    void specialTokenStrings_areReadAsSpaces() {
        String prompt = "Explain [SEP] please";
        assertThat(ranker.rewardRow(prompt, "a [CLS] b [MASK] c [PAD] d [UNK] e [SEP]"))
                .containsExactly(ranker.rewardRow("Explain   please", "a   b   c   d   e  "));
        long[] row = ranker.rewardRow(prompt, "[SEP][SEP]");
        assertThat(Arrays.stream(row).filter(id -> id == encoder.sepId()).count())
                .as("only the row's own two separators")
                .isEqualTo(2);
    }

    @Test
    void aVeryLongAnswer_isReadHeadAndTail() {
        String head = "alpha beta gamma ";
        String answer = "start " + "lorem ipsum ".repeat(300_000) + " finish now";
        long started = System.nanoTime();
        long[] row = ranker.rewardRow("Q?", answer);
        double[] r = ranker.rewardsOf("Q?", List.of(answer, head));
        assertThat((System.nanoTime() - started) / 1e9).as("seconds").isLessThan(20);
        assertThat(row).hasSize(1 + encoder.rewardIds(List.of("Q?"))[0].length + 1 + 40 + 1);
        int[] tail = encoder.rewardIds(List.of("ipsum finish now"))[0];
        long[] end = Arrays.copyOfRange(row, row.length - 1 - tail.length, row.length - 1);
        assertThat(end)
                .as("the answer's last ids are its tail's")
                .containsExactly(Arrays.stream(tail).asLongStream().toArray());
        assertThat(Arrays.stream(r).allMatch(Double::isFinite)).isTrue();
    }

    @Test
    void cachedVectors_andBatching_giveTheSameRewards() {
        List<String> answers = new ArrayList<>(answers(golden.get("queries").get(0)));
        answers.add("Another answer, a bit longer than the others, to change the batch shapes a little.");
        String prompt = text(golden.get("queries").get(0).get("prompt"));
        try (PairRanker cached = PairRanker.builder(Fixtures.tinyRewardRanker())
                        .device("cpu")
                        .build();
                PairRanker single = PairRanker.builder(Fixtures.tinyRewardRanker())
                        .device("cpu")
                        .cacheSize(0)
                        .maxBatchRows(1)
                        .build()) {
            PairwiseMatrix first = cached.rank(prompt, answers).matrix().orElseThrow();
            PairwiseMatrix again = cached.rank(prompt, answers).matrix().orElseThrow();
            PairwiseMatrix alone = single.rank(prompt, answers).matrix().orElseThrow();
            List<PairQuery> many = List.of(
                    PairQuery.full("Name a colour.", List.of("red", "The sky is blue, mostly.", "")),
                    PairQuery.full(prompt, answers));
            PairwiseMatrix batched = cached.scoreAll(many).get(1);
            for (int i = 0; i < answers.size(); i++) {
                for (int j = 0; j < answers.size(); j++) {
                    if (i != j) {
                        assertThat(again.logit(i, j)).isEqualTo(first.logit(i, j));
                        assertThat(batched.logit(i, j)).isEqualTo(first.logit(i, j));
                        assertThat(alone.logit(i, j)).isCloseTo(first.logit(i, j), within(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void onlyRequestedPairs_areScored() {
        List<String> answers = List.of("one", "two", "three");
        PairwiseMatrix m = ranker.score(PairQuery.of("Count.", answers, List.of(new CandidatePair(0, 2))));
        double[] r = ranker.rewardsOf("Count.", answers);
        assertThat(m.logit(0, 2)).isEqualTo(r[0] - r[2]);
    }

    @Test
    void badConfigs_nameTheFileAndField(
            @TempDir Path a, @TempDir Path b, @TempDir Path c, @TempDir Path d, @TempDir Path e, @TempDir Path f)
            throws IOException {
        Path fixture = Fixtures.tinyRewardRanker();
        SegmentRankerTest.copy(fixture, a, cfg -> cfg.remove("head_file"));
        assertThatThrownBy(() -> PairRanker.builder(a).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("ranker_config.json")
                .hasMessageContaining("head_file")
                .hasMessageContaining("reward");
        SegmentRankerTest.copy(fixture, b, cfg -> {});
        byte[] head = Files.readAllBytes(b.resolve("head.bin"));
        Files.write(b.resolve("head.bin"), Arrays.copyOf(head, head.length - 4));
        assertThatThrownBy(() -> PairRanker.builder(b).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.bin")
                .hasMessageContaining("found " + (head.length - 4));
        SegmentRankerTest.copy(fixture, c, cfg -> cfg.put("hidden_size", 48));
        assertThatThrownBy(() -> PairRanker.builder(c).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.bin")
                .hasMessageContaining("hidden_size")
                .hasMessageContaining("48");
        SegmentRankerTest.copy(fixture, d, cfg -> cfg.put("layout", "pairrm"));
        assertThatThrownBy(() -> PairRanker.builder(d).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("ranker_config.json")
                .hasMessageContaining("layout")
                .hasMessageContaining("pairrm");
        SegmentRankerTest.copy(fixture, e, cfg -> cfg.put("candidate1_prefix", "<|candidate1|>"));
        assertThatThrownBy(() -> PairRanker.builder(e).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("candidate1_prefix")
                .hasMessageContaining("reward");
        SegmentRankerTest.copy(fixture, f, cfg -> cfg.remove("hidden_size"));
        assertThatThrownBy(() -> PairRanker.builder(f).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("ranker_config.json")
                .hasMessageContaining("hidden_size");
    }

    @Test
    void aHeadWithANonFiniteValue_isRefused(@TempDir Path dir) throws IOException {
        SegmentRankerTest.copy(Fixtures.tinyRewardRanker(), dir, cfg -> {});
        byte[] head = Files.readAllBytes(dir.resolve("head.bin"));
        java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(head.length - 4, Float.NaN);
        Files.write(dir.resolve("head.bin"), head);
        assertThatThrownBy(() -> PairRanker.builder(dir).device("cpu").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.bin")
                .hasMessageContaining("non-finite");
    }
}
