package io.llmblender.eval.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Three LLMs, four queries: every number below is worked out by hand. */
class RoutingEvaluationTest {

    private static final Offset<Double> EPS = Offset.offset(1e-9);

    // scores[q][i]; LLM a is the best single (mean 0.75), the oracle gets 1 everywhere.
    private static final double[][] SCORES = {
        {1, 0, 0},
        {1, 1, 0},
        {0, 0, 1},
        {1, 0, 0}
    };

    private static RoutingTable table() {
        String[][] answers = new String[4][3];
        for (int q = 0; q < 4; q++) {
            for (int i = 0; i < 3; i++) {
                answers[q][i] = "answer " + q + i;
            }
        }
        return RoutingTable.of(
                "correct",
                false,
                List.of("q0", "q1", "q2", "q3"),
                List.of("w", "x", "y", "z"),
                List.of("a", "b", "c"),
                answers,
                SCORES);
    }

    /** A router that is sure and right except on q2, where it is unsure and prefers a, then c. */
    private static RouterPredictions router() {
        return RouterPredictions.of("r", new double[][] {
            {0.9, 0.05, 0.05},
            {0.1, 0.8, 0.1},
            {0.5, 0.1, 0.4},
            {0.9, 0.05, 0.05}
        });
    }

    /** A ranker that prefers c over everything and otherwise the lower index. */
    private static RankerMatrices ranker() {
        double[][] m = {
            {0, 1, -2},
            {-1, 0, -2},
            {2, 2, 0}
        };
        return RankerMatrices.of("toy", Map.of(0, m, 1, m, 2, m, 3, m));
    }

    @Test
    void evaluate_baselines() {
        RoutingReport r = RoutingEvaluation.evaluate(
                table(), Prices.calls(List.of("a", "b", "c")), List.of(router()), Optional.empty(), List.of(2), 4);

        assertThat(r.row(false, "a alone").meanScore()).isCloseTo(0.75, EPS);
        assertThat(r.row(false, "b alone").meanScore()).isCloseTo(0.25, EPS);
        SystemRow random = r.row(false, "random");
        assertThat(random.meanScore()).isCloseTo(5.0 / 12, EPS);
        // first shares per query: 1/3, 2/3, 1/3, 1/3
        assertThat(random.shareFirst()).isCloseTo(5.0 / 12, EPS);
        assertThat(random.meanRank()).isCloseTo(2.0, EPS);
        SystemRow oracle = r.row(false, "oracle");
        assertThat(oracle.meanScore()).isEqualTo(1.0);
        assertThat(oracle.shareFirst()).isEqualTo(1.0);
        // q1 has a and b tied for best: rank 1.5 there
        assertThat(oracle.meanRank()).isCloseTo((1 + 1.5 + 1 + 1) / 4, EPS);
        SystemRow routed = r.row(false, "r");
        assertThat(routed.meanScore()).isCloseTo(0.75, EPS); // wrong on q2 only
        assertThat(routed.callsPerQuery()).isEqualTo(1.0);
        assertThat(r.rankedRows()).isEmpty();
        assertThat(r.routerChoices().get("r"))
                .containsExactly(Map.entry("a", 0.75), Map.entry("b", 0.25), Map.entry("c", 0.0));
    }

    @Test
    void evaluate_rankerAndAdaptive() {
        RoutingReport r = RoutingEvaluation.evaluate(
                table(), Prices.calls(List.of("a", "b", "c")), List.of(router()), Optional.of(ranker()), List.of(2), 4);

        // the ranker always picks c: right on q2 only
        SystemRow pick = r.row(true, "ranker pick of all 3");
        assertThat(pick.meanScore()).isCloseTo(0.25, EPS);
        assertThat(pick.callsPerQuery()).isEqualTo(3.0);
        // top-2 + ranker: q0 {a,b} -> a (1), q1 {b,a} -> a (1), q2 {a,c} -> c (1), q3 {a,b} -> a (1)
        assertThat(r.row(true, "r top-2 + ranker").meanScore()).isEqualTo(1.0);
        // adaptive at 1.5 calls: the 2 least confident queries (q2 0.5, q1 0.8) fan out: all right
        SystemRow half = r.row(true, "r adaptive top-2 at 1.5 calls");
        assertThat(half.callsPerQuery()).isCloseTo(1.5, EPS);
        assertThat(half.meanScore()).isEqualTo(1.0);
        SystemRow two = r.row(true, "r adaptive top-2 at 2.0 calls");
        assertThat(two.callsPerQuery()).isEqualTo(2.0);

        CostCurve adaptive = r.curve("r adaptive top-2");
        assertThat(adaptive.points()).hasSize(5);
        assertThat(adaptive.points().get(0).quality()).isCloseTo(0.75, EPS); // nobody fans out: the router
        assertThat(adaptive.points().get(1).quality()).isEqualTo(1.0); // q2 fans out first
        // from the best single (0.75) to the oracle (1): PGR 0 at 1 call, then 1 from 1.25 calls on
        GapRecovery g = r.recoveries().get("r adaptive top-2");
        assertThat(g.low()).isCloseTo(0.75, EPS);
        assertThat(g.high()).isEqualTo(1.0);
        assertThat(g.apgr()).isCloseTo(1 - 0.125, EPS);
        assertThat(g.costFor50().getAsDouble()).isCloseTo(1.125, EPS);
    }

    @Test
    void evaluate_oracleAsRouter_hasApgrOneAndTheBestSingleZero() {
        RouterPredictions oracle =
                RouterPredictions.of("oracle router", new double[][] {{1, 0, 0}, {1, 0, 0}, {0, 0, 1}, {1, 0, 0}});
        RouterPredictions single =
                RouterPredictions.of("always a", new double[][] {{1, 0, 0}, {1, 0, 0}, {1, 0, 0}, {1, 0, 0}});
        Prices prices = new Prices(Map.of("a", 10.0, "b", 1.0, "c", 1.0), "USD");
        RoutingReport r = RoutingEvaluation.evaluate(
                table(), prices, List.of(oracle, single), Optional.of(ranker()), List.of(2), 4);

        // the router's own choice is already perfect or already the best single, at every fan-out share but the last
        assertThat(r.row(false, "oracle router").meanScore()).isEqualTo(1.0);
        assertThat(r.row(false, "always a").meanScore()).isCloseTo(0.75, EPS);
        assertThat(r.row(false, "always a").costPerQuery()).isEqualTo(10.0);
        // the oracle row pays for its cheapest best LLM: q0 a 10, q1 b 1, q2 c 1, q3 a 10
        assertThat(r.row(false, "oracle").costPerQuery()).isCloseTo(5.5, EPS);
        // the perfect-ranker bound can never lose what the router had
        GapRecovery bound = r.recoveries().get("oracle router adaptive top-2 (perfect ranker bound)");
        assertThat(bound.apgr()).isCloseTo(1.0, EPS);
        GapRecovery flat = r.recoveries().get("always a adaptive top-2 (perfect ranker bound)");
        // always-a's top-2 is {a, b} (ties by LLM order): never c, so q2 stays wrong
        assertThat(flat.apgr()).isZero();
        // price-weighted curve, sorted by cost: the cheapest LLM b (0.25 at 1) up to the router's choice a (0.75 at 10)
        CostCurve priced = r.curve("always a price-weighted");
        assertThat(priced.points().get(0).cost()).isEqualTo(1.0);
        assertThat(priced.points().get(0).quality()).isCloseTo(0.25, EPS);
        assertThat(priced.points().get(priced.points().size() - 1).cost()).isEqualTo(10.0);
        assertThat(priced.points().get(priced.points().size() - 1).quality()).isCloseTo(0.75, EPS);
        GapRecovery g = r.recoveries().get("always a price-weighted");
        assertThat(g.low()).isCloseTo(0.25, EPS);
        assertThat(g.high()).isCloseTo(0.75, EPS);
    }

    @Test
    void evaluate_badInput_namesTheValue() {
        RoutingTable t = table();
        assertThatThrownBy(() -> RoutingEvaluation.evaluate(
                        t, Prices.calls(List.of("a", "b")), List.of(), Optional.empty(), List.of(2), 4))
                .hasMessage("no price for LLM 'c'; priced: [a, b]");
        assertThatThrownBy(() -> RoutingEvaluation.evaluate(
                        t, Prices.calls(t.llms()), List.of(), Optional.empty(), List.of(4), 4))
                .hasMessage("top-k must be in [2, 3], found 4");
        RouterPredictions short1 = RouterPredictions.of("s", new double[][] {{1, 0, 0}});
        assertThatThrownBy(() -> RoutingEvaluation.evaluate(
                        t, Prices.calls(t.llms()), List.of(short1), Optional.empty(), List.of(2), 4))
                .hasMessageContaining("router 's' predicts 1 queries over 3 LLMs");
    }
}
