/**
 * Micrometer observations of blends in OpenTelemetry's GenAI terms: {@link
 * io.llmblender.micrometer.BlenderObservations}, a {@link io.llmblender.core.BlendListener} that turns each
 * blend, LLM call, ranking and fusion into an {@link io.micrometer.observation.Observation}. Metrics, traces
 * and logs come from whatever handlers the app registers with its {@code ObservationRegistry} (Spring Boot
 * registers them itself). This module depends on {@code micrometer-observation} only; {@code blender-core}
 * never sees Micrometer.
 */
package io.llmblender.micrometer;
