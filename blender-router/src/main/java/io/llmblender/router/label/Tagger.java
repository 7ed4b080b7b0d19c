package io.llmblender.router.label;

import java.util.Set;

/**
 * Gives a query its tags, for the tag-based label enhancement of {@link SoftLabels}. Any tagger can
 * be plugged in: keyword rules ({@link KeywordTagger}), a classifier, an instruction tagger, or
 * clusters of query embeddings (the cluster id as the tag); apply one to records with
 * {@link RewardRecords#withTags}.
 *
 * <p>Implementations must be deterministic and safe for concurrent calls.
 */
@FunctionalInterface
public interface Tagger {

    /**
     * The tags of a query.
     *
     * @param query the query text, not null
     * @return its tags, not null, possibly empty, no null or blank tag
     */
    Set<String> tags(String query);
}
