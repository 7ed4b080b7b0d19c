/**
 * Ranking MixInstruct datasets on Apache Spark: {@link io.llmblender.spark.SparkRanking} adds a PairRanker's scores
 * and ranks to a {@code Dataset<Row>}, with one ranker per executor JVM ({@link io.llmblender.spark.RankerHolder}),
 * and {@link io.llmblender.spark.SparkDatasets} reads and writes JSONL and Parquet. Spark is a {@code provided}
 * dependency: the cluster brings it.
 */
package io.llmblender.spark;
