/**
 * Zooter's reward-guided router: {@link io.llmblender.router.ZooterRouter} routes a query to the
 * LLM likely to answer it best, from the query alone. It is trained in Java on reward records
 * ({@code io.llmblender.router.label}, rewards from any reward model or from a
 * {@link io.llmblender.core.rank.Ranker}), over a query encoder ({@code io.llmblender.router.encode},
 * all-MiniLM-L6-v2 by default) and a small head ({@code io.llmblender.router.head}).
 *
 * <p>Not yet here: the Blender's ROUTE / ADAPTIVE modes, threshold calibration and the GSM8K
 * evaluation command.
 */
package io.llmblender.router;
