package io.llmblender.core;

import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.Ranking;

/**
 * Watches blends as they run: when each blend, each LLM call, the ranking and the fusion start and end. The
 * hook for metrics and tracing ({@code blender-micrometer} turns it into Micrometer observations); core
 * itself records nothing through it.
 *
 * <pre>{@code
 * Blender blender = Blender.builder()
 *         .clients(clients)
 *         .listener(prompt -> new BlendListener.Blend() {
 *             public void ended(BlendResult result, RuntimeException error) {
 *                 log.info("blend took {}", result == null ? "-" : result.timings().total());
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p><b>When callbacks run.</b> {@link #started(Prompt)} runs on the thread calling
 * {@link Blender#blend(Prompt)}, before routing; {@link Blend#call}, {@link Blend#ranking} and
 * {@link Blend#fusion} run on that same thread when the step starts, and {@link Blend#ended} on it when the
 * blend returns or throws, so a listener may keep thread-local state (a tracing scope) between
 * {@code started} and {@code ended}. A call's {@link Step#ended} runs on whatever thread completes the call
 * (the client's, or the blending thread when the call is cancelled at its timeout). Each started step ends
 * exactly once.
 *
 * <p><b>Failures.</b> A listener must not block and should not throw; what it throws is logged and
 * ignored, so a broken listener never changes a blend.
 *
 * <p><b>Thread-safety.</b> One listener sees concurrent blends: it must be thread-safe. The {@link Blend}
 * it returns sees one blend, but its call steps may end on several threads at once.
 */
@FunctionalInterface
public interface BlendListener {

    /**
     * A blend starts.
     *
     * @param prompt what it answers
     * @return what watches this blend; {@link Blend#NONE} to watch nothing more
     */
    Blend started(Prompt prompt);

    /** Watches one blend. */
    interface Blend {

        /** Watches nothing. */
        Blend NONE = (result, error) -> {};

        /**
         * An LLM call starts. Default: watches nothing.
         *
         * @param client the client's name
         * @return what watches the call; it ends with the answer, or with the error (a
         *     {@link java.util.concurrent.CancellationException} when the call was given up)
         */
        default Step<Generation> call(String client) {
            return Step.none();
        }

        /**
         * The ranking starts. Default: watches nothing.
         *
         * @param ranker the ranker's name
         * @param candidates how many answers it ranks
         * @return what watches the ranking
         */
        default Step<Ranking> ranking(String ranker, int candidates) {
            return Step.none();
        }

        /**
         * The fusion starts. Default: watches nothing.
         *
         * @param fuser the fuser's name
         * @param candidates how many answers it fuses
         * @return what watches the fusion
         */
        default Step<Fusion> fusion(String fuser, int candidates) {
            return Step.none();
        }

        /**
         * The blend ended: with a result, or with the exception {@link Blender#blend(Prompt)} throws.
         *
         * @param result the result, or {@code null} when the blend threw
         * @param error what the blend threw ({@link NoAnswerException} when no LLM answered), or {@code null}
         */
        void ended(BlendResult result, RuntimeException error);
    }

    /**
     * Watches one step of a blend.
     *
     * @param <T> what the step produces
     */
    @FunctionalInterface
    interface Step<T> {

        /**
         * A step that watches nothing.
         *
         * @param <T> what the step produces
         * @return the step
         */
        static <T> Step<T> none() {
            return (value, error) -> {};
        }

        /**
         * The step ended.
         *
         * @param value what it produced, or {@code null} when it failed (or, for a call, answered null)
         * @param error why it failed, or {@code null}
         */
        void ended(T value, Throwable error);
    }
}
