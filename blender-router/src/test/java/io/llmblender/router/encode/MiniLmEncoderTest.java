package io.llmblender.router.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real all-MiniLM-L6-v2 from its Maven artifact, offline. */
class MiniLmEncoderTest {

    private static MiniLmEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = MiniLmEncoder.load(Path.of("target", "minilm-cache"));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    @Test
    void encode_givesUnitVectorsOf384() {
        float[][] v = encoder.encode(List.of("How do I bake bread?", ""));
        assertThat(encoder.dimension()).isEqualTo(384);
        for (float[] row : v) {
            assertThat(row).hasSize(384);
            assertThat(cosine(row, row)).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void encode_placesRelatedQueriesCloserThanUnrelatedOnes() {
        float[][] v = encoder.encode(List.of(
                "How do I bake sourdough bread at home?",
                "What is a good recipe for homemade bread?",
                "Why did the stock market crash in 1929?",
                "Solve 12 * 7 + 3.",
                "What is 15 times 4 minus 2?"));
        assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]) + 0.2);
        assertThat(cosine(v[3], v[4])).isGreaterThan(cosine(v[3], v[2]));
    }

    @Test
    void load_withOneThread_encodesAsTheDefaultDoes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) {
        assertThatThrownBy(() -> MiniLmEncoder.load(cache, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        try (MiniLmEncoder one = MiniLmEncoder.load(cache, 1)) {
            float[] a = one.encode(List.of("How do I bake bread?"))[0];
            float[] b = encoder.encode(List.of("How do I bake bread?"))[0];
            for (int d = 0; d < a.length; d++) {
                assertThat(a[d]).isCloseTo(b[d], within(1e-5f));
            }
        }
    }

    @Test
    void encode_batchOfDifferentLengths_equalsOneByOne() {
        List<String> queries =
                List.of("short", "a much longer query about routing questions to the best model", "她每天卖 9 个鸡蛋 🥚");
        float[][] together = encoder.encode(queries);
        for (int i = 0; i < queries.size(); i++) {
            float[] alone = encoder.encode(List.of(queries.get(i)))[0];
            for (int d = 0; d < alone.length; d++) {
                assertThat(together[i][d]).isCloseTo(alone[d], within(1e-4f));
            }
        }
    }

    @Test
    void encode_fromManyThreads_equalsSequential() throws Exception {
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            queries.add("question number " + i + " about " + (i % 2 == 0 ? "math" : "history"));
        }
        float[][] sequential = encoder.encode(queries);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (String q : queries) {
                futures.add(pool.submit(() -> encoder.encode(List.of(q))[0]));
            }
            for (int i = 0; i < queries.size(); i++) {
                float[] got = futures.get(i).get();
                for (int d = 0; d < got.length; d++) {
                    assertThat(got[d]).isCloseTo(sequential[i][d], within(1e-4f));
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void encode_longQuery_isCutNotRejected() {
        assertThat(encoder.encode(List.of("word ".repeat(5000)))[0]).hasSize(384);
    }

    @Test
    void encode_nullQuery_namesTheIndex() {
        assertThatThrownBy(() -> encoder.encode(java.util.Arrays.asList("a", null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("queries[1]");
    }
}
