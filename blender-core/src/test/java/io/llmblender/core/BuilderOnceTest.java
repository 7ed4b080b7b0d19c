package io.llmblender.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.check.Require;
import io.llmblender.core.fuse.Fuser;
import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.Aggregation;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranker;
import io.llmblender.core.route.RouteDecision;
import io.llmblender.core.route.Router;
import io.llmblender.core.time.Ticker;
import io.llmblender.testkit.FakeTicker;
import io.llmblender.testkit.ScriptedClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each builder setter may be called once; a second call names the setting and both values (issue 13). */
class BuilderOnceTest {

    private static Blender.Builder blender() {
        return Blender.builder().client(ScriptedClient.answering("a", "x"));
    }

    @Test
    void blender_topKTwice_namesSettingAndBothValues() {
        Blender.Builder b = blender().topK(2);
        assertThatThrownBy(() -> b.topK(5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("topK was already set to 2, cannot set it to 5");
    }

    @Test
    void blender_durationsTwice_nameSettingAndBothValues() {
        Blender.Builder b = blender().perClientTimeout(Duration.ofSeconds(5)).deadline(Duration.ofSeconds(9));
        assertThatThrownBy(() -> b.perClientTimeout(Duration.ofSeconds(7)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("perClientTimeout was already set to PT5S, cannot set it to PT7S");
        assertThatThrownBy(() -> b.deadline(Duration.ofMillis(300)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("deadline was already set to PT9S, cannot set it to PT0.3S");
    }

    @Test
    void blender_enumsAndNumbersTwice_nameSettingAndBothValues() {
        Blender.Builder b = blender()
                .aggregation(Aggregation.BUBBLE)
                .mode(BlendMode.ADAPTIVE)
                .seed(3)
                .confidenceThreshold(0.5)
                .fanOut(2)
                .maxAnswerChars(100);
        assertThatThrownBy(() -> b.aggregation(Aggregation.MAX_LOGITS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("aggregation was already set to BUBBLE, cannot set it to MAX_LOGITS");
        assertThatThrownBy(() -> b.mode(BlendMode.ROUTE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("mode was already set to ADAPTIVE, cannot set it to ROUTE");
        assertThatThrownBy(() -> b.seed(4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("seed was already set to 3, cannot set it to 4");
        assertThatThrownBy(() -> b.confidenceThreshold(0.75))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("confidenceThreshold was already set to 0.5, cannot set it to 0.75");
        assertThatThrownBy(() -> b.fanOut(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("fanOut was already set to 2, cannot set it to 3");
        assertThatThrownBy(() -> b.maxAnswerChars(200))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxAnswerChars was already set to 100, cannot set it to 200");
    }

    @Test
    void blender_componentsTwice_nameSettingAndBothValues() {
        Clock first = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        Clock second = Clock.systemUTC();
        Blender.Builder b = blender()
                .ranker(ranker("r1"))
                .fuser(fuser("f1"))
                .clock(first)
                .executor(Runnable::run)
                .router(router("router-1"));
        assertThatThrownBy(() -> b.ranker(ranker("r2")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("ranker was already set to \"r1\", cannot set it to \"r2\"");
        assertThatThrownBy(() -> b.fuser(fuser("f2")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("fuser was already set to \"f1\", cannot set it to \"f2\"");
        assertThatThrownBy(() -> b.clock(second))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("clock was already set to " + first + ", cannot set it to " + second);
        assertThatThrownBy(() -> b.executor(Runnable::run))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("executor was already set to ")
                .hasMessageContaining(", cannot set it to ");
        assertThatThrownBy(() -> b.router(router("router-2")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("router was already set to router-1, cannot set it to router-2");
    }

    @Test
    void blender_tickerTwice_namesBothTickers() {
        Blender.Builder b = blender().ticker(Ticker.system());
        assertThatThrownBy(() -> b.ticker(new FakeTicker(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "ticker was already set to Ticker.system(), cannot set it to FakeTicker[now=5ns, waiters=0]");
        assertThatThrownBy(() -> blender().ticker(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ticker must not be null");
    }

    @Test
    void blender_invalidSecondValue_keepsItsOwnException() {
        Blender.Builder b = blender().topK(2).perClientTimeout(Duration.ofSeconds(1));
        assertThatThrownBy(() -> b.topK(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topK must be positive, found 0");
        assertThatThrownBy(() -> b.perClientTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("perClientTimeout must be positive");
        assertThatThrownBy(() -> b.ranker(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ranker must not be null");
    }

    @Test
    void blender_refusedSecondCall_keepsTheFirstValueAndStillBuilds() {
        Blender.Builder b = Blender.builder()
                .client(ScriptedClient.answering("a", "x"))
                .client(ScriptedClient.answering("b", "y"))
                .topK(1);
        assertThatThrownBy(() -> b.topK(2)).isInstanceOf(IllegalStateException.class);
        try (Blender blender = b.build()) {
            assertThat(blender.toString()).contains("topK=1");
        }
    }

    @Test
    void blender_clientsAreAddedNotSet() {
        assertThatCode(() -> Blender.builder()
                        .client(ScriptedClient.answering("a", "x"))
                        .client(ScriptedClient.answering("b", "y"))
                        .clients(List.of(ScriptedClient.answering("c", "z")))
                        .build()
                        .close())
                .doesNotThrowAnyException();
    }

    @Test
    void blender_defaultsUnchangedWhenNothingIsSet() {
        try (Blender blender = blender().build()) {
            assertThat(blender.toString())
                    .isEqualTo("Blender[BLEND, clients=[a], ranker=none, fuser=none, topK=3, " + Aggregation.MAX_LOGITS
                            + "]");
        }
    }

    @Test
    void llmFuser_settersTwice_nameSettingAndBothValues() {
        LlmFuser.Builder b = LlmFuser.builder(ScriptedClient.echo("judge"))
                .systemPrompt("Be brief.")
                .template("A {candidates}");
        assertThatThrownBy(() -> b.systemPrompt("Be long."))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("systemPrompt was already set to \"Be brief.\", cannot set it to \"Be long.\"");
        assertThatThrownBy(() -> b.template("B {candidates}"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("template was already set to \"A {candidates}\", cannot set it to \"B {candidates}\"");
        assertThatThrownBy(() -> b.template("no placeholder"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{candidates}");
        assertThat(b.build().userMessage(Prompt.of("q"), List.of("c"))).isEqualTo("A Answer 1:\nc");
    }

    @Test
    void llmFuser_longValues_areShortenedInTheMessage() {
        String longPrompt = "x".repeat(1000);
        LlmFuser.Builder b = LlmFuser.builder(ScriptedClient.echo("judge")).systemPrompt(longPrompt);
        assertThatThrownBy(() -> b.systemPrompt("y".repeat(1000)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("systemPrompt was already set to " + Require.quote(longPrompt) + ", cannot set it to "
                        + Require.quote("y".repeat(1000)))
                .message()
                .hasSizeLessThan(150);
    }

    @Test
    void require_unsetVariants() {
        assertThatCode(() -> Require.unset(null, "f", "x", Require::quote)).doesNotThrowAnyException();
        assertThatCode(() -> Require.unsetSecret(null, "apiKey")).doesNotThrowAnyException();
        assertThatThrownBy(() -> Require.unset("a", "f", "b", Require::quote))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("f was already set to \"a\", cannot set it to \"b\"");
        assertThatThrownBy(() -> Require.unsetSecret("sk-secret-1", "apiKey"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("apiKey was already set, cannot set it again")
                .message()
                .doesNotContain("sk-secret-1");
    }

    private static Ranker ranker(String name) {
        return new Ranker() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public PairwiseMatrix score(PairQuery query) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static Fuser fuser(String name) {
        return new Fuser() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Fusion fuse(Prompt prompt, List<String> ranked) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static Router router(String shown) {
        return new Router() {
            @Override
            public List<String> llmNames() {
                return List.of("a");
            }

            @Override
            public RouteDecision route(String query) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String toString() {
                return shown;
            }
        };
    }
}
