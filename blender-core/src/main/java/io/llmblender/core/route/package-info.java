/**
 * Routing: the {@link io.llmblender.core.route.Router} SPI that predicts from a query alone which
 * LLM will answer it best, and its {@link io.llmblender.core.route.RouteDecision}. The trained
 * reward-guided router lives in {@code blender-router}.
 */
package io.llmblender.core.route;
