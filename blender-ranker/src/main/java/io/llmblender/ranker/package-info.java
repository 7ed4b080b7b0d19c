/**
 * PairRanker: LLM-Blender's pairwise cross-encoder (PairRM), loaded with DJL from an exported
 * TorchScript directory, scoring ordered pairs of candidate answers into the N x N logit matrix of
 * {@code io.llmblender.core.rank}.
 *
 * <p>{@link io.llmblender.ranker.PairRanker} is the entry point; it implements
 * {@link io.llmblender.core.rank.Ranker}, so it plugs into a {@link io.llmblender.core.Blender} and
 * into every strategy of {@link io.llmblender.core.rank.Rankings} (max-logits, max-wins, bubble
 * best-of-n, compare, rank-with-reference rewards, conversations). Encoding, truncation budgets and
 * the head's output follow LLM-Blender exactly; scoring is batched.
 *
 * <p>Three architectures share the entry point (see {@link io.llmblender.ranker.PairRanker}): {@code pair}, one
 * logit per pair row (N(N-1) rows for N candidates); {@code segment}, texts encoded alone and a pair head (N + 1
 * passes); and {@code reward}, a pointwise cross-encoder reward model reading {@code [CLS] prompt [SEP] answer
 * [SEP]} once per candidate (N passes) with {@code M[i][j] = r_i - r_j}, antisymmetric and transitive by
 * construction.
 */
package io.llmblender.ranker;
