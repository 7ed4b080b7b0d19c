package io.llmblender.core.fuse;

import io.llmblender.core.check.Require;
import io.llmblender.core.llm.Prompt;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one answer to a prompt from candidate answers ranked best first, as LLM-Blender's
 * GenFuser does with the top K.
 *
 * <p><b>Implementing.</b> A fuser must not modify the candidate list it is given. Failures are
 * reported as {@link io.llmblender.core.error.BlenderException} subtypes: an
 * {@link io.llmblender.core.error.InferenceException} for a local model, an
 * {@link io.llmblender.core.error.LlmCallException} for an LLM.
 *
 * <p><b>Thread-safety.</b> Implementations must be safe for concurrent calls.
 *
 * <p><b>Ownership.</b> Whoever creates a fuser closes it; a {@link io.llmblender.core.Blender}
 * never closes a fuser it was given. Calls after {@link #close()} throw
 * {@link IllegalStateException}.
 */
public interface Fuser extends AutoCloseable {

    /**
     * A short name identifying the fuser's model, recorded as provenance in results.
     *
     * @return the name, never blank
     */
    String name();

    /**
     * The most candidates one {@link #fuse} call accepts. A {@link io.llmblender.core.Blender}
     * fuses at most this many of its top answers, whatever its {@code topK}. The default: no
     * limit ({@link Integer#MAX_VALUE}).
     *
     * @return at least 1
     */
    default int maxCandidates() {
        return Integer.MAX_VALUE;
    }

    /**
     * Fuses candidates into one answer.
     *
     * @param prompt what the candidates answer
     * @param ranked the candidates, best first, at least one; not modified
     * @return the fused answer with its provenance
     * @throws io.llmblender.core.error.BlenderException if fusion fails
     */
    Fusion fuse(Prompt prompt, List<String> ranked);

    /**
     * Fuses many prompts' candidates. The default fuses them one by one; implementations that
     * batch override it.
     *
     * @param prompts the prompts
     * @param ranked the ranked candidates of each prompt
     * @return one fusion per prompt, in order
     * @throws IllegalArgumentException if the lists differ in size
     */
    default List<Fusion> fuseAll(List<Prompt> prompts, List<List<String>> ranked) {
        Require.nonNull(prompts, "prompts");
        Require.nonNull(ranked, "ranked");
        if (prompts.size() != ranked.size()) {
            throw new IllegalArgumentException(
                    "prompts and ranked must have the same size, found " + prompts.size() + " and " + ranked.size());
        }
        List<Fusion> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            out.add(fuse(prompts.get(i), ranked.get(i)));
        }
        return out;
    }

    /** Releases the fuser's resources. Idempotent. The default does nothing. */
    @Override
    default void close() {}
}
