package io.llmblender.router.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterHeadTest {

    private static final int DIM = 16;
    private static final List<String> LLMS = List.of("first", "second", "third");
    private static final List<String> TWO = List.of("a", "b");

    /** Synthetic data: feature 0 > 0.5 makes LLM 0 best, else feature 1 > 0.5 LLM 1, else LLM 2. */
    record Data(float[][] x, double[][] y, int[] best) {
        static Data make(int rows, long seed) {
            Random random = new Random(seed);
            float[][] x = new float[rows][DIM];
            double[][] y = new double[rows][];
            int[] best = new int[rows];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < DIM; i++) {
                    x[r][i] = random.nextFloat();
                }
                best[r] = x[r][0] > 0.5f ? 0 : x[r][1] > 0.5f ? 1 : 2;
                y[r] = new double[] {0.1, 0.1, 0.1};
                y[r][best[r]] = 0.8;
            }
            return new Data(x, y, best);
        }
    }

    private static Data train;
    private static Data heldOut;
    private static RouterHead head;
    private static long trainMillis;

    @BeforeAll
    static void trainOnce() {
        train = Data.make(600, 1);
        heldOut = Data.make(200, 2);
        long start = System.nanoTime();
        head = RouterHeadTrainer.train(train.x(), train.y(), LLMS, HeadConfig.defaults());
        trainMillis = (System.nanoTime() - start) / 1_000_000;
    }

    @AfterAll
    static void closeHead() {
        head.close();
    }

    private static double accuracy(RouterHead router, Data data) {
        double[][] p = router.distributions(data.x());
        int correct = 0;
        for (int r = 0; r < p.length; r++) {
            int arg = 0;
            for (int i = 1; i < p[r].length; i++) {
                if (p[r][i] > p[r][arg]) {
                    arg = i;
                }
            }
            if (arg == data.best()[r]) {
                correct++;
            }
        }
        return (double) correct / p.length;
    }

    @Test
    void learnsTheVisibleFeatureWellAboveChance() {
        double accuracy = accuracy(head, heldOut);
        TrainingMetrics m = head.metrics();
        System.out.printf("router head: held-out accuracy %.3f, %s, trained in %d ms%n", accuracy, m, trainMillis);
        assertThat(accuracy).isGreaterThan(0.8);
        assertThat(m.validationRows()).isEqualTo(60);
        assertThat(m.trainRows()).isEqualTo(540);
        assertThat(m.bestEpoch()).isBetween(1, m.epochsRun());
        assertThat(m.validationAccuracy()).isGreaterThan(0.8);
        assertThat(m.validationLoss()).isGreaterThanOrEqualTo(0).isLessThan(0.5);
        assertThat(head.dim()).isEqualTo(DIM);
        assertThat(head.size()).isEqualTo(3);
    }

    @Test
    void distributionsAreProbabilities() {
        double[][] p = head.distributions(heldOut.x());
        assertThat(p).hasNumberOfRows(200);
        for (double[] row : p) {
            assertThat(row).hasSize(3);
            double sum = 0;
            for (double v : row) {
                assertThat(v).isBetween(0.0, 1.0);
                sum += v;
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        }
        // One row alone and the same row in a batch agree up to float32 rounding (BLAS kernels differ).
        assertThat(head.distribution(heldOut.x()[7])).containsExactly(p[7], org.assertj.core.data.Offset.offset(1e-6));
        assertThat(head.distributions(new float[0][])).isEmpty();
    }

    @Test
    void sameSeedGivesIdenticalHeadsAndOtherSeedDiffers() {
        Data small = Data.make(200, 3);
        HeadConfig config = HeadConfig.builder().hidden(32).epochs(4).seed(7).build();
        try (RouterHead a = RouterHeadTrainer.train(small.x(), small.y(), LLMS, config);
                RouterHead b = RouterHeadTrainer.train(small.x(), small.y(), LLMS, config);
                RouterHead c = RouterHeadTrainer.train(
                        small.x(), small.y(), LLMS, config.toBuilder().seed(8).build())) {
            double[][] pa = a.distributions(heldOut.x());
            assertThat(b.distributions(heldOut.x())).isDeepEqualTo(pa);
            assertThat(b.metrics()).isEqualTo(a.metrics());
            assertThat(c.distributions(heldOut.x())[0]).isNotEqualTo(pa[0]);
        }
    }

    @Test
    void saveLoadRoundTripGivesIdenticalDistributions(@TempDir Path dir) {
        HeadFiles.save(head, dir);
        assertThat(dir.resolve(HeadFiles.CONFIG_FILE)).isRegularFile();
        assertThat(dir.resolve(HeadFiles.PARAMS_FILE)).isRegularFile();
        try (RouterHead loaded = HeadFiles.load(dir)) {
            assertThat(loaded.distributions(heldOut.x())).isDeepEqualTo(head.distributions(heldOut.x()));
            assertThat(loaded.metrics()).isEqualTo(head.metrics());
            assertThat(loaded.config()).isEqualTo(head.config());
            assertThat(loaded.dim()).isEqualTo(DIM);
            assertThat(loaded.size()).isEqualTo(3);
        }
    }

    @Test
    void noValidationSplitTrainsEveryEpochAndRoundTripsNaNMetrics(@TempDir Path dir) {
        Data small = Data.make(100, 4);
        HeadConfig config = HeadConfig.builder()
                .hidden(8)
                .epochs(3)
                .validationShare(0)
                .dropout(0)
                .build();
        try (RouterHead h = RouterHeadTrainer.train(small.x(), small.y(), LLMS, config)) {
            TrainingMetrics m = h.metrics();
            assertThat(m.epochsRun()).isEqualTo(3);
            assertThat(m.bestEpoch()).isEqualTo(3);
            assertThat(m.validationRows()).isZero();
            assertThat(m.validationLoss()).isNaN();
            assertThat(m.validationAccuracy()).isNaN();
            assertThat(m.stoppedEarly()).isFalse();
            HeadFiles.save(h, dir);
            try (RouterHead loaded = HeadFiles.load(dir)) {
                assertThat(loaded.metrics()).isEqualTo(m);
            }
        }
    }

    @Test
    void earlyStoppingStopsAndKeepsTheBestEpoch() {
        Data small = Data.make(120, 5);
        // A large learning rate overfits fast, so the validation loss stops improving early.
        HeadConfig config = HeadConfig.builder()
                .hidden(64)
                .epochs(200)
                .patience(2)
                .learningRate(0.05)
                .validationShare(0.3)
                .build();
        try (RouterHead h = RouterHeadTrainer.train(small.x(), small.y(), LLMS, config)) {
            TrainingMetrics m = h.metrics();
            assertThat(m.stoppedEarly()).isTrue();
            assertThat(m.epochsRun()).isLessThan(200).isEqualTo(m.bestEpoch() + 2);
        }
    }

    @Test
    void concurrentCallsEqualSequentialOnes() throws Exception {
        double[][] expected = head.distributions(heldOut.x());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<double[][]>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    double[][] out = new double[heldOut.x().length][];
                    for (int repeat = 0; repeat < 3; repeat++) {
                        for (int r = 0; r < out.length; r++) {
                            out[r] = head.distribution(heldOut.x()[r]);
                        }
                    }
                    return out;
                }));
            }
            double[][] single = new double[expected.length][];
            for (int r = 0; r < single.length; r++) {
                single[r] = head.distribution(heldOut.x()[r]);
            }
            for (Future<double[][]> future : futures) {
                assertThat(future.get()).isDeepEqualTo(single);
            }
            for (int r = 0; r < single.length; r++) {
                for (int i = 0; i < 3; i++) {
                    assertThat(single[r][i]).isCloseTo(expected[r][i], org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void rejectsBadInputs() {
        float[][] x = {{1f, 2f}, {3f, 4f}, {5f, 6f}};
        double[][] y = {{0.5, 0.5}, {1, 0}, {0, 1}};
        HeadConfig config = HeadConfig.builder().hidden(4).epochs(1).build();
        assertThatThrownBy(() -> RouterHeadTrainer.train(new float[0][], new double[0][], TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings");
        assertThatThrownBy(() -> RouterHeadTrainer.train(x, new double[][] {{1, 0}}, TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels")
                .hasMessageContaining("1");
        assertThatThrownBy(() -> RouterHeadTrainer.train(new float[][] {{1f, 2f}, {3f}, {5f, 6f}}, y, TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings[1]");
        assertThatThrownBy(() ->
                        RouterHeadTrainer.train(new float[][] {{1f, 2f}, {Float.NaN, 4f}, {5f, 6f}}, y, TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings[1][0]")
                .hasMessageContaining("NaN");
        assertThatThrownBy(() ->
                        RouterHeadTrainer.train(x, new double[][] {{0.5, 0.5}, {0.7, 0.7}, {0, 1}}, TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels[1] must sum to 1");
        assertThatThrownBy(() ->
                        RouterHeadTrainer.train(x, new double[][] {{0.5, 0.5}, {1.5, -0.5}, {0, 1}}, TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels[1][1]");
        assertThatThrownBy(() -> RouterHeadTrainer.train(x, new double[][] {{1}, {1}, {1}}, TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 LLMs");
        assertThatThrownBy(() -> RouterHeadTrainer.train(new float[][] {{1f}}, new double[][] {{1, 0}}, TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("training row");
        assertThatThrownBy(() -> RouterHeadTrainer.train(x, y, TWO, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("config");
        assertThatThrownBy(() -> head.distribution(new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length 16, found 3");
    }

    @Test
    void closedHeadRefusesCallsButStillSaves(@TempDir Path dir) {
        Data small = Data.make(50, 6);
        RouterHead h = RouterHeadTrainer.train(
                small.x(),
                small.y(),
                LLMS,
                HeadConfig.builder().hidden(4).epochs(1).build());
        double[] before = h.distribution(small.x()[0]);
        h.close();
        h.close();
        assertThatThrownBy(() -> h.distribution(small.x()[0]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        HeadFiles.save(h, dir);
        try (RouterHead loaded = HeadFiles.load(dir)) {
            assertThat(loaded.distribution(small.x()[0])).containsExactly(before);
        }
    }

    @Test
    void loadErrorsNameTheFileAndProblem(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("missing head.json");
        HeadFiles.save(head, dir);
        Path params = dir.resolve(HeadFiles.PARAMS_FILE);
        Path json = dir.resolve(HeadFiles.CONFIG_FILE);
        byte[] good = Files.readAllBytes(params);
        String goodJson = Files.readString(json);

        Files.write(params, java.util.Arrays.copyOf(good, good.length - 5));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.params")
                .hasMessageContaining("truncated");
        Files.write(params, java.util.Arrays.copyOf(good, 7));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("truncated");
        Files.write(params, java.util.Arrays.copyOf(good, good.length + 4));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("too long");
        byte[] badMagic = good.clone();
        badMagic[0] ^= 1;
        Files.write(params, badMagic);
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("magic");
        Files.write(params, good);

        Files.writeString(json, goodJson.replace("\"dim\" : 16", "\"dim\" : 15"));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.params")
                .hasMessageContaining("dim 16")
                .hasMessageContaining("dim 15");
        Files.writeString(json, goodJson.replace("\"dropout\" : 0.1", "\"dropout\" : 1.5"));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("head.json")
                .hasMessageContaining("dropout must be in [0, 1), found 1.5");
        Files.writeString(json, goodJson.replace("\"format\"", "\"colour\" : 1, \"format\""));
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unknown fields [colour]");
        Files.writeString(json, "{ not json");
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("not valid JSON");
        Files.writeString(json, goodJson);
        Files.delete(params);
        assertThatThrownBy(() -> HeadFiles.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("missing head.params");
    }

    @Test
    void llmOrderRoundTripsThroughSaveAndLoad(@TempDir Path dir) throws IOException {
        Data small = Data.make(60, 8);
        List<String> order = List.of("zeta", "alpha", "mid");
        try (RouterHead h = RouterHeadTrainer.train(
                small.x(),
                small.y(),
                order,
                HeadConfig.builder().hidden(4).epochs(1).build())) {
            assertThat(h.llms()).isEqualTo(order);
            assertThat(h.size()).isEqualTo(3);
            HeadFiles.save(h, dir);
            assertThat(Files.readString(dir.resolve(HeadFiles.CONFIG_FILE)))
                    .contains("\"format\" : 2")
                    .containsSubsequence("\"zeta\"", "\"alpha\"", "\"mid\"");
            try (RouterHead loaded = HeadFiles.load(dir)) {
                assertThat(loaded.llms()).isEqualTo(order);
                assertThat(loaded.distributions(small.x())).isDeepEqualTo(h.distributions(small.x()));
            }
            try (RouterHead loaded = HeadFiles.load(dir, order)) {
                assertThat(loaded.llms()).isEqualTo(order);
            }
            assertThatThrownBy(() -> HeadFiles.load(dir, List.of("alpha", "mid", "zeta")))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("head.json")
                    .hasMessageContaining("[zeta, alpha, mid]")
                    .hasMessageContaining("[alpha, mid, zeta]");
        }
    }

    @Test
    void labelWidthOtherThanTheNumberOfLlms_isAnErrorNamingBoth() {
        Data small = Data.make(20, 9);
        HeadConfig config = HeadConfig.builder().hidden(4).epochs(1).build();
        assertThatThrownBy(() -> RouterHeadTrainer.train(small.x(), small.y(), TWO, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels have 3 columns")
                .hasMessageContaining("names 2 LLMs");
        assertThatThrownBy(() -> RouterHeadTrainer.train(small.x(), small.y(), List.of("a", "b", "c", "d"), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels have 3 columns")
                .hasMessageContaining("names 4 LLMs");
        assertThatThrownBy(() -> RouterHeadTrainer.train(small.x(), small.y(), List.of("a", "b", "a"), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"a\" twice");
        assertThatThrownBy(() -> RouterHeadTrainer.train(small.x(), small.y(), List.of("a", " ", "c"), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("llms[1]");
        assertThatThrownBy(() -> RouterHeadTrainer.train(small.x(), small.y(), null, config))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("llms");
    }

    @Test
    void sameSeedAndOrderGiveTheSameDistributionsTwice() {
        Data small = Data.make(80, 10);
        HeadConfig config = HeadConfig.builder().hidden(8).epochs(3).seed(42).build();
        try (RouterHead a = RouterHeadTrainer.train(small.x(), small.y(), LLMS, config);
                RouterHead b = RouterHeadTrainer.train(small.x(), small.y(), LLMS, config)) {
            assertThat(b.distributions(heldOut.x())).isDeepEqualTo(a.distributions(heldOut.x()));
            assertThat(b.llms()).isEqualTo(a.llms()).isEqualTo(LLMS);
        }
    }

    @Test
    void callsAfterCloseThrowIllegalState() {
        Data small = Data.make(30, 11);
        RouterHead h = RouterHeadTrainer.train(
                small.x(),
                small.y(),
                LLMS,
                HeadConfig.builder().hidden(4).epochs(1).build());
        h.close();
        assertThatThrownBy(() -> h.distributions(small.x()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> h.distributions(new float[0][]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(h.llms()).isEqualTo(LLMS);
        assertThat(h.metrics().epochsRun()).isEqualTo(1);
    }

    @Test
    void closeWaitsForCallsInFlightAndLaterCallsFail() throws Exception {
        Data small = Data.make(30, 12);
        Data big = Data.make(3000, 13);
        RouterHead h = RouterHeadTrainer.train(
                small.x(),
                small.y(),
                LLMS,
                HeadConfig.builder().hidden(8).epochs(1).build());
        double[][] expected = h.distributions(big.x());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(3);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                futures.add(pool.submit(() -> {
                    started.countDown();
                    int completed = 0;
                    while (true) {
                        double[][] p;
                        try {
                            p = h.distributions(big.x());
                        } catch (IllegalStateException e) {
                            assertThat(e).hasMessageContaining("closed");
                            return completed;
                        }
                        // A call that was let in ran to the end on live native memory.
                        assertThat(p).isDeepEqualTo(expected);
                        completed++;
                    }
                }));
            }
            started.await();
            Thread.sleep(50);
            h.close();
            for (Future<Integer> future : futures) {
                assertThat(future.get(60, java.util.concurrent.TimeUnit.SECONDS))
                        .isNotNegative();
            }
            assertThatThrownBy(() -> h.distribution(big.x()[0])).isInstanceOf(IllegalStateException.class);
        } finally {
            pool.shutdownNow();
            h.close();
        }
    }
}
