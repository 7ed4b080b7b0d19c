/**
 * Zooter's reward-guided router: {@link io.llmblender.router.ZooterRouter} routes a query to the
 * LLM likely to answer it best, from the query alone. It is trained in Java on reward records
 * ({@code io.llmblender.router.label}, rewards from any reward model or from a
 * {@link io.llmblender.core.rank.Ranker}), over a query encoder ({@code io.llmblender.router.encode},
 * all-MiniLM-L6-v2 by default) and a small head ({@code io.llmblender.router.head}).
 *
 * <p>A trained router calibrates its confidence on its training records (a softmax temperature,
 * see {@link io.llmblender.router.ZooterRouter}), so that the adaptive mode's threshold reads as how
 * often the pick was a best LLM, and turns a share of queries to route into a threshold
 * ({@link io.llmblender.router.ZooterRouter#thresholdForShare}). The ROUTE and ADAPTIVE modes
 * themselves are the {@code Blender}'s ({@code blender-core}).
 */
package io.llmblender.router;
