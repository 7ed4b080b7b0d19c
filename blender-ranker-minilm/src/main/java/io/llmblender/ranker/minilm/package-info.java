/**
 * The pairwise ranker this project ships, inside the jar: {@link io.llmblender.ranker.minilm.MiniLmRanker}, zero-shot
 * all-MiniLM-L6-v2 relevance (not trained on preferences). What it is, the training run whose step 0 it is, and how well
 * it ranks: {@code MODEL_CARD.md}.
 */
package io.llmblender.ranker.minilm;
