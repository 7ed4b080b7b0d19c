package io.llmblender.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final class FixedRouter implements Router {
        @Override
        public List<String> llmNames() {
            return List.of("a", "b");
        }

        @Override
        public RouteDecision route(String query) {
            return RouteDecision.of(llmNames(), query.length() > 5 ? new double[] {0.1, 0.9} : new double[] {0.9, 0.1});
        }
    }

    @Test
    void route_decisionNamesMatchLlmNames() {
        Router router = new FixedRouter();

        assertThat(router.route("a long query").names()).isEqualTo(router.llmNames());
        assertThat(router.route("a long query").chosen()).isEqualTo("b");
    }

    @Test
    void close_default_isIdempotentNoOp() {
        Router router = new FixedRouter();

        assertThatCode(() -> {
                    router.close();
                    router.close();
                })
                .doesNotThrowAnyException();
    }
}
