/**
 * GenFuser: LLM-Blender's seq2seq fusion of the top-ranked candidates into one answer, a T5-family
 * model loaded with DJL from an exported TorchScript directory, with the decoding loop (greedy,
 * beam search, sampling, key/value cache) in Java.
 *
 * <p>{@link io.llmblender.fuser.GenFuser} is the entry point; it implements
 * {@link io.llmblender.core.fuse.Fuser}, so it plugs into a {@link io.llmblender.core.Blender}.
 * {@link io.llmblender.fuser.Decoding} chooses how tokens are picked.
 */
package io.llmblender.fuser;
