package io.llmblender.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmblender.eval.SelectionMetrics.Correlations;
import io.llmblender.eval.SelectionMetrics.Item;
import io.llmblender.eval.SelectionMetrics.Row;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every row and column of {@link SelectionMetrics} on 3 records x 3 candidates (models A, B, C) with ties, against
 * numbers worked out by hand.
 *
 * <pre>
 * record  reference v (A, B, C)   ranking scores   ranking ranks   selected
 * R1      0.8  0.8  0.2           3  2  1          1  2  3         A
 * R2      0.1  0.5  0.9           0  2  1          3  1  2         B
 * R3      0.3  0.6  0.6           1  1  1          1  1  1         A (first of the tied rank 1)
 * </pre>
 */
class SelectionMetricsTest {

    private static final double EPS = 1e-12;
    private static final List<String> ABC = List.of("A", "B", "C");

    static List<Item> fixture() {
        return List.of(
                item(List.of(0.8, 0.8, 0.2), List.of(1, 2, 3), List.of(3.0, 2.0, 1.0)),
                item(List.of(0.1, 0.5, 0.9), List.of(3, 1, 2), List.of(0.0, 2.0, 1.0)),
                item(List.of(0.3, 0.6, 0.6), List.of(1, 1, 1), List.of(1.0, 1.0, 1.0)));
    }

    @Test
    void compute_higherIsBetter_matchesHandComputedRows() {
        SelectionMetrics m = SelectionMetrics.compute("q", false, fixture());

        // Reference ranks (1 = best, ties averaged): R1 A 1.5 B 1.5 C 3; R2 A 3 B 2 C 1; R3 A 3 B 1.5 C 1.5.
        // First (tied for best counts): R1 A, B; R2 C; R3 B, C.
        assertThat(m.metric()).isEqualTo("q");
        assertThat(m.lowerIsBetter()).isFalse();
        assertThat(m.records()).isEqualTo(3);
        assertThat(m.llms()).extracting(Row::name).containsExactly("A", "B", "C");
        // A: v (0.8+0.1+0.3)/3 = 0.4; first 1 of 3; rank (1.5+3+3)/3 = 2.5
        assertRow(m.llms().get(0), "A", 3, 0.4, 1 / 3.0, 2.5);
        // B: v (0.8+0.5+0.6)/3 = 1.9/3; first 2 of 3 (R1, R3); rank (1.5+2+1.5)/3 = 5/3
        assertRow(m.llms().get(1), "B", 3, 1.9 / 3, 2 / 3.0, 5 / 3.0);
        // C: v (0.2+0.9+0.6)/3 = 1.7/3; first 2 of 3 (R2, R3); rank (3+1+1.5)/3 = 5.5/3
        assertRow(m.llms().get(2), "C", 3, 1.7 / 3, 2 / 3.0, 5.5 / 3);
        // random: per-record means 0.6, 0.5, 0.5 -> 1.6/3; shares first 2/3, 1/3, 2/3 -> 5/9; rank (n+1)/2 = 2
        assertRow(m.random(), "random", 3, 1.6 / 3, 5 / 9.0, 2.0);
        // oracle: best values 0.8, 0.9, 0.6 -> 2.3/3; always first; rank (1+t)/2 with t = 2, 1, 2 -> (1.5+1+1.5)/3
        assertRow(m.oracle(), "oracle", 3, 2.3 / 3, 1.0, 4 / 3.0);
        // selection: R1 A (0.8, first, 1.5), R2 B (0.5, not first, 2), R3 A (0.3, not first, 3)
        assertThat(m.selection()).isPresent();
        assertRow(m.selection().get(), "selection (pairrm)", 3, 1.6 / 3, 1 / 3.0, 6.5 / 3);
        assertThat(m.ranker()).contains("pairrm");
        assertThat(m.aggregation()).contains("max_logits");

        // R1: scores [3,2,1] vs v [0.8,0.8,0.2]: ranks [3,2,1] vs [2.5,2.5,1], dx [1,0,-1], dy [0.5,0.5,-1]:
        //     rho = 1.5 / sqrt(2 * 1.5) = sqrt(3)/2; pairs (0,1) tied in v, (0,2) C, (1,2) C: tau = 2/sqrt(3*2)
        // R2: scores [0,2,1] vs v [0.1,0.5,0.9]: ranks [1,3,2] vs [1,2,3], dx [-1,1,0], dy [-1,0,1]:
        //     rho = 1 / sqrt(2 * 2) = 0.5; pairs C, C, D: tau = (2-1)/3 = 1/3
        // R3: constant ranking scores: undefined, counted apart
        Correlations c = m.correlations().orElseThrow();
        assertThat(c.spearman().getAsDouble()).isCloseTo((Math.sqrt(3) / 2 + 0.5) / 2, within(EPS));
        assertThat(c.kendallTauB().getAsDouble()).isCloseTo((2 / Math.sqrt(6) + 1 / 3.0) / 2, within(EPS));
        assertThat(c.records()).isEqualTo(2);
        assertThat(c.undefined()).isEqualTo(1);
    }

    @Test
    void compute_lowerIsBetter_flipsBestRanksAndCorrelationSigns() {
        SelectionMetrics m = SelectionMetrics.compute("loss", true, fixture());

        // Reference ranks (smaller v is better): R1 A 2.5 B 2.5 C 1; R2 A 1 B 2 C 3; R3 A 1 B 2.5 C 2.5.
        // First: R1 C; R2 A; R3 A.
        assertThat(m.lowerIsBetter()).isTrue();
        assertRow(m.llms().get(0), "A", 3, 0.4, 2 / 3.0, (2.5 + 1 + 1) / 3);
        assertRow(m.llms().get(1), "B", 3, 1.9 / 3, 0.0, (2.5 + 2 + 2.5) / 3);
        assertRow(m.llms().get(2), "C", 3, 1.7 / 3, 1 / 3.0, (1 + 3 + 2.5) / 3);
        // random: one best per record -> share first 1/3
        assertRow(m.random(), "random", 3, 1.6 / 3, 1 / 3.0, 2.0);
        // oracle: best values 0.2, 0.1, 0.3 -> 0.2; no ties for best -> rank 1
        assertRow(m.oracle(), "oracle", 3, 0.6 / 3, 1.0, 1.0);
        // selection: R1 A (0.8, 2.5), R2 B (0.5, 2), R3 A (0.3, first, 1)
        assertRow(m.selection().orElseThrow(), "selection (pairrm)", 3, 1.6 / 3, 1 / 3.0, 5.5 / 3);
        // the reference is negated before correlating, so every per-record value flips sign
        Correlations c = m.correlations().orElseThrow();
        assertThat(c.spearman().getAsDouble()).isCloseTo(-(Math.sqrt(3) / 2 + 0.5) / 2, within(EPS));
        assertThat(c.kendallTauB().getAsDouble()).isCloseTo(-(2 / Math.sqrt(6) + 1 / 3.0) / 2, within(EPS));
        assertThat(c.records()).isEqualTo(2);
        assertThat(c.undefined()).isEqualTo(1);
    }

    @Test
    void compute_noRanking_omitsSelectionAndCorrelations() {
        List<Item> unranked = fixture().stream()
                .map(i -> new Item(i.models(), i.reference(), Optional.empty()))
                .toList();

        SelectionMetrics m = SelectionMetrics.compute("q", false, unranked);

        assertThat(m.selection()).isEmpty();
        assertThat(m.correlations()).isEmpty();
        assertThat(m.ranker()).isEmpty();
        assertRow(m.oracle(), "oracle", 3, 2.3 / 3, 1.0, 4 / 3.0);
    }

    @Test
    void compute_modelsVaryAcrossRecords_llmRowsCountTheirOwnCandidates() {
        // R1: A 1.0, D 0.0 (A selected); R2: A 0.0, B 0.0 tied (B selected); R3: D alone, 0.5
        List<Item> items = List.of(
                new Item(List.of("A", "D"), List.of(1.0, 0.0), ranking(List.of(1, 2), List.of(1.0, 0.0))),
                new Item(List.of("A", "B"), List.of(0.0, 0.0), ranking(List.of(2, 1), List.of(0.0, 1.0))),
                new Item(List.of("D"), List.of(0.5), ranking(List.of(1), List.of(7.0))));

        SelectionMetrics m = SelectionMetrics.compute("q", false, items);

        // order of first appearance; A in R1 (first, rank 1) and R2 (tied: first, rank 1.5)
        assertThat(m.llms()).extracting(Row::name).containsExactly("A", "D", "B");
        assertRow(m.llms().get(0), "A", 2, 0.5, 1.0, 1.25);
        // D: R1 0.0 (rank 2), R3 0.5 alone (first, rank 1)
        assertRow(m.llms().get(1), "D", 2, 0.25, 0.5, 1.5);
        assertRow(m.llms().get(2), "B", 1, 0.0, 1.0, 1.5);
        // random: means 0.5, 0.0, 0.5; shares 1/2, 1, 1; ranks 1.5, 1.5, 1
        assertRow(m.random(), "random", 3, 1.0 / 3, 2.5 / 3, 4.0 / 3);
        // oracle: best values 1.0, 0.0, 0.5; ranks of the tied-for-best (1+t)/2 with t = 1, 2, 1
        assertRow(m.oracle(), "oracle", 3, 0.5, 1.0, 3.5 / 3);
        // selection: R1 A (1.0, first, 1), R2 B (0.0, first, 1.5), R3 D (0.5, first, 1)
        assertRow(m.selection().orElseThrow(), "selection (pairrm)", 3, 1.5 / 3, 1.0, 3.5 / 3);
        // R1: scores [1,0] vs [1,0]: 1 and 1; R2: reference tied, R3: one candidate -> undefined
        Correlations c = m.correlations().orElseThrow();
        assertThat(c.spearman().getAsDouble()).isCloseTo(1.0, within(EPS));
        assertThat(c.kendallTauB().getAsDouble()).isCloseTo(1.0, within(EPS));
        assertThat(c.records()).isEqualTo(1);
        assertThat(c.undefined()).isEqualTo(2);
    }

    @Test
    void compute_correlationUndefinedEverywhere_isEmptyButCounted() {
        List<Item> items = List.of(new Item(List.of("A"), List.of(1.0), ranking(List.of(1), List.of(0.0))));

        Correlations c =
                SelectionMetrics.compute("q", false, items).correlations().orElseThrow();

        assertThat(c.spearman()).isEmpty();
        assertThat(c.kendallTauB()).isEmpty();
        assertThat(c.records()).isZero();
        assertThat(c.undefined()).isEqualTo(1);
    }

    @Test
    void compute_someRecordsUnranked_throws() {
        List<Item> items = List.of(fixture().get(0), new Item(ABC, List.of(1.0, 2.0, 3.0), Optional.empty()));

        assertThatThrownBy(() -> SelectionMetrics.compute("q", false, items))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 of 2 records carry a ranking");
    }

    @Test
    void compute_differentRankers_throws() {
        List<Item> items = List.of(
                fixture().get(0),
                new Item(
                        ABC,
                        List.of(1.0, 2.0, 3.0),
                        Optional.of(
                                new RecordRanking("other", "max_logits", List.of(1, 2, 3), List.of(3.0, 2.0, 1.0)))));

        assertThatThrownBy(() -> SelectionMetrics.compute("q", false, items))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("different rankers");
    }

    @Test
    void compute_noItems_throws() {
        assertThatThrownBy(() -> SelectionMetrics.compute("q", false, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no records");
    }

    @Test
    void item_mismatchedLengthsOrNonFiniteValues_throw() {
        assertThatThrownBy(() -> new Item(ABC, List.of(1.0, 2.0), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Item(List.of(), List.of(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Item(List.of("A"), List.of(Double.POSITIVE_INFINITY), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Item(List.of("A"), List.of(1.0), ranking(List.of(1, 2), List.of(1.0, 2.0))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Item item(List<Double> reference, List<Integer> ranks, List<Double> scores) {
        return new Item(ABC, reference, ranking(ranks, scores));
    }

    private static Optional<RecordRanking> ranking(List<Integer> ranks, List<Double> scores) {
        return Optional.of(new RecordRanking("pairrm", "max_logits", ranks, scores));
    }

    private static void assertRow(
            Row row, String name, int count, double meanMetric, double shareFirst, double meanRank) {
        assertThat(row.name()).isEqualTo(name);
        assertThat(row.count()).as("count of " + name).isEqualTo(count);
        assertThat(row.meanMetric()).as("mean metric of " + name).isCloseTo(meanMetric, within(EPS));
        assertThat(row.shareFirst()).as("share first of " + name).isCloseTo(shareFirst, within(EPS));
        assertThat(row.meanRank()).as("mean rank of " + name).isCloseTo(meanRank, within(EPS));
    }
}
