/**
 * The router's head: a small MLP over a frozen query embedding that gives a probability
 * distribution over the N candidate LLMs, trained in Java with DJL (PyTorch engine) to minimise
 * {@code KL(label || router)} against the soft reward labels of Zooter.
 *
 * <p>{@link io.llmblender.router.head.RouterHead} trains, runs, saves and loads the head;
 * {@link io.llmblender.router.head.HeadConfig} holds the training settings and
 * {@link io.llmblender.router.head.TrainingMetrics} what training achieved. Embeddings are
 * computed by the caller once and passed in as {@code float[][]}; the head never sees text. The
 * head's own files ({@code head.json}, {@code head.params}) are the inner part of a router
 * directory, whose other files (LLM names, encoder id, label settings) are written on top of
 * {@link io.llmblender.router.head.RouterHead#save}.
 */
package io.llmblender.router.head;
