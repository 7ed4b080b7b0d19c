package io.llmblender.router.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.router.encode.MiniLmEncoder;
import io.llmblender.router.encode.QueryEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterTaggerTest {

    /** Reads a query "x,y" as the point (x, y), so the clusters can be checked by hand. */
    private static final QueryEncoder POINTS = new QueryEncoder() {
        @Override
        public String id() {
            return "points";
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public float[][] encode(List<String> queries) {
            float[][] out = new float[queries.size()][];
            for (int i = 0; i < out.length; i++) {
                String[] xy = queries.get(i).split(",");
                out[i] = new float[] {Float.parseFloat(xy[0]), Float.parseFloat(xy[1])};
            }
            return out;
        }

        @Override
        public void close() {}
    };

    private static List<String> blobs(long seed) {
        Random random = new Random(seed);
        double[][] centres = {{0, 0}, {10, 0}, {0, 10}};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            double[] c = centres[i % 3];
            out.add((c[0] + random.nextGaussian()) + "," + (c[1] + random.nextGaussian()));
        }
        return out;
    }

    @Test
    void fit_threeBlobs_findsThem() {
        List<String> queries = blobs(1);
        ClusterTagger tagger = ClusterTagger.fit(POINTS, queries, 3, 7);

        for (int blob = 0; blob < 3; blob++) {
            int cluster = tagger.cluster(queries.get(blob));
            for (int i = blob; i < queries.size(); i += 3) {
                assertThat(tagger.cluster(queries.get(i))).as(queries.get(i)).isEqualTo(cluster);
            }
        }
        assertThat(Set.of(tagger.cluster("0,0"), tagger.cluster("10,0"), tagger.cluster("0,10")))
                .hasSize(3);
        assertThat(tagger.tags("10.2,0.3")).containsExactly(ClusterTagger.PREFIX + tagger.cluster("10,0"));
        assertThat(tagger.iterations()).isBetween(1, 100);
    }

    @Test
    void fit_sameSeed_sameClusters() {
        List<String> queries = blobs(2);
        ClusterTagger a = ClusterTagger.fit(POINTS, queries, 4, 5);
        ClusterTagger b = ClusterTagger.fit(POINTS, queries, 4, 5);

        for (String q : queries) {
            assertThat(b.cluster(q)).isEqualTo(a.cluster(q));
        }
    }

    @Test
    void fit_duplicatePoints_keepsEveryClusterIndexValid() {
        List<String> queries = List.of("1,1", "1,1", "1,1", "5,5");
        ClusterTagger tagger = ClusterTagger.fit(POINTS, queries, 3, 0);

        assertThat(tagger.clusters()).isEqualTo(3);
        assertThat(tagger.cluster("1,1")).isNotEqualTo(tagger.cluster("5,5"));
    }

    @Test
    void fit_realEncoder_separatesKindsOfTask() {
        List<String> math = List.of(
                "What is 17 plus 25?",
                "Compute 12 times 9.",
                "How much is 100 minus 37?",
                "Divide 81 by 9.",
                "What is 3 squared plus 4 squared?");
        List<String> cooking = List.of(
                "How long do I bake sourdough bread?",
                "A pancake recipe for four people?",
                "How do I cook rice on the stove?",
                "What spices go into a curry?",
                "How do I roast vegetables?");
        List<String> all = new ArrayList<>(math);
        all.addAll(cooking);
        try (MiniLmEncoder encoder = MiniLmEncoder.load(Path.of("target", "minilm-cache"))) {
            ClusterTagger tagger = ClusterTagger.fit(encoder, all, 2, 0);

            int mathCluster = tagger.cluster(math.get(0));
            for (String q : math) {
                assertThat(tagger.cluster(q)).as(q).isEqualTo(mathCluster);
            }
            for (String q : cooking) {
                assertThat(tagger.cluster(q)).as(q).isNotEqualTo(mathCluster);
            }
            assertThat(tagger.cluster("What is 6 times 7?")).isEqualTo(mathCluster);
        }
    }

    @Test
    void fit_badArguments_nameFieldAndValue() {
        assertThatThrownBy(() -> ClusterTagger.fit(POINTS, List.of("1,1"), 2, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clusters must be at most the number of queries (1), found 2");
        assertThatThrownBy(() -> ClusterTagger.fit(POINTS, List.of("1,1"), 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clusters");
    }
}
