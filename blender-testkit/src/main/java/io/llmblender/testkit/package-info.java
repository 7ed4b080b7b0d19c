/**
 * Test support for code that uses Blender, with real parts rather than mocks: a loopback
 * OpenAI-compatible HTTP server with scripted replies ({@link io.llmblender.testkit.LoopbackOpenAiServer}),
 * scripted {@code LlmClient}s that answer, fail, hang or echo ({@link io.llmblender.testkit.ScriptedClient}),
 * a fake ticker on which a Blender's timeouts fire when the test advances it ({@link io.llmblender.testkit.FakeTicker}),
 * a wrapper that lets a test wait until any client's calls are done ({@link io.llmblender.testkit.WatchedClient}),
 * and deterministic rankers that record what they were asked ({@link io.llmblender.testkit.RecordingRanker},
 * {@link io.llmblender.testkit.LengthRanker}, {@link io.llmblender.testkit.TableRanker}).
 *
 * <p>Add it in test scope. The server binds 127.0.0.1 on a free port and is {@code AutoCloseable}.
 */
package io.llmblender.testkit;
