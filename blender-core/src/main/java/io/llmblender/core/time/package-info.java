/**
 * The time a {@link io.llmblender.core.Blender} waits on: {@link io.llmblender.core.time.Ticker}, a monotonic
 * nanosecond source that can also wait for a future until a point of its own time and run a task after a delay of its
 * own time (the timers of blender-openai's client). The default,
 * {@link io.llmblender.core.time.Ticker#system()}, is {@link System#nanoTime()}, the future's own timed wait and
 * {@code CompletableFuture.delayedExecutor}; a
 * test gives the Blender a fake ticker it advances by hand ({@code io.llmblender.testkit.FakeTicker} in
 * blender-testkit), so that per-client timeouts and deadlines fire when the test says and never because the machine
 * was busy.
 */
package io.llmblender.core.time;
