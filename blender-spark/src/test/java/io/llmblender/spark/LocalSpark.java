package io.llmblender.spark;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The tests' Spark: {@code local[2]}, UI off, driver bound to 127.0.0.1; and the test rankers. */
final class LocalSpark {

    private LocalSpark() {}

    static SparkSession start(String app) {
        return SparkSession.builder()
                .master("local[2]")
                .appName(app)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    /** The tiny random PairRanker fixture: fast, and its scores differ between candidates. */
    static Path tinyRanker() {
        return Path.of("..", "models", "pairranker").toAbsolutePath().normalize();
    }

    static Path gsm8k() {
        return Path.of("..", "data", "gsm8k-100.jsonl");
    }
}
