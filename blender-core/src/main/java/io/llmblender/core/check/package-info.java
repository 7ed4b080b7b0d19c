/**
 * Argument checks every module of this project shares, so that a bad value gets the same clear message everywhere
 * ("topK must be positive, found 0"): null, range, blank and finite checks, builder settings given twice, and
 * shortened quoting of user text for messages. Public because the other modules (and a user's own
 * {@code LlmClient}, {@code Ranker} or {@code Fuser}) call it; it holds no state and is thread-safe.
 */
package io.llmblender.core.check;
