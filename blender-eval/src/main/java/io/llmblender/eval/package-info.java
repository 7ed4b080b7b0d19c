/**
 * Evaluation of a ranker's selection against reference scores, for the {@code blender eval} command.
 *
 * <p>{@link io.llmblender.eval.ReferenceMetric} reads one reference value per candidate from a dataset
 * record: a score stored with the candidate, or LLM-Blender's GPT-Rank derived from the record's ChatGPT pairwise
 * comparisons ({@link io.llmblender.eval.GptRank}). {@link io.llmblender.eval.RecordRanking} reads
 * the {@code ranking} the {@code rank} command adds. {@link io.llmblender.eval.SelectionMetrics} compares,
 * over all records, each LLM, random selection, the oracle and the ranker's top-1 selection, and averages per-record
 * rank correlations ({@link io.llmblender.eval.Correlation}) between the ranker's scores and the reference;
 * {@link io.llmblender.eval.EvalReport} renders the result as a table or JSON.
 *
 * <p>Routing evaluations over N LLMs (cross-validated routers, the ranker's pick among all answers or a router's
 * top-k, the adaptive mode, cost curves, APGR) live in {@link io.llmblender.eval.routing}.
 */
package io.llmblender.eval;
