package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PairwiseMatrixTest {

    @Test
    void of_completeSquareArray_readsEveryEntry() {
        PairwiseMatrix m = PairwiseMatrix.of(new double[][] {{0, 1.5}, {-2.5, 0}});
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.logit(0, 1)).isEqualTo(1.5);
        assertThat(m.logit(1, 0)).isEqualTo(-2.5);
        assertThat(m.logit(0, 0)).isEqualTo(0.0);
        // 2 x (2 - 1) = 2 off-diagonal entries
        assertThat(m.computedCount()).isEqualTo(2);
        assertThat(m.isComplete()).isTrue();
    }

    @Test
    void of_nonSquare_throws() {
        assertThatThrownBy(() -> PairwiseMatrix.of(new double[][] {{0, 1}, {1}}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PairwiseMatrix.of(new double[][] {{0, 1, 2}, {1, 0, 2}}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_nonZeroDiagonal_throws() {
        assertThatThrownBy(() -> PairwiseMatrix.of(new double[][] {{0, 1}, {1, 0.1}}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_nonFiniteEntry_throws() {
        assertThatThrownBy(() -> PairwiseMatrix.of(new double[][] {{0, Double.NaN}, {1, 0}}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PairwiseMatrix.of(new double[][] {{0, 1}, {Double.POSITIVE_INFINITY, 0}}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_emptyArray_throws() {
        assertThatThrownBy(() -> PairwiseMatrix.of(new double[0][0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_nullArrayOrRow_throwsNpe() {
        assertThatThrownBy(() -> PairwiseMatrix.of(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PairwiseMatrix.of(new double[][] {{0, 1}, null}))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void of_mutatingInputAfterwards_changesNothing() {
        double[][] input = {{0, 1}, {2, 0}};
        PairwiseMatrix m = PairwiseMatrix.of(input);
        input[0][1] = 99;
        input[1][0] = 99;
        assertThat(m.logit(0, 1)).isEqualTo(1.0);
        assertThat(m.logit(1, 0)).isEqualTo(2.0);
    }

    @Test
    void toArray_mutatingResult_changesNothing() {
        PairwiseMatrix m = PairwiseMatrix.of(new double[][] {{0, 1}, {2, 0}});
        m.toArray()[0][1] = 99;
        assertThat(m.logit(0, 1)).isEqualTo(1.0);
    }

    @Test
    void builder_tracksComputedEntries() {
        PairwiseMatrix.Builder b = PairwiseMatrix.builder(3).set(0, 1, 0.5).set(new CandidatePair(2, 0), -1.0);
        PairwiseMatrix m = b.build();
        assertThat(m.isComputed(0, 1)).isTrue();
        assertThat(m.isComputed(2, 0)).isTrue();
        assertThat(m.isComputed(1, 0)).isFalse();
        assertThat(m.isComputed(1, 1)).isFalse();
        assertThat(m.computedCount()).isEqualTo(2);
        // complete needs 3 x 2 = 6
        assertThat(m.isComplete()).isFalse();
        assertThat(m.logit(2, 0)).isEqualTo(-1.0);
    }

    @Test
    void builder_allOffDiagonalSet_isComplete() {
        PairwiseMatrix m = PairwiseMatrix.builder(2).set(0, 1, 1).set(1, 0, 2).build();
        assertThat(m.computedCount()).isEqualTo(2);
        assertThat(m.isComplete()).isTrue();
    }

    @Test
    void builder_settingTwice_keepsLastAndCountsOnce() {
        PairwiseMatrix m = PairwiseMatrix.builder(2).set(0, 1, 1).set(0, 1, 3).build();
        assertThat(m.logit(0, 1)).isEqualTo(3.0);
        assertThat(m.computedCount()).isEqualTo(1);
    }

    @Test
    void builder_buildIsIndependentOfLaterSets() {
        PairwiseMatrix.Builder b = PairwiseMatrix.builder(2).set(0, 1, 1);
        PairwiseMatrix first = b.build();
        b.set(1, 0, 5).set(0, 1, 7);
        assertThat(first.computedCount()).isEqualTo(1);
        assertThat(first.logit(0, 1)).isEqualTo(1.0);
    }

    @Test
    void builder_invalidSets_throw() {
        PairwiseMatrix.Builder b = PairwiseMatrix.builder(2);
        assertThatThrownBy(() -> b.set(1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.set(0, 2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.set(0, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PairwiseMatrix.builder(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void logit_uncomputedEntry_throwsIllegalState() {
        PairwiseMatrix m = PairwiseMatrix.builder(3).set(0, 1, 0.5).build();
        assertThatThrownBy(() -> m.logit(1, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void logit_diagonal_isZeroEvenWhenNothingComputed() {
        assertThat(PairwiseMatrix.builder(2).build().logit(1, 1)).isEqualTo(0.0);
    }

    @Test
    void logit_outOfRange_throws() {
        PairwiseMatrix m = PairwiseMatrix.of(new double[][] {{0, 1}, {2, 0}});
        assertThatThrownBy(() -> m.logit(0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> m.logit(-1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void toArray_uncomputedIsNaN_diagonalZero() {
        double[][] a =
                PairwiseMatrix.builder(3).set(0, 1, 0.5).set(2, 1, -4).build().toArray();
        assertThat(a[0]).containsExactly(0.0, 0.5, Double.NaN);
        assertThat(a[1]).containsExactly(Double.NaN, 0.0, Double.NaN);
        assertThat(a[2]).containsExactly(Double.NaN, -4.0, 0.0);
    }

    @Test
    void equals_sameEntries_areEqual() {
        PairwiseMatrix a = PairwiseMatrix.of(new double[][] {{0, 1}, {2, 0}});
        PairwiseMatrix b = PairwiseMatrix.builder(2).set(1, 0, 2).set(0, 1, 1).build();
        PairwiseMatrix partial = PairwiseMatrix.builder(2).set(0, 1, 1).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(partial);
    }
}
