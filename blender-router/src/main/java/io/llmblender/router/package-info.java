/**
 * The reward-guided router (Zooter): a query encoder and a small head trained on rewards
 * distilled from a ranker, implementing {@code io.llmblender.core.route.Router}.
 *
 * <p>Not implemented yet: this module holds the package so that the build has its final
 * shape; the router lands with its own issue.
 */
package io.llmblender.router;
