/**
 * The {@link io.llmblender.core.Blender} facade: fan a prompt out to several LLMs, rank their
 * answers and fuse the best, with the result ({@link io.llmblender.core.BlendResult}) and its
 * parts: each answer ({@link io.llmblender.core.Candidate}), each failure
 * ({@link io.llmblender.core.ClientFailure}) and the stage timings.
 *
 * <p>The SPIs the facade composes live in their own packages: {@code llm} (clients and prompts),
 * {@code rank} (rankers and the ranking algebra), {@code fuse} (fusers), {@code route} (routers);
 * exceptions in {@code error}. This module has no native dependency.
 */
package io.llmblender.core;
