/**
 * Query encoders for the router: {@link io.llmblender.router.encode.QueryEncoder} and the
 * default, offline {@link io.llmblender.router.encode.MiniLmEncoder} (all-MiniLM-L6-v2 through
 * DJL's OnnxRuntime engine), {@link io.llmblender.router.encode.TorchScriptEncoder} for any exported
 * TorchScript sentence encoder (such as the paper's mDeBERTa), and
 * {@link io.llmblender.router.encode.CachingEncoder}, which encodes each query once across trainings
 * and routings.
 */
package io.llmblender.router.encode;
