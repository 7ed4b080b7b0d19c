package io.llmblender.examples;

import io.llmblender.core.BlendMode;
import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.route.ConfidenceCalibration;
import io.llmblender.eval.dataset.Gsm8kData;
import io.llmblender.eval.dataset.Gsm8kData.Question;
import io.llmblender.eval.dataset.Gsm8kData.Table;
import io.llmblender.router.ZooterRouter;
import io.llmblender.router.encode.MiniLmEncoder;
import io.llmblender.router.head.HeadConfig;
import io.llmblender.router.label.RewardRecord;
import io.llmblender.router.label.SoftLabels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Routing: train a router on which of two real LLMs answered GSM8K questions correctly (bundled data), calibrate the
 * adaptive threshold so that 70% of questions go to one LLM, and answer new questions adaptively. The two "LLMs" here
 * replay their recorded answers; in real use they are OpenAI-compatible clients.
 *
 * <pre>
 * mvn -B -ntp -q -pl blender-examples -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp blender-examples/target/classes:$(cat blender-examples/target/cp.txt) io.llmblender.examples.Routing
 * </pre>
 */
public final class Routing {

    private Routing() {}

    /**
     * Runs the example.
     *
     * @param args none
     * @throws IOException if the bundled data cannot be read
     */
    public static void main(String[] args) throws IOException {
        Table data = Gsm8kData.read(null);
        // A few hundred questions keep the example quick (the encoder reads each one); use them all in earnest.
        List<Question> train = data.questions().subList(0, 300);
        List<Question> validation = data.questions().subList(300, 400);
        List<Question> fresh = data.questions().subList(1200, 1205);
        // The rewards are a Map.of, whose iteration order is arbitrary: the router's LLM order is given explicitly
        // to ZooterRouter.train instead.
        List<RewardRecord> records = new ArrayList<>();
        for (Question q : train) {
            records.add(RewardRecord.of(
                    q.prompt(),
                    Map.of(data.modelA(), q.correctA() ? 1.0 : 0.0, data.modelB(), q.correctB() ? 1.0 : 0.0)));
        }
        try (MiniLmEncoder encoder = MiniLmEncoder.load();
                ZooterRouter router = ZooterRouter.train(
                        encoder,
                        records,
                        List.of(data.modelA(), data.modelB()),
                        SoftLabels.defaults(),
                        HeadConfig.defaults())) {
            List<String> validationQueries =
                    validation.stream().map(Question::prompt).toList();
            double threshold = ConfidenceCalibration.forSingleCallShare(router, validationQueries, 0.7)
                    .threshold();
            List<LlmClient> llms =
                    List.of(replaying(data.modelA(), fresh, true), replaying(data.modelB(), fresh, false));
            try (Blender blender = Blender.builder()
                    .clients(llms)
                    .router(router)
                    .mode(BlendMode.ADAPTIVE)
                    .confidenceThreshold(threshold)
                    .build()) {
                for (Question q : fresh) {
                    BlendResult r = blender.blend(Prompt.of(q.prompt()));
                    System.out.printf(
                            "%-5s %s -> %s%n",
                            r.mode(),
                            r.called(),
                            r.answer().strip().lines().findFirst().orElse(""));
                }
            }
        }
    }

    /** A stand-in LLM that answers each of the given questions with the data's recorded answer. */
    private static LlmClient replaying(String name, List<Question> questions, boolean first) {
        return LlmClient.of(name, prompt -> {
            for (Question q : questions) {
                if (q.prompt().equals(prompt.instruction())) {
                    return Generation.of(first ? q.answerA() : q.answerB());
                }
            }
            return Generation.of("I do not know.");
        });
    }
}
