/**
 * PairRanker: a DJL-loaded pairwise cross-encoder (PairRM) that scores ordered pairs of
 * candidate answers into the N x N logit matrix of {@code io.llmblender.core.rank}.
 *
 * <p>Not implemented yet: this module holds the package so that the build has its final
 * shape; the ranker lands with its own issue.
 */
package io.llmblender.ranker;
