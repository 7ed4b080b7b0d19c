package io.llmblender.core;

/**
 * How a {@link Blender} spends LLM calls on a prompt.
 *
 * <ul>
 *   <li>{@link #BLEND}: ask every client, rank the answers, fuse the top K (LLM-Blender). The
 *       default.</li>
 *   <li>{@link #ROUTE}: ask only the client the router picks (Zooter): one call per prompt.</li>
 *   <li>{@link #ADAPTIVE}: route when the router is sure (its top probability reaches the
 *       threshold), otherwise ask the router's most probable clients and rank and fuse their
 *       answers.</li>
 * </ul>
 *
 * <p>{@link BlendResult#mode()} reports the branch a blend took, {@link #ROUTE} or {@link #BLEND};
 * never {@link #ADAPTIVE}.
 */
public enum BlendMode {
    /** Ask every client, rank, fuse. */
    BLEND,
    /** Ask only the router's choice. */
    ROUTE,
    /** Route when the router is confident, otherwise blend its top choices. */
    ADAPTIVE
}
