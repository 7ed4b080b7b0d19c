package io.llmblender.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Arrays;

/** The benchmarks' shared arithmetic: medians of timings and rounding for the JSON reports. */
final class BenchStats {

    private BenchStats() {
    }

    /** The median (the mean of the middle two for an even count). */
    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /** Appends each duration, given in nanoseconds, as milliseconds rounded to 0.01. */
    static void putMillis(ArrayNode out, long[] nanos) {
        for (long t : nanos) {
            out.add(round(t * 1e-6, 2));
        }
    }

    /** Rounds half up to the given number of decimal digits. */
    static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
