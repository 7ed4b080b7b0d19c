package io.llmblender.spark;

import io.llmblender.core.error.BlenderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import java.util.function.ToLongBiFunction;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code main} flow of a {@code spark-submit} job: check the options before Spark starts, run the job on the
 * session {@code spark-submit} configured, print what was written, stop the session; errors as one line on standard
 * error and the exit codes of the {@code blender} tool.
 *
 * <p>Stateless.
 */
final class JobMain {

    /**
     * The environment variable naming the command in error lines; {@code blender spark} sets it to {@code blender
     * spark rank} (resp. {@code rewards}); unset, a job's class name is used.
     */
    static final String PROGRAM_VARIABLE = "BLENDER_SPARK_PROGRAM";

    /** Exit code of a usage error: a bad option, a missing input, an existing output. */
    static final int USAGE = 2;

    /** Exit code of a failure at run time. */
    static final int FAILED = 1;

    private JobMain() {}

    /**
     * Checks the options with {@code check}; a bad one (an {@link IllegalArgumentException}) prints
     * {@code PROGRAM: MESSAGE} on standard error and exits with code 2, before Spark starts. Otherwise gets or creates
     * the session named {@code app}, runs {@code job} on it, prints {@code VERB N records into OUTPUT} on standard
     * output and stops the session. A job that fails prints {@code PROGRAM: WHY} on standard error (the first line of
     * the message: for a task that failed, of what the task threw, not of Spark's wrapping, {@link #unwrap}) and exits
     * with code 1; only a failure that is no user error (a bug: a NullPointerException, say) adds its stack trace.
     * Standard output carries nothing but the summary line.
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
        String program = System.getenv(PROGRAM_VARIABLE);
        if (program == null || program.isBlank()) {
            program = app;
        }
        String output;
        try {
            output = check.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(program + ": " + e.getMessage());
            System.exit(USAGE);
            return;
        }
        int code = 0;
        SparkSession spark = null;
        try {
            spark = SparkSession.builder().appName(app).getOrCreate();
            long records = job.applyAsLong(spark, args);
            System.out.println(verb + " " + records + " records into " + output);
        } catch (Throwable e) { // Spark throws its checked SparkException from Scala code, undeclared
            Throwable cause = unwrap(e);
            System.err.println(program + ": " + message(cause));
            if (!expected(cause)) {
                e.printStackTrace();
            }
            code = FAILED;
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
        System.out.flush();
        System.err.flush();
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * What failed, out of Spark's wrapping: Spark wraps what a task threw in a {@code SparkException} ("Job aborted due
     * to stage failure: ... Driver stacktrace: ..."), possibly in more of them; the first cause that is not one of
     * Spark's own exceptions is what the task threw. Spark's user-facing {@link AnalysisException} (a path that exists,
     * an input that cannot be read) is kept as it is.
     */
    static Throwable unwrap(Throwable e) {
        Throwable cause = e;
        while (!(cause instanceof AnalysisException)
                && cause.getClass().getName().startsWith("org.apache.spark.")
                && cause.getCause() != null
                && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A failure's first message line, or its class's name when it has no message. */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String first = m.strip().lines().findFirst().orElse(m).strip();
        return first;
    }

    /** Failures a user can act on from the message alone, as the blender tool decides. */
    static boolean expected(Throwable e) {
        return e instanceof IllegalArgumentException
                || e instanceof IllegalStateException
                || e instanceof BlenderException
                || e instanceof UncheckedIOException
                || e instanceof IOException
                || e instanceof AnalysisException;
    }
}
