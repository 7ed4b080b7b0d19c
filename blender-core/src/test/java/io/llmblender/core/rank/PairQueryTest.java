package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PairQueryTest {

    @Test
    void candidatePair_sameOrNegativeIndex_throws() {
        assertThatThrownBy(() -> new CandidatePair(1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CandidatePair(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void candidatePair_reversed_swapsSlots() {
        assertThat(new CandidatePair(2, 5).reversed()).isEqualTo(new CandidatePair(5, 2));
    }

    @Test
    void constructor_emptyCandidates_throws() {
        assertThatThrownBy(() -> new PairQuery("s", List.of(), Set.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructor_pairOutOfRange_throws() {
        assertThatThrownBy(() -> PairQuery.of("s", List.of("a", "b"), List.of(new CandidatePair(0, 2))))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void constructor_nullCandidate_throwsNpe() {
        assertThatThrownBy(() -> PairQuery.full("s", Arrays.asList("a", null)))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void constructor_nullSource_throwsNpe() {
        assertThatThrownBy(() -> PairQuery.full(null, List.of("a"))).isInstanceOf(NullPointerException.class);
    }

    @Test
    void full_threeCandidates_allSixPairsRowMajor() {
        // N(N-1) = 3 * 2 = 6
        assertThat(PairQuery.full("s", List.of("a", "b", "c")).pairList())
                .containsExactly(
                        new CandidatePair(0, 1),
                        new CandidatePair(0, 2),
                        new CandidatePair(1, 0),
                        new CandidatePair(1, 2),
                        new CandidatePair(2, 0),
                        new CandidatePair(2, 1));
    }

    @Test
    void of_keepsGivenOrderAndCopiesInputs() {
        List<String> cands = new ArrayList<>(List.of("a", "b", "c"));
        PairQuery q = PairQuery.of("s", cands, List.of(new CandidatePair(2, 0), new CandidatePair(0, 2)));
        cands.set(0, "changed");
        assertThat(q.candidates()).containsExactly("a", "b", "c");
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.pairList()).containsExactly(new CandidatePair(2, 0), new CandidatePair(0, 2));
    }
}
