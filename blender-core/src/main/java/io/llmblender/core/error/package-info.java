/**
 * The one exception family of the library. {@link io.llmblender.core.error.BlenderException} is
 * the unchecked root; subtypes say in which phase a runtime failure happened: loading a model
 * ({@link io.llmblender.core.error.ModelLoadException}), calling an LLM
 * ({@link io.llmblender.core.error.LlmCallException}, carrying the client's name) or running
 * inference on a local model ({@link io.llmblender.core.error.InferenceException}).
 *
 * <p>Misuse of the API (a null argument, a bad value, a closed object) is not part of this family:
 * it raises the JDK's {@link java.lang.NullPointerException},
 * {@link java.lang.IllegalArgumentException} or {@link java.lang.IllegalStateException}, with a
 * message naming the field and the value. No message of this family ever contains a secret such
 * as an API key.
 */
package io.llmblender.core.error;
