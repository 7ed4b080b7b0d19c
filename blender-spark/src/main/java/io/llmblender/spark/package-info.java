/**
 * MixInstruct datasets on Apache Spark: {@link io.llmblender.spark.SparkRanking} (and the Spark ML stage
 * {@link io.llmblender.spark.PairRankerTransformer}) adds a PairRanker's scores and ranks to a {@code Dataset<Row>},
 * {@link io.llmblender.spark.SparkFusion} adds GenFuser's answer over the top K, and
 * {@link io.llmblender.spark.SparkRewards} makes the router's reward records, each with one model per executor JVM
 * ({@link io.llmblender.spark.RankerHolder}, {@link io.llmblender.spark.FuserHolder}) and a failing record's reason in
 * an error column instead of a failed job. {@link io.llmblender.spark.SparkDatasets} reads and writes JSONL and
 * Parquet; {@link io.llmblender.spark.RankJob} and {@link io.llmblender.spark.RewardJob} are the {@code spark-submit}
 * entry points, resumable by chunks ({@link io.llmblender.spark.ChunkedOutput}). Spark is a {@code provided}
 * dependency: the cluster brings it.
 */
package io.llmblender.spark;
