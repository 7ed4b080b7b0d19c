/**
 * Routing: the {@link io.llmblender.core.route.Router} SPI that predicts from a query alone which
 * LLM will answer it best, its {@link io.llmblender.core.route.RouteDecision}, and
 * {@link io.llmblender.core.route.ConfidenceCalibration}, which picks the adaptive mode's
 * threshold. The trained reward-guided router lives in {@code blender-router}.
 */
package io.llmblender.core.route;
