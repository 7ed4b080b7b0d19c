package io.llmblender.spark;

import io.llmblender.ranker.PairRanker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: {@code local[2]}, UI off, driver bound to 127.0.0.1; the test rankers; and the inputs made of
 * gsm8k-100 records and bad ones.
 */
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

    /** Stops the session, when {@link #start} got that far, and closes the JVM's rankers. */
    static void stop(SparkSession spark) {
        if (spark != null) {
            spark.stop();
        }
        RankerHolder.closeAll();
    }

    /** A ranked row's scores, from its {@value SparkRanking#RANKING} struct. */
    static List<Double> scores(Row row) {
        Row ranking = row.getStruct(row.fieldIndex(SparkRanking.RANKING));
        return ranking.getList(ranking.fieldIndex(SparkRanking.SCORES));
    }

    /** A ranked row's ranks ({@code Integer} as ranked, {@code Long} as read back from JSONL). */
    static <T> List<T> ranks(Row row) {
        Row ranking = row.getStruct(row.fieldIndex(SparkRanking.RANKING));
        return ranking.getList(ranking.fieldIndex(SparkRanking.RANKS));
    }

    /** The tiny random PairRanker fixture: fast, and its scores differ between candidates. */
    static Path tinyRanker() {
        return Path.of("..", "models", "pairranker").toAbsolutePath().normalize();
    }

    static Path gsm8k() {
        return Path.of("..", "data", "gsm8k-100.jsonl");
    }

    /** The first {@code records} lines of gsm8k-100, each a good MixInstruct record. */
    static List<String> gsm8kLines(int records) throws IOException {
        return Files.readAllLines(gsm8k(), StandardCharsets.UTF_8).subList(0, records);
    }

    /** Writes {@code dir/input.jsonl}: the good lines, then the bad ones, in order. */
    static Path writeInput(Path dir, List<String> good, String... bad) throws IOException {
        List<String> lines = new ArrayList<>(good);
        lines.addAll(List.of(bad));
        Path input = dir.resolve("input.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);
        return input;
    }

    /** A record {@code bad-too-long} whose second candidate is one character over {@link PairRanker#MAX_TEXT_CHARS}. */
    static String tooLongRecord() {
        return "{\"id\": \"bad-too-long\", \"instruction\": \"2+2?\", \"candidates\": [{\"text\": \"4\"}, {\"text\": \""
                + "a".repeat(PairRanker.MAX_TEXT_CHARS + 1) + "\"}]}";
    }
}
