/**
 * Training labels for the reward-guided router (Zooter): reward records, a pipeline that makes
 * them from a pairwise ranker, soft labels with tag-based enhancement, and query taggers.
 *
 * <ul>
 *   <li>{@link io.llmblender.router.label.RewardRecord}: one training query with the reward of each
 *       candidate LLM's answer and optional tags; {@link io.llmblender.router.label.RewardRecords}
 *       reads and writes them as JSONL, one
 *       {@code {"query": "...", "rewards": {"gpt-4": 1.0, "mixtral": 0.0}, "tags": ["math"]}} per
 *       line.</li>
 *   <li>{@link io.llmblender.router.label.RewardPipeline}: rewards from any
 *       {@link io.llmblender.core.rank.Ranker} used with a reference candidate (rank-with-reference),
 *       so no separate reward model is needed.</li>
 *   <li>{@link io.llmblender.router.label.SoftLabels}: {@code s(q) = softmax(rewards / T)}, tag
 *       labels {@code s_t} = mean of {@code s(q)} over the queries carrying tag {@code t}, and
 *       {@code s*(q) = beta * s(q) + (1 - beta) * mean of s_t over q's tags}.</li>
 *   <li>{@link io.llmblender.router.label.Tagger} and
 *       {@link io.llmblender.router.label.KeywordTagger} (rules) and
 *       {@link io.llmblender.router.label.ClusterTagger} (k-means over query embeddings): tags for
 *       queries that have none.</li>
 * </ul>
 */
package io.llmblender.router.label;
