package io.llmblender.router.label;

import io.llmblender.core.check.Require;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One router training example: a query, the reward of each candidate LLM's answer to it, and the
 * query's tags. Rewards may be on any scale (higher is better); only their differences matter to
 * {@link SoftLabels}. Immutable and thread-safe; validated and copied at construction.
 *
 * @param query the query text, not null (may be empty)
 * @param rewards LLM name to reward, not null, at least one entry, names not blank, rewards finite;
 *     copied into an unmodifiable map that keeps the given iteration order
 * @param tags the query's tags, not null, may be empty, no blank tag; copied into an unmodifiable
 *     set that keeps the given iteration order
 */
public record RewardRecord(String query, Map<String, Double> rewards, Set<String> tags) {

    /**
     * Validates and copies the record.
     *
     * @param query see the class description
     * @param rewards see the class description
     * @param tags see the class description
     * @throws NullPointerException if an argument, an LLM name, a reward or a tag is null
     * @throws IllegalArgumentException if there are no rewards, an LLM name or tag is blank, or a
     *     reward is not finite
     */
    public RewardRecord {
        Require.nonNull(query, "query");
        Require.nonNull(rewards, "rewards");
        Require.nonNull(tags, "tags");
        if (rewards.isEmpty()) {
            throw new IllegalArgumentException("rewards must not be empty");
        }
        Map<String, Double> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : rewards.entrySet()) {
            String name = Require.nonBlank(e.getKey(), "rewards key");
            double reward = Require.nonNull(e.getValue(), "rewards[" + Require.quote(name) + "]");
            Require.finite(reward, "rewards[" + Require.quote(name) + "]");
            copy.put(name, reward);
        }
        rewards = Collections.unmodifiableMap(copy);
        Set<String> tagCopy = new LinkedHashSet<>();
        for (String tag : tags) {
            tagCopy.add(Require.nonBlank(tag, "tags element"));
        }
        tags = Collections.unmodifiableSet(tagCopy);
    }

    /**
     * A record without tags.
     *
     * @param query the query text
     * @param rewards LLM name to reward
     * @return the record, with an empty tag set
     * @throws NullPointerException if an argument, an LLM name or a reward is null
     * @throws IllegalArgumentException if the rewards are invalid, see the constructor
     */
    public static RewardRecord of(String query, Map<String, Double> rewards) {
        return new RewardRecord(query, rewards, Set.of());
    }

    /**
     * The rewards in a given LLM order, for example the order of {@link RewardRecords#llmNames}.
     *
     * @param llmNames the LLM names, not null; every one must have a reward in this record
     * @return a new array, {@code out[i]} the reward of {@code llmNames.get(i)}
     * @throws NullPointerException if {@code llmNames} or a name is null
     * @throws IllegalArgumentException if a name has no reward in this record
     */
    public double[] rewardsIn(List<String> llmNames) {
        Require.nonNull(llmNames, "llmNames");
        double[] out = new double[llmNames.size()];
        for (int i = 0; i < out.length; i++) {
            String name = Require.nonNull(llmNames.get(i), "llmNames[" + i + "]");
            Double reward = rewards.get(name);
            if (reward == null) {
                throw new IllegalArgumentException("record of query " + Require.quote(query) + " has no reward for LLM "
                        + Require.quote(name) + ", found LLMs " + rewards.keySet());
            }
            out[i] = reward;
        }
        return out;
    }

    /**
     * This record with more tags: its own tags first, then the new ones not already present.
     *
     * @param more the tags to add, not null, no blank tag
     * @return a new record with the union of the tags, or this record when nothing is added
     * @throws NullPointerException if {@code more} or a tag is null
     * @throws IllegalArgumentException if a tag is blank
     */
    public RewardRecord withTags(Set<String> more) {
        Require.nonNull(more, "more");
        Set<String> union = new LinkedHashSet<>(tags);
        union.addAll(more);
        return union.size() == tags.size() ? this : new RewardRecord(query, rewards, union);
    }
}
