package io.llmblender.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Arrays;

/** The benchmarks' shared arithmetic: medians of timings and rounding for the JSON reports. */
final class BenchStats {

    private BenchStats() {}

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

    /**
     * A memory figure of this process from {@code /proc/self/status}, in MB: {@code "VmRSS"} (resident now) or
     * {@code "VmHWM"} (the peak resident size).
     *
     * @param field the field name, without its colon
     * @return the value in MB, or -1 where there is no such file or field
     */
    static double procStatusMb(String field) {
        try {
            for (String line : java.nio.file.Files.readAllLines(
                    java.nio.file.Path.of("/proc/self/status"), java.nio.charset.StandardCharsets.UTF_8)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Rounds half up to the given number of decimal digits. */
    static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
