package io.herdlab.lab.analysis;

import java.util.Arrays;

import io.herdlab.contract.LatencyBuckets;
import io.herdlab.lab.data.RunData;

/**
 * Quantiles of latency histograms by the contract's one rule ({@link LatencyBuckets}): the
 * replicas' fixed buckets and the cumulative ones Prometheus publishes; and of raw client-side
 * latencies, exact.
 */
public final class Histograms {

    private Histograms() {
    }

    /**
     * The q-quantile in ms of the replicas' bucket {@code counts} by {@link LatencyBuckets#quantile},
     * capped at {@code maxMs} when it is known (&gt; 0: a run recorded before the replicas reported
     * it has 0); NaN when empty.
     */
    public static double percentile(long[] counts, long[] boundsMs, long maxMs, double q) {
        return LatencyBuckets.quantile(counts, boundsMs, q, maxMs > 0 ? maxMs : LatencyBuckets.UNKNOWN_MAX);
    }

    /** P50, P95, P99 in ms ({@link #percentile}); NaN each when empty. */
    public static double[] p50p95p99(long[] counts, long[] boundsMs, long maxMs) {
        return new double[] {percentile(counts, boundsMs, maxMs, 0.50), percentile(counts, boundsMs, maxMs, 0.95),
                percentile(counts, boundsMs, maxMs, 0.99)};
    }

    /**
     * The q-quantile of a cumulative histogram (Prometheus's {@code le} buckets), in its bounds'
     * unit, by {@link LatencyBuckets#quantile}: the {@code +Inf} bucket reads as the last finite
     * bound (the largest value is not known); NaN when empty.
     */
    public static double cumulativePercentile(RunData.Histogram h, double q) {
        long[] counts = new long[h.counts().length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = h.counts()[i] - (i == 0 ? 0 : h.counts()[i - 1]);
        }
        double[] finite = Arrays.stream(h.bounds()).filter(Double::isFinite).toArray();
        return LatencyBuckets.quantile(counts, finite, q, Double.NaN);
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
