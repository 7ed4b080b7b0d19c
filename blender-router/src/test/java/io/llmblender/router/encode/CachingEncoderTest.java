package io.llmblender.router.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CachingEncoderTest {

    private static MiniLmEncoder minilm;

    /** Counts the queries that reach the real encoder. */
    private static final class Counting implements QueryEncoder {
        final List<List<String>> calls = new ArrayList<>();

        @Override
        public String id() {
            return minilm.id();
        }

        @Override
        public int dimension() {
            return minilm.dimension();
        }

        @Override
        public synchronized float[][] encode(List<String> queries) {
            calls.add(List.copyOf(queries));
            return minilm.encode(queries);
        }

        @Override
        public void close() {}
    }

    @BeforeAll
    static void load() {
        minilm = MiniLmEncoder.load(Path.of("target", "minilm-cache"));
    }

    @AfterAll
    static void close() {
        minilm.close();
    }

    @Test
    void encode_repeatedQueries_encodesEachOnceInOneBatchOfMisses() {
        Counting counting = new Counting();
        CachingEncoder cache = CachingEncoder.wrap(counting, 100);

        float[][] first = cache.encode(List.of("What is 2 plus 2?", "Bake bread."));
        float[][] second = cache.encode(List.of("Bake bread.", "Who ruled Rome?", "What is 2 plus 2?"));

        assertThat(counting.calls)
                .containsExactly(List.of("What is 2 plus 2?", "Bake bread."), List.of("Who ruled Rome?"));
        assertThat(second[0]).containsExactly(first[1]);
        assertThat(second[2]).containsExactly(first[0]);
        assertThat(second[1]).containsExactly(minilm.encode(List.of("Who ruled Rome?"))[0]);
        assertThat(cache.id()).isEqualTo(MiniLmEncoder.ID);
        assertThat(cache.dimension()).isEqualTo(384);
    }

    @Test
    void encode_returnsCopies_soCallersCannotChangeTheCache() {
        CachingEncoder cache = CachingEncoder.wrap(new Counting(), 10);
        float[] v = cache.encode(List.of("q"))[0];
        float original = v[0];
        v[0] = 42f;

        assertThat(cache.encode(List.of("q"))[0][0]).isEqualTo(original);
    }

    @Test
    void encode_pastMaxEntries_dropsTheLeastRecentlyUsed() {
        Counting counting = new Counting();
        CachingEncoder cache = CachingEncoder.wrap(counting, 2);
        cache.encode(List.of("a"));
        cache.encode(List.of("b"));
        cache.encode(List.of("a"));
        cache.encode(List.of("c"));
        cache.encode(List.of("a", "b"));

        assertThat(cache.size()).isEqualTo(2);
        assertThat(counting.calls).containsExactly(List.of("a"), List.of("b"), List.of("c"), List.of("b"));
    }

    @Test
    void close_emptiesTheCacheAndLeavesTheEncoderOpen() {
        CachingEncoder cache = CachingEncoder.wrap(minilm, 10);
        cache.encode(List.of("a"));
        cache.close();

        assertThat(cache.size()).isZero();
        assertThat(minilm.encode(List.of("still open"))).hasNumberOfRows(1);
    }

    @Test
    void wrap_badArguments_nameTheField() {
        assertThatThrownBy(() -> CachingEncoder.wrap(minilm, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEntries");
        assertThatThrownBy(() -> CachingEncoder.wrap(null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("encoder");
    }
}
