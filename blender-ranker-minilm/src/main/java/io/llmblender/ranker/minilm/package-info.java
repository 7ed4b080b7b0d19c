/**
 * The pairwise ranker this project trains and ships, inside the jar: {@link io.llmblender.ranker.minilm.MiniLmRanker}.
 * How it was trained, on what data under which licences, and how well it ranks: {@code MODEL_CARD.md}.
 */
package io.llmblender.ranker.minilm;
