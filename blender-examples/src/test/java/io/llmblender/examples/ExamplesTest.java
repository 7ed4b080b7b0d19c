package io.llmblender.examples;

import static io.llmblender.testkit.LoopbackOpenAiServer.completion;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmblender.testkit.LoopbackOpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs each example main class as a user would, against loopback servers where it calls LLMs. */
class ExamplesTest {

    /** Runs a main method and returns what it printed. */
    private static String run(ThrowingMain main) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface ThrowingMain {
        void run() throws Exception;
    }

    @Test
    void quickStart_blendsTheModelsAndFusesWithTheFirst() throws Exception {
        try (LoopbackOpenAiServer server =
                new LoopbackOpenAiServer().reply(completion("Rest and drink fluids.", "stop", 9, 4))) {
            String out = run(() ->
                    QuickStart.main(new String[] {server.baseUrl(), "How do I treat a cold?", "llama3", "mistral"}));

            assertThat(out.strip()).isEqualTo("Rest and drink fluids.");
            assertThat(server.requests()).hasSize(3);
            assertThat(server.requests())
                    .filteredOn(r -> r.body().contains("\"model\":\"mistral\""))
                    .hasSize(1);
            assertThat(server.requests())
                    .anySatisfy(r -> assertThat(r.body())
                            .contains("How do I treat a cold?")
                            .contains("Rest and drink fluids."));
        }
    }

    @Test
    void rankCandidates_ranksTheThreeAnswers() throws Exception {
        String out = run(() -> RankCandidates.main(new String[] {"../models/pairranker"}));

        assertThat(out).contains("6 ordered pairs scored");
        assertThat(out.lines().filter(l -> l.startsWith("rank "))).hasSize(3);
        assertThat(out).contains("rank 1 (score").contains("$18 a day").contains("$32 a day");
    }

    @Test
    void bestOfN_samplesNTimesAndKeepsOne() throws Exception {
        try (LoopbackOpenAiServer server = new LoopbackOpenAiServer()
                .reply(
                        completion("Rain taps the roof.", "stop", 5, 4),
                        completion("Grey sky, soft rain.", "stop", 5, 4),
                        completion("Puddles hold the sky.", "stop", 5, 4))) {
            String out = run(() -> BestOfN.main(
                    new String[] {server.baseUrl(), "llama3", "3", "A haiku about rain.", "../models/pairranker"}));

            assertThat(server.requests())
                    .hasSize(3)
                    .allSatisfy(r -> assertThat(r.body()).contains("\"temperature\":1.0"));
            assertThat(out).startsWith("best of 3: ");
            assertThat(out.strip().substring("best of 3: ".length()))
                    .isIn("Rain taps the roof.", "Grey sky, soft rain.", "Puddles hold the sky.");
        }
    }

    @Test
    void routing_trainsCalibratesAndAnswersAdaptively() throws Exception {
        String out = run(() -> Routing.main(new String[0]));

        assertThat(out.lines()).hasSize(5).allSatisfy(l -> assertThat(l).matches("(ROUTE|BLEND) +\\[.+\\] -> .*"));
        assertThat(out).doesNotContain("I do not know.");
    }
}
