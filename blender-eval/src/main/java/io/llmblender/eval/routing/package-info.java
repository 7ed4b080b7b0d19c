/**
 * Routing evaluation over any dataset with N LLMs and a reference score, as a public API: the
 * {@link io.llmblender.eval.routing.RoutingTable} (queries x LLMs, answers and scores), cross-validation folds
 * ({@link io.llmblender.eval.routing.Folds}), prices ({@link io.llmblender.eval.routing.Prices}), what routers and a
 * ranker said ({@link io.llmblender.eval.routing.RouterPredictions}, {@link io.llmblender.eval.routing.RankerMatrices}),
 * the evaluation itself ({@link io.llmblender.eval.routing.RoutingEvaluation}: per-LLM, random and oracle baselines,
 * router choices, ranker selection among all N and among the router's top-k, the adaptive mode), its
 * {@link io.llmblender.eval.routing.RoutingReport} with quality-against-cost curves
 * ({@link io.llmblender.eval.routing.CostCurve}) and RouteLLM's APGR and cost-for-PGR
 * ({@link io.llmblender.eval.routing.GapRecovery}), rendered as tables and JSON
 * ({@link io.llmblender.eval.routing.RoutingReportFormat}) and as an SVG chart
 * ({@link io.llmblender.eval.routing.CostCurveSvg}).
 *
 * <p>Nothing here trains or runs a model: this module depends on {@code blender-core} only. The
 * {@code blender eval-routing} command of {@code blender-cli} trains the routers per fold and scores the answers with
 * the ranker, then hands the results to this package. All types are immutable and thread-safe.
 */
package io.llmblender.eval.routing;
