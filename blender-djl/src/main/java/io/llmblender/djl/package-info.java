/**
 * Internal support shared by the DJL modules (blender-ranker, blender-fuser, blender-router), in
 * one place so that they behave alike: reading model configuration files ({@link
 * io.llmblender.djl.ConfigFile}), cutting long texts before tokenizing ({@link
 * io.llmblender.djl.LongTexts}), lending predictors ({@link io.llmblender.djl.PredictorPool}), the
 * close discipline ({@link io.llmblender.djl.CloseGuard}: calls in flight finish, later calls
 * throw {@link java.lang.IllegalStateException}, native memory is freed once), the default device
 * ({@link io.llmblender.djl.DeviceChoice}), loading TorchScript files and setting PyTorch's threads
 * ({@link io.llmblender.djl.TorchScript}), loading tokenizers ({@link io.llmblender.djl.Tokenizers})
 * and picking the best of a row of logits ({@link io.llmblender.djl.Argmax}).
 *
 * <p><b>Not an API.</b> Public only so that those modules can use it across packages; nothing
 * here is part of Blender's API, and any of it may change in any release. Applications use the
 * modules' own classes (PairRanker, GenFuser, the router's encoders and head).
 */
package io.llmblender.djl;
