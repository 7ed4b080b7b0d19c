package io.llmblender.eval.dataset;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Reports the progress of a long command on the error stream: on a terminal a bar redrawn in place with the rate
 * and the time left, otherwise (a log, a pipe) a plain line every 10 seconds and at the end. Not thread-safe.
 *
 * <pre>
 * rank [=========>          ]  480/1000  48%  12.3 records/s  ETA 42s
 * rank: 480/1000 (48%), 12.3 records/s, ETA 42s
 * </pre>
 */
public final class Progress implements AutoCloseable {

    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_NANOS = 10_000_000_000L;
    private static final int BAR = 20;

    private final String label;
    private final long total;
    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier clock;
    private final long start;
    private long done;
    private long lastReport;

    Progress(String label, long total, PrintWriter err, boolean terminal, LongSupplier nanoClock) {
        this.label = label;
        this.total = total;
        this.err = err;
        this.terminal = terminal;
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.lastReport = start;
    }

    /**
     * Starts reporting: a bar when the process has a console, plain lines otherwise.
     *
     * @param label what is being done, for example {@code "rank"}
     * @param total how many records there are to do
     * @param err where to report
     * @return the progress
     */
    // On Java 17 (the target) System.console() is null exactly when the JVM has no terminal; Java 22 and later
    // return a console always, and there this reports in place even when redirected.
    @SuppressWarnings("SystemConsoleNull")
    public static Progress start(String label, long total, PrintWriter err) {
        return new Progress(label, total, err, System.console() != null, System::nanoTime);
    }

    /**
     * Counts records done and reports when it is time to.
     *
     * @param records how many more are done
     */
    public void step(long records) {
        done += records;
        long now = clock.getAsLong();
        if (now - lastReport >= (terminal ? REDRAW_NANOS : LOG_NANOS)) {
            lastReport = now;
            report(now);
        }
    }

    /**
     * How many records are done.
     *
     * @return the count
     */
    public long done() {
        return done;
    }

    /** Reports the final state (and ends the bar's line). */
    @Override
    public void close() {
        report(clock.getAsLong());
        if (terminal) {
            err.println();
        }
    }

    String line(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / seconds;
        long pct = total == 0 ? 100 : done * 100 / total;
        String eta = rate > 0 && done < total ? duration((total - done) / rate) : done >= total ? "done" : "?";
        if (terminal) {
            int filled = (int) (total == 0 ? BAR : Math.min(BAR, done * BAR / total));
            String bar = "=".repeat(filled) + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "");
            return String.format(
                    Locale.ROOT,
                    "\r%s [%s] %d/%d %3d%% %.1f records/s ETA %s",
                    label,
                    bar,
                    done,
                    total,
                    pct,
                    rate,
                    eta);
        }
        return String.format(
                Locale.ROOT, "%s: %d/%d (%d%%), %.1f records/s, ETA %s", label, done, total, pct, rate, eta);
    }

    private void report(long now) {
        if (terminal) {
            err.print(line(now));
            err.flush();
        } else {
            err.println(line(now));
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }
}
