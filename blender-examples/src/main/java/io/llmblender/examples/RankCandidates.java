package io.llmblender.examples;

import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranking;
import io.llmblender.ranker.PairRanker;
import io.llmblender.ranker.minilm.MiniLmRanker;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Ranks answers you already have with PairRanker: no LLM is called. Without arguments it uses the zero-shot MiniLM
 * PairRanker ({@link MiniLmRanker}; the project's default ranker is label-free consensus,
 * {@link io.llmblender.core.rank.Rankers#defaultRanker()}, which needs no model); give a PairRanker export directory (see
 * {@code models/README.md}) to use another, e.g. {@code models/pairranker}, the tiny random test model.
 *
 * <pre>
 * mvn -B -ntp -q -pl blender-examples -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp blender-examples/target/classes:$(cat blender-examples/target/cp.txt) io.llmblender.examples.RankCandidates [models/pairrm]
 * </pre>
 */
public final class RankCandidates {

    private RankCandidates() {}

    /**
     * Runs the example.
     *
     * @param args optionally, a PairRanker export directory (default: the zero-shot MiniLM ranker)
     */
    public static void main(String[] args) {
        Path dir = args.length > 0 ? Path.of(args[0]) : MiniLmRanker.directory();
        String question = "Janet's ducks lay 16 eggs a day. She eats 3 and bakes with 4. She sells the rest at $2"
                + " each. How much does she make a day?";
        List<String> answers = List.of(
                "16 - 3 - 4 = 9 eggs, and 9 * $2 = $18 a day.",
                "She makes $32 a day.",
                "She sells 9 eggs for $2 each, so $18.");
        try (PairRanker ranker = PairRanker.load(dir)) {
            Ranking ranking = ranker.rank(question, answers);
            PairwiseMatrix matrix = ranking.matrix().orElseThrow();
            System.out.println("ranker " + ranker.name() + ", " + matrix.computedCount() + " ordered pairs scored");
            for (int i : ranking.order()) {
                System.out.printf(
                        Locale.ROOT, "rank %d (score %+.4f): %s%n", ranking.rank(i), ranking.score(i), answers.get(i));
            }
        }
    }
}
