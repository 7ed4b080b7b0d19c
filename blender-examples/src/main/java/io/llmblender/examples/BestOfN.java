package io.llmblender.examples;

import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.Aggregation;
import io.llmblender.core.rank.Ranking;
import io.llmblender.core.rank.Rankings;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.ranker.PairRanker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Best-of-n: sample one model n times at temperature 1 and keep the answer PairRanker prefers, found with LLM-Blender's
 * bubble pass (2(n-1) pair scores instead of n(n-1)).
 *
 * <pre>
 * mvn -B -ntp -q -pl blender-examples -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp blender-examples/target/classes:$(cat blender-examples/target/cp.txt) io.llmblender.examples.BestOfN \
 *     http://localhost:11434/v1 llama3 4 "Write a haiku about rain." [models/pairrm]
 * </pre>
 */
public final class BestOfN {

    private BestOfN() {}

    /**
     * Runs the example.
     *
     * @param args base URL, model, n, prompt, and optionally a PairRanker export (default: the test model)
     */
    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: BestOfN BASE_URL MODEL N PROMPT [RANKER_DIR]");
            System.exit(2);
        }
        int n = Integer.parseInt(args[2]);
        Prompt prompt = Prompt.of(args[3]);
        LlmClient model = OpenAiCompatibleClient.builder()
                .name(args[1])
                .baseUrl(args[0])
                .model(args[1])
                .temperature(1.0)
                .build();
        List<String> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Generation g = model.generate(prompt);
            samples.add(g.text());
        }
        try (PairRanker ranker = PairRanker.load(Path.of(args.length > 4 ? args[4] : "models/pairranker"))) {
            Ranking ranking = Rankings.rank(ranker, prompt.source(), samples, Aggregation.BUBBLE, 0);
            System.out.println("best of " + n + ": " + samples.get(ranking.best()));
        }
    }
}
