package io.llmblender.eval.routing;

/**
 * How one system does over the queries of an evaluation: what it costs and the quality of the answers it returns.
 * For the random row the values are exact expectations of a uniform pick, not a sample. Immutable.
 *
 * @param name the system, for example {@code gpt-4 alone}, {@code oracle}, {@code router top-3 + ranker}
 * @param queries the number of queries averaged over
 * @param callsPerQuery mean LLM calls per query
 * @param costPerQuery mean cost per query, in the evaluation's price unit
 * @param meanScore mean reference score of the answers returned
 * @param shareFirst share of queries whose returned answer is first (no answer better; ties count)
 * @param meanRank mean reference rank of the returned answer (1 = best, ties averaged)
 */
public record SystemRow(
        String name,
        int queries,
        double callsPerQuery,
        double costPerQuery,
        double meanScore,
        double shareFirst,
        double meanRank) {}
