/**
 * Fusion: writing one answer from the top-ranked candidates. The {@link io.llmblender.core.fuse.Fuser}
 * SPI, its result {@link io.llmblender.core.fuse.Fusion}, and {@link io.llmblender.core.fuse.LlmFuser},
 * which lets any LLM client do the fusing (Mixture-of-Agents style) without native code. The
 * model-based GenFuser lives in {@code blender-fuser}.
 */
package io.llmblender.core.fuse;
