package io.herdlab.contract;

import java.util.Arrays;
import java.util.Collection;

/**
 * The fixed millisecond buckets every replica counts its request latencies in, and the one rule
 * that turns bucket counts into a quantile: the service's snapshot, the lab's report (the
 * replicas' buckets and Prometheus's alike) and the bench's server-side figures all come from
 * {@link #quantile}. Fixed buckets let a reader merge the histograms of several replicas by
 * adding counts ({@link #add}).
 */
public final class LatencyBuckets {

    /** Upper bounds in ms; a final overflow bucket counts everything above the last one. */
    private static final long[] BOUNDS_MS = {1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750,
            1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000, 60000};

    /** Bucket counts per histogram: one per bound and the overflow bucket. */
    public static final int COUNT = BOUNDS_MS.length + 1;

    /** For {@link #quantile}: the slowest request is not known (a run recorded without it). */
    public static final long UNKNOWN_MAX = -1;

    private LatencyBuckets() {
    }

    /** The upper bounds in ms (a copy). */
    public static long[] boundsMs() {
        return BOUNDS_MS.clone();
    }

    /** The bucket that counts a request of {@code millis}. */
    public static int bucketOf(long millis) {
        int i = Arrays.binarySearch(BOUNDS_MS, millis);
        return i >= 0 ? i : -i - 1;
    }

    /**
     * The q-quantile in ms of bucket {@code counts} under upper bounds {@code boundsMs} (one
     * overflow bucket after the last bound), never above {@code maxMs}, the slowest request,
     * unless that is {@link #UNKNOWN_MAX}: {@link #quantile(long[], double[], double, double)}.
     */
    public static double quantile(long[] counts, long[] boundsMs, double q, long maxMs) {
        return quantile(counts, Arrays.stream(boundsMs).asDoubleStream().toArray(), q,
                maxMs == UNKNOWN_MAX ? Double.NaN : maxMs);
    }

    /**
     * The one quantile rule, in the unit of {@code upperBounds}: bucket {@code i} of {@code counts}
     * holds the values in (upperBounds[i − 1], upperBounds[i]], an overflow bucket may follow the
     * last bound. The q-quantile is interpolated linearly inside the bucket that holds the q-th
     * value, and never lies above {@code max}, the largest value, when that is known (not NaN);
     * an overflow bucket reaches up to {@code max}, or no further than its lower end when it is
     * not known. NaN when empty.
     */
    public static double quantile(long[] counts, double[] upperBounds, double q, double max) {
        long count = count(counts);
        if (count == 0) {
            return Double.NaN;
        }
        boolean maxKnown = !Double.isNaN(max);
        double rank = q * count;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && seen + counts[i] >= rank) {
                double lower = i == 0 ? 0 : upperBounds[Math.min(i, upperBounds.length) - 1];
                double upper = i < upperBounds.length ? upperBounds[i] : maxKnown ? Math.max(max, lower) : lower;
                double value = lower + (upper - lower) * (rank - seen) / counts[i];
                return maxKnown ? Math.min(value, Math.max(max, lower)) : value;
            }
            seen += counts[i];
        }
        return Double.NaN;
    }

    /** Both histograms' counts added bucket by bucket (the longer one's length). */
    public static long[] add(long[] into, long[] other) {
        long[] out = into.length >= other.length ? into.clone() : Arrays.copyOf(into, other.length);
        for (int i = 0; i < other.length; i++) {
            out[i] += other[i];
        }
        return out;
    }

    /** All histograms' counts added. */
    public static long[] sum(Collection<long[]> histograms) {
        long[] out = new long[0];
        for (long[] h : histograms) {
            out = add(out, h);
        }
        return out;
    }

    /** The requests a histogram counts. */
    public static long count(long[] counts) {
        return Arrays.stream(counts).sum();
    }
}
