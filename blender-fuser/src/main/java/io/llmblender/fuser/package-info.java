/**
 * GenFuser: a DJL-loaded seq2seq (T5) model that writes one answer from the top-ranked
 * candidates, with decoding (greedy, beam, sampling) done in Java.
 *
 * <p>Not implemented yet: this module holds the package so that the build has its final
 * shape; the fuser lands with its own issue. Until then {@code io.llmblender.core.fuse.LlmFuser}
 * fuses with any LLM client.
 */
package io.llmblender.fuser;
