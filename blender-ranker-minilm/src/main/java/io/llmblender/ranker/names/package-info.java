/**
 * Ranker names as users write them ({@code default}, {@code minilm}, {@code consensus}, {@code judge:NAME},
 * {@code combined:FILE}, a directory): one parser shared by the command-line tool, the server's config and the Spark
 * jobs, so each accepts the same names with the same errors.
 */
package io.llmblender.ranker.names;
