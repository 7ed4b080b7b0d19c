package io.llmblender.spark;

import java.util.function.Function;
import java.util.function.ToLongBiFunction;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code main} flow of a {@code spark-submit} job: check the options before Spark starts, run the job on the
 * session {@code spark-submit} configured, print what was written, stop the session.
 *
 * <p>Stateless.
 */
final class JobMain {

    private JobMain() {}

    /**
     * Checks the options with {@code check}; a bad one (an {@link IllegalArgumentException}) prints
     * {@code error: MESSAGE} on standard error and exits with code 2, before Spark starts, so that a usage error is one
     * line and not a stack trace after the session's start-up. Otherwise gets or creates the session named {@code app},
     * runs {@code job} on it, prints {@code VERB N records into OUTPUT} on standard output and stops the session, also
     * when the job fails.
     *
     * @param args the job's options
     * @param app the Spark application name
     * @param verb what the job did to the records, for the printed line ({@code ranked}, {@code labelled})
     * @param check checks the options and returns the output directory
     * @param job runs the job on a session and returns how many records it wrote
     */
    static void run(
            String[] args,
            String app,
            String verb,
            Function<String[], String> check,
            ToLongBiFunction<SparkSession, String[]> job) {
        String output;
        try {
            output = check.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        SparkSession spark = SparkSession.builder().appName(app).getOrCreate();
        try {
            long records = job.applyAsLong(spark, args);
            System.out.println(verb + " " + records + " records into " + output);
        } finally {
            spark.stop();
        }
    }
}
