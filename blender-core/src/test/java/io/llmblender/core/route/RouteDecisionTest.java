package io.llmblender.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteDecisionTest {

    private static final List<String> NAMES = List.of("a", "b", "c");

    @Test
    void chosen_isMostProbable() {
        RouteDecision d = RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3});

        assertThat(d.chosen()).isEqualTo("b");
        assertThat(d.confidence()).isEqualTo(0.5);
    }

    @Test
    void chosen_tie_goesToLowestIndex() {
        RouteDecision d = RouteDecision.of(NAMES, new double[] {0.2, 0.4, 0.4});

        assertThat(d.chosen()).isEqualTo("b");
        assertThat(d.confidence()).isEqualTo(0.4);
    }

    @Test
    void chosen_uniform_isFirst() {
        assertThat(RouteDecision.of(NAMES, new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3})
                        .chosen())
                .isEqualTo("a");
    }

    @Test
    void chosen_singleName_hasFullConfidence() {
        RouteDecision d = RouteDecision.of(List.of("only"), new double[] {1.0});

        assertThat(d.chosen()).isEqualTo("only");
        assertThat(d.confidence()).isEqualTo(1.0);
    }

    @Test
    void topK_mostProbableFirst() {
        assertThat(RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3}).topK(2))
                .containsExactly("b", "c");
    }

    @Test
    void topK_ties_byIndex() {
        assertThat(RouteDecision.of(List.of("a", "b", "c", "d"), new double[] {0.1, 0.3, 0.3, 0.3})
                        .topK(4))
                .containsExactly("b", "c", "d", "a");
    }

    @Test
    void topK_negativeAndPositiveZero_tieByIndex() {
        assertThat(RouteDecision.of(List.of("a", "b", "c"), new double[] {1.0, -0.0, 0.0})
                        .topK(3))
                .containsExactly("a", "b", "c");
    }

    @Test
    void probability_null_throwsNamingIt() {
        RouteDecision d = RouteDecision.of(List.of("a"), new double[] {1.0});

        assertThatThrownBy(() -> d.probability(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
    }

    @Test
    void topK_kAboveN_returnsAll() {
        assertThat(RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3}).topK(10))
                .containsExactly("b", "c", "a");
    }

    @Test
    void topK_zero_throws() {
        RouteDecision d = RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3});

        assertThatThrownBy(() -> d.topK(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k");
    }

    @Test
    void topK_isUnmodifiable() {
        List<String> top = RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3}).topK(2);

        assertThatThrownBy(() -> top.add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void probability_byName() {
        RouteDecision d = RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3});

        assertThat(d.probability("c")).isEqualTo(0.3);
    }

    @Test
    void probability_unknownName_throwsNamingIt() {
        RouteDecision d = RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3});

        assertThatThrownBy(() -> d.probability("zz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zz");
    }

    @Test
    void of_sizesDiffer_throws() {
        assertThatThrownBy(() -> RouteDecision.of(NAMES, new double[] {0.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3")
                .hasMessageContaining("2");
    }

    @Test
    void of_empty_throws() {
        assertThatThrownBy(() -> RouteDecision.of(List.of(), new double[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_duplicateNames_throws() {
        assertThatThrownBy(() -> RouteDecision.of(List.of("a", "b", "a"), new double[] {0.2, 0.5, 0.3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"a\"");
    }

    @Test
    void of_blankName_throws() {
        assertThatThrownBy(() -> RouteDecision.of(List.of("a", " "), new double[] {0.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names[1]");
    }

    @Test
    void of_negativeProbability_throws() {
        assertThatThrownBy(() -> RouteDecision.of(NAMES, new double[] {-0.1, 0.6, 0.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probabilities[0]")
                .hasMessageContaining("-0.1");
    }

    @Test
    void of_probabilityAboveOne_throws() {
        assertThatThrownBy(() -> RouteDecision.of(List.of("a", "b"), new double[] {1.5, -0.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probabilities[0]")
                .hasMessageContaining("1.5");
    }

    @Test
    void of_sumNotOne_throws() {
        assertThatThrownBy(() -> RouteDecision.of(NAMES, new double[] {0.2, 0.2, 0.2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sum");
    }

    @Test
    void of_sumWithinTolerance_accepted() {
        RouteDecision d = RouteDecision.of(List.of("a", "b"), new double[] {0.50004, 0.5});

        assertThat(d.chosen()).isEqualTo("a");
    }

    @Test
    void of_nan_throws() {
        assertThatThrownBy(() -> RouteDecision.of(List.of("a", "b"), new double[] {Double.NaN, 1.0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probabilities[0]")
                .hasMessageContaining("NaN");
    }

    @Test
    void of_infinite_throws() {
        assertThatThrownBy(() -> RouteDecision.of(List.of("a", "b"), new double[] {Double.POSITIVE_INFINITY, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probabilities[0]");
    }

    @Test
    void of_nullNames_throwsNamingField() {
        assertThatThrownBy(() -> RouteDecision.of(null, new double[] {1.0}))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("names");
    }

    @Test
    void probabilities_returnsCopy() {
        RouteDecision d = RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3});

        d.probabilities()[1] = 0.0;

        assertThat(d.probabilities()).containsExactly(new double[] {0.2, 0.5, 0.3}, within(0.0));
        assertThat(d.chosen()).isEqualTo("b");
    }

    @Test
    void of_copiesInputs() {
        List<String> names = new ArrayList<>(NAMES);
        double[] p = {0.2, 0.5, 0.3};
        RouteDecision d = RouteDecision.of(names, p);

        names.set(1, "zz");
        p[1] = 0.0;

        assertThat(d.names()).containsExactly("a", "b", "c");
        assertThat(d.probability("b")).isEqualTo(0.5);
    }

    @Test
    void names_areUnmodifiable() {
        List<String> names =
                RouteDecision.of(NAMES, new double[] {0.2, 0.5, 0.3}).names();

        assertThatThrownBy(() -> names.add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
