/**
 * Internal to PairRanker: its TorchScript forward pass ({@link io.llmblender.ranker.internal.PairModel})
 * and its micro-batch packing ({@link io.llmblender.ranker.internal.MicroBatches}). Public only so that
 * {@code blender-bench} times exactly the batches PairRanker runs instead of copying them; not part of
 * the API, and it may change in any release.
 */
package io.llmblender.ranker.internal;
