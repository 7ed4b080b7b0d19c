/**
 * From pairwise comparisons to rankings: the {@link io.llmblender.core.rank.Ranker} SPI that scores
 * ordered pairs of candidates, the {@link io.llmblender.core.rank.PairwiseMatrix} it fills, and
 * {@link io.llmblender.core.rank.Rankings}, the algebra of LLM-Blender that turns pairs into
 * rankings, best-of-n selections, comparisons and scalar rewards.
 *
 * <p>The algebra asks a ranker only for the pairs a strategy needs: a full ranking scores all
 * N(N-1) ordered pairs in one request, a bubble selection 2(N-1) pairs, a comparison one or two,
 * rewards against a reference 2(N-1).
 *
 * <p>Rankers that need no trained model live here too: {@link io.llmblender.core.rank.ConsensusRanker} (label-free
 * consensus of the answers), {@link io.llmblender.core.rank.LlmJudgeRanker} (any LLM as judge), and
 * {@link io.llmblender.core.rank.Rankers} (weighted combinations of rankers, a length prior, and the fit of a
 * combination's weights).
 *
 * <p>All value types here are immutable and thread-safe; {@code Rankings} is stateless.
 */
package io.llmblender.core.rank;
