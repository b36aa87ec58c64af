package io.herdlab.lab;

import java.util.Arrays;
import java.util.Collection;

/**
 * Latency histograms as the replicas publish them (fixed buckets, merged by adding counts), and
 * cumulative ones as Prometheus does; quantiles interpolate linearly inside a bucket.
 */
final class Histograms {

    private Histograms() {
    }

    static long[] add(long[] into, long[] other) {
        long[] out = into.length >= other.length ? into.clone() : Arrays.copyOf(into, other.length);
        for (int i = 0; i < other.length; i++) {
            out[i] += other[i];
        }
        return out;
    }

    static long[] sum(Collection<long[]> histograms) {
        long[] out = new long[0];
        for (long[] h : histograms) {
            out = add(out, h);
        }
        return out;
    }

    static long count(long[] counts) {
        return Arrays.stream(counts).sum();
    }

    /**
     * The q-quantile in ms of bucket {@code counts} under upper bounds {@code boundsMs} (one
     * overflow bucket after the last bound), interpolated inside its bucket but never above
     * {@code maxMs}, the slowest request seen, when it is known (&gt; 0) — as the service computes
     * its own; NaN when empty.
     */
    static double percentile(long[] counts, long[] boundsMs, long maxMs, double q) {
        long count = count(counts);
        if (count == 0) {
            return Double.NaN;
        }
        double rank = q * count;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && seen + counts[i] >= rank) {
                double lower = i == 0 ? 0 : boundsMs[Math.min(i, boundsMs.length) - 1];
                double upper = i < boundsMs.length ? boundsMs[i] : Math.max(maxMs, lower);
                double value = lower + (upper - lower) * (rank - seen) / counts[i];
                return maxMs > 0 ? Math.min(value, Math.max(maxMs, lower)) : value;
            }
            seen += counts[i];
        }
        return Double.NaN;
    }

    /** P50, P95, P99 in ms, capped at {@code maxMs} when known; NaN each when empty. */
    static double[] p50p95p99(long[] counts, long[] boundsMs, long maxMs) {
        return new double[] {percentile(counts, boundsMs, maxMs, 0.50), percentile(counts, boundsMs, maxMs, 0.95),
                percentile(counts, boundsMs, maxMs, 0.99)};
    }

    /** The q-quantile of a cumulative histogram, in its bounds' unit; the +Inf bucket reads as the last finite bound. */
    static double cumulativePercentile(RunData.Histogram h, double q) {
        long total = h.total();
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        for (int i = 0; i < h.counts().length; i++) {
            if (h.counts()[i] >= rank) {
                double lower = i == 0 ? 0 : h.bounds()[i - 1];
                if (Double.isInfinite(h.bounds()[i])) {
                    return lower;
                }
                long below = i == 0 ? 0 : h.counts()[i - 1];
                long inBucket = h.counts()[i] - below;
                return inBucket == 0 ? h.bounds()[i] : lower + (h.bounds()[i] - lower) * (rank - below) / inBucket;
            }
        }
        return h.bounds()[h.bounds().length - 1];
    }

    /** Nearest-rank quantile of values (exact, for client-side latencies); NaN when empty. */
    static double exact(double[] sortedValues, double q) {
        if (sortedValues.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sortedValues.length) - 1;
        return sortedValues[Math.max(0, Math.min(sortedValues.length - 1, i))];
    }

    static double[] exactP50p95p99(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return new double[] {exact(v, 0.50), exact(v, 0.95), exact(v, 0.99)};
    }
}
