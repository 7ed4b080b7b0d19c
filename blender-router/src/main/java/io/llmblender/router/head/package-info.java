/**
 * The router's head: a small MLP over a frozen query embedding that gives a probability
 * distribution over the N candidate LLMs, trained in Java with DJL (PyTorch engine) to minimise
 * {@code KL(label || router)} against the soft reward labels of Zooter.
 *
 * <p>{@link io.llmblender.router.head.RouterHeadTrainer} trains a head from embeddings, labels and
 * the explicit list of LLM names that orders the label columns;
 * {@link io.llmblender.router.head.RouterHead} is the trained, immutable head that runs inference;
 * {@link io.llmblender.router.head.HeadFiles} saves and loads it and documents the file format;
 * {@link io.llmblender.router.head.HeadConfig} holds the training settings and
 * {@link io.llmblender.router.head.TrainingMetrics} what training achieved. Embeddings are
 * computed by the caller once and passed in as {@code float[][]}; the head never sees text. The
 * head's own files ({@code head.json}, {@code head.params}) are the inner part of a router
 * directory, whose other file ({@code router.json}: LLM names, encoder id, label settings) is
 * written on top of {@link io.llmblender.router.head.HeadFiles#save}.
 */
package io.llmblender.router.head;
