package io.llmblender.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.InferenceException;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.core.route.Router;
import io.llmblender.testkit.FakeTicker;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.ScriptedClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

class BlenderRoutingTest {

    private static final List<String> NAMES = List.of("a", "b", "c");

    /** Routes by a table from query to distribution over a, b, c. */
    private static final class TableRouter implements Router {
        private final Map<String, double[]> table;
        private final List<String> names;

        TableRouter(Map<String, double[]> table) {
            this(NAMES, table);
        }

        TableRouter(List<String> names, Map<String, double[]> table) {
            this.names = names;
            this.table = table;
        }

        @Override
        public List<String> llmNames() {
            return names;
        }

        @Override
        public RouteDecision route(String query) {
            double[] p = table.get(query);
            if (p == null) {
                throw new InferenceException("no route for " + query);
            }
            return RouteDecision.of(names, p);
        }
    }

    private static final Prompt SURE_B = Prompt.of("sure-b");
    private static final Prompt UNSURE = Prompt.of("unsure");
    private static final TableRouter ROUTER = new TableRouter(Map.of(
            "sure-b", new double[] {0.1, 0.7, 0.2},
            "unsure", new double[] {0.45, 0.15, 0.4},
            "edge", new double[] {0.2, 0.6, 0.2}));

    private static ScriptedClient client(String name) {
        return ScriptedClient.answering(name, "answer of " + name + (name.equals("c") ? " which is longest" : ""));
    }

    @Test
    void route_asksOnlyTheChosenClient() {
        ScriptedClient a = client("a");
        ScriptedClient b = client("b");
        ScriptedClient c = client("c");
        try (Blender blender = Blender.builder()
                .clients(List.of(a, b, c))
                .router(ROUTER)
                .mode(BlendMode.ROUTE)
                .ranker(new LengthRanker())
                .build()) {
            BlendResult result = blender.blend(SURE_B);

            assertThat(result.mode()).isEqualTo(BlendMode.ROUTE);
            assertThat(result.called()).containsExactly("b");
            assertThat(result.answer()).isEqualTo("answer of b");
            assertThat(result.route().orElseThrow().chosen()).isEqualTo("b");
            assertThat(result.route().orElseThrow().confidence()).isEqualTo(0.7);
            assertThat(a.calls() + c.calls()).isZero();
            assertThat(result.timings().routing()).isGreaterThanOrEqualTo(Duration.ZERO);
        }
    }

    @Test
    void route_chosenFails_fallsBackToTheNextMostProbable() {
        ScriptedClient a = client("a");
        try (Blender blender = Blender.builder()
                .client(a)
                .client(ScriptedClient.failing("b", "boom"))
                .client(client("c"))
                .router(ROUTER)
                .mode(BlendMode.ROUTE)
                .build()) {
            BlendResult result = blender.blend(SURE_B);

            assertThat(result.called()).containsExactly("b", "c");
            assertThat(result.answer()).isEqualTo("answer of c which is longest");
            assertThat(result.failures()).extracting(ClientFailure::name).containsExactly("b");
            assertThat(result.mode()).isEqualTo(BlendMode.ROUTE);
            assertThat(a.calls()).isZero();
        }
    }

    @Test
    void route_slowChoice_timesOutAndFallsBack() throws Exception {
        // Fake ticker: "b" hangs for ever; its timeout fires when the test advances the ticker, and "c" answers.
        FakeTicker ticker = new FakeTicker();
        try (Blender blender = Blender.builder()
                .client(client("a"))
                .client(ScriptedClient.hanging("b"))
                .client(client("c"))
                .router(ROUTER)
                .mode(BlendMode.ROUTE)
                .perClientTimeout(Duration.ofSeconds(60))
                .ticker(ticker)
                .build()) {
            FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(SURE_B));
            new Thread(blend, "blend").start();
            assertThat(ticker.awaitWaiter()).as("the wait for b").isEqualTo(Duration.ofSeconds(60));
            ticker.advance(Duration.ofSeconds(60));
            BlendResult result = blend.get();

            assertThat(result.called()).containsExactly("b", "c");
            assertThat(result.failures())
                    .singleElement()
                    .satisfies(f -> assertThat(f.kind()).isEqualTo(ClientFailure.Kind.TIMEOUT));
            assertThat(result.candidates()).extracting(Candidate::client).containsExactly("c");
        }
    }

    @Test
    void route_deadlinePassed_stopsFallingBack() throws Exception {
        FakeTicker ticker = new FakeTicker();
        ScriptedClient a = ScriptedClient.hanging("a");
        try (Blender blender = Blender.builder()
                .client(a)
                .client(ScriptedClient.hanging("b"))
                .client(ScriptedClient.hanging("c"))
                .router(ROUTER)
                .mode(BlendMode.ROUTE)
                .perClientTimeout(Duration.ofMillis(500))
                .deadline(Duration.ofMillis(800))
                .ticker(ticker)
                .build()) {
            FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(SURE_B));
            new Thread(blend, "blend").start();
            assertThat(ticker.awaitWaiter()).as("b, its own timeout").isEqualTo(Duration.ofMillis(500));
            ticker.advance(Duration.ofMillis(500));
            assertThat(ticker.awaitWaiter()).as("c, cut at the deadline").isEqualTo(Duration.ofMillis(300));
            ticker.advance(Duration.ofMillis(300));

            // The blend ends at the deadline, 800 ms on the ticker rather than 3 x 500 ms: a is never asked.
            assertThatThrownBy(blend::get)
                    .cause()
                    .isInstanceOf(NoAnswerException.class)
                    .satisfies(e -> assertThat(((NoAnswerException) e).failures())
                            .extracting(ClientFailure::kind)
                            .containsExactly(ClientFailure.Kind.TIMEOUT, ClientFailure.Kind.DEADLINE));
            assertThat(a.calls()).isZero();
        }
    }

    @Test
    void route_tickerNearItsWrapAround_timeoutAndDeadlineStillFireOnTime() throws Exception {
        // Ticker readings may wrap past Long.MAX_VALUE, as System.nanoTime()'s may: limits must be compared by
        // difference. Here b's timeout falls before the wrap and the deadline after it.
        FakeTicker ticker =
                new FakeTicker(Long.MAX_VALUE - Duration.ofSeconds(75).toNanos());
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.hanging("a"))
                .client(ScriptedClient.hanging("b"))
                .client(ScriptedClient.hanging("c"))
                .router(ROUTER)
                .mode(BlendMode.ROUTE)
                .perClientTimeout(Duration.ofSeconds(60))
                .deadline(Duration.ofSeconds(90))
                .ticker(ticker)
                .build()) {
            FutureTask<BlendResult> blend = new FutureTask<>(() -> blender.blend(SURE_B));
            new Thread(blend, "blend").start();
            assertThat(ticker.awaitWaiter()).as("b, its own timeout").isEqualTo(Duration.ofSeconds(60));
            ticker.advance(Duration.ofSeconds(60));
            assertThat(ticker.awaitWaiter()).as("c, cut at the deadline").isEqualTo(Duration.ofSeconds(30));
            ticker.advance(Duration.ofSeconds(30));

            assertThatThrownBy(blend::get)
                    .cause()
                    .isInstanceOf(NoAnswerException.class)
                    .satisfies(e -> assertThat(((NoAnswerException) e).failures())
                            .extracting(ClientFailure::kind)
                            .containsExactly(ClientFailure.Kind.TIMEOUT, ClientFailure.Kind.DEADLINE));
        }
    }

    @Test
    void route_everyClientFails_throwsNoAnswerListingAll() {
        try (Blender blender = Blender.builder()
                .client(ScriptedClient.failing("a", "x"))
                .client(ScriptedClient.failing("b", "y"))
                .client(ScriptedClient.failing("c", "z"))
                .router(ROUTER)
                .mode(BlendMode.ROUTE)
                .build()) {
            assertThatThrownBy(() -> blender.blend(SURE_B))
                    .isInstanceOf(NoAnswerException.class)
                    .satisfies(e -> assertThat(((NoAnswerException) e).failures())
                            .extracting(ClientFailure::name)
                            .containsExactly("b", "c", "a"));
        }
    }

    @Test
    void adaptive_confident_routesToOne() {
        try (Blender blender = adaptive(0.6, client("a"), client("b"), client("c"))) {
            BlendResult result = blender.blend(SURE_B);

            assertThat(result.mode()).isEqualTo(BlendMode.ROUTE);
            assertThat(result.called()).containsExactly("b");
            assertThat(result.fusion()).isEmpty();
        }
    }

    @Test
    void adaptive_confidenceEqualToThreshold_routes() {
        try (Blender blender = adaptive(0.6, client("a"), client("b"), client("c"))) {
            assertThat(blender.blend(Prompt.of("edge")).called()).containsExactly("b");
        }
    }

    @Test
    void adaptive_unsure_asksTheTopClientsAndRanksAndFusesThem() {
        ScriptedClient b = client("b");
        try (Blender blender = adaptive(0.6, client("a"), b, client("c"))) {
            BlendResult result = blender.blend(UNSURE);

            assertThat(result.mode()).isEqualTo(BlendMode.BLEND);
            assertThat(result.called()).containsExactly("a", "c");
            assertThat(b.calls()).isZero();
            assertThat(result.ranked()).extracting(Candidate::client).containsExactly("c", "a");
            assertThat(result.fused().orElseThrow()).contains("answer of a", "answer of c which is longest");
            assertThat(result.route().orElseThrow().topK(2)).containsExactly("a", "c");
        }
    }

    @Test
    void blendMode_withRouter_asksAllAndRecordsTheDecision() {
        try (Blender blender = Blender.builder()
                .clients(List.of(client("a"), client("b"), client("c")))
                .router(ROUTER)
                .build()) {
            BlendResult result = blender.blend(SURE_B);

            assertThat(result.mode()).isEqualTo(BlendMode.BLEND);
            assertThat(result.called()).containsExactly("a", "b", "c");
            assertThat(result.route().orElseThrow().chosen()).isEqualTo("b");
        }
    }

    @Test
    void blendMode_withoutRouter_hasNoDecision() {
        try (Blender blender =
                Blender.builder().clients(List.of(client("a"), client("b"))).build()) {
            BlendResult result = blender.blend(SURE_B);

            assertThat(result.route()).isEmpty();
            assertThat(result.routingFailure()).isEmpty();
            assertThat(result.called()).containsExactly("a", "b");
            assertThat(result.timings().routing()).isGreaterThanOrEqualTo(Duration.ZERO);
        }
    }

    @Test
    void routerFails_asksEveryClientAndReportsIt() {
        try (Blender blender = Blender.builder()
                .clients(List.of(client("a"), client("b"), client("c")))
                .router(ROUTER)
                .mode(BlendMode.ROUTE)
                .build()) {
            BlendResult result = blender.blend(Prompt.of("not in the table"));

            assertThat(result.mode()).isEqualTo(BlendMode.BLEND);
            assertThat(result.called()).containsExactly("a", "b", "c");
            assertThat(result.route()).isEmpty();
            assertThat(result.routingFailure().orElseThrow().cause().getMessage())
                    .contains("no route for not in the table");
        }
    }

    @Test
    void build_routerForOtherLlms_namesBothLists() {
        TableRouter other = new TableRouter(List.of("a", "b", "gpt-4"), Map.of());
        assertThatThrownBy(() -> Blender.builder()
                        .clients(List.of(client("a"), client("b"), client("c")))
                        .router(other)
                        .mode(BlendMode.ROUTE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[a, b, gpt-4]")
                .hasMessageContaining("[a, b, c]");
        TableRouter fewer = new TableRouter(List.of("a", "b"), Map.of());
        assertThatThrownBy(() -> Blender.builder()
                        .clients(List.of(client("a"), client("b"), client("c")))
                        .router(fewer)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[a, b]");
    }

    @Test
    void build_modeSettingsThatDoNotFit_areRefused() {
        assertThatThrownBy(() -> Blender.builder()
                        .client(client("a"))
                        .mode(BlendMode.ROUTE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mode ROUTE needs a router");
        assertThatThrownBy(() -> Blender.builder()
                        .clients(List.of(client("a"), client("b"), client("c")))
                        .router(ROUTER)
                        .mode(BlendMode.ADAPTIVE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("confidenceThreshold");
        assertThatThrownBy(() -> Blender.builder()
                        .clients(List.of(client("a"), client("b"), client("c")))
                        .router(ROUTER)
                        .mode(BlendMode.ROUTE)
                        .confidenceThreshold(0.5)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only in mode ADAPTIVE, found mode ROUTE");
        assertThatThrownBy(() -> Blender.builder().client(client("a")).fanOut(3).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fanOut is used only in mode ADAPTIVE");
        assertThatThrownBy(() -> Blender.builder().confidenceThreshold(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidenceThreshold must be in [0, 1], found 1.5");
        assertThatThrownBy(() -> Blender.builder().confidenceThreshold(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("confidenceThreshold");
        assertThatThrownBy(() -> Blender.builder().fanOut(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fanOut must be at least 2, found 1");
    }

    private static Blender adaptive(double threshold, ScriptedClient... clients) {
        return Blender.builder()
                .clients(List.of(clients))
                .router(ROUTER)
                .mode(BlendMode.ADAPTIVE)
                .confidenceThreshold(threshold)
                .fanOut(2)
                .ranker(new LengthRanker())
                .fuser(LlmFuser.builder(ScriptedClient.answering("judge", p -> Generation.of(p.instruction())))
                        .build())
                .build();
    }
}
