package io.herdlab.lab;

import java.util.Arrays;

import io.herdlab.contract.LatencyBuckets;

/**
 * Quantiles of latency histograms: the replicas' fixed buckets (by the contract's one rule,
 * {@link LatencyBuckets}), cumulative ones as Prometheus publishes them (interpolated linearly
 * inside a bucket too), and raw client-side latencies (exact).
 */
final class Histograms {

    private Histograms() {
    }

    /**
     * P50, P95, P99 in ms of the replicas' buckets by {@link LatencyBuckets#quantile}, capped at
     * {@code maxMs} when it is known (&gt; 0: a run recorded before the replicas reported it has 0);
     * NaN each when empty.
     */
    static double[] p50p95p99(long[] counts, long[] boundsMs, long maxMs) {
        long max = maxMs > 0 ? maxMs : LatencyBuckets.UNKNOWN_MAX;
        return new double[] {LatencyBuckets.quantile(counts, boundsMs, 0.50, max),
                LatencyBuckets.quantile(counts, boundsMs, 0.95, max), LatencyBuckets.quantile(counts, boundsMs, 0.99, max)};
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
