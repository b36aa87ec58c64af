package io.herdlab.metrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.herdlab.contract.HerdSnapshot;
import io.herdlab.contract.LatencyBuckets;

/**
 * Request latencies in the fixed buckets of {@link LatencyBuckets}: since the last reset, and
 * per second for the last {@value #SECONDS_KEPT} completed seconds.
 */
public final class LatencyHistogram {

    static final int SECONDS_KEPT = 10;

    private final Clock clock;

    // all fields below are guarded by this
    private long[] total = new long[LatencyBuckets.COUNT];
    private long maxMs;
    private final long[][] perSecond = new long[SECONDS_KEPT + 2][LatencyBuckets.COUNT];
    private final long[] secondOfSlot = new long[SECONDS_KEPT + 2];

    public LatencyHistogram(Clock clock) {
        this.clock = clock;
    }

    public synchronized void record(long millis) {
        int bucket = LatencyBuckets.bucketOf(millis);
        total[bucket]++;
        maxMs = Math.max(maxMs, millis);
        long second = clock.millis() / 1000;
        int slot = (int) (second % perSecond.length);
        if (secondOfSlot[slot] != second) {
            Arrays.fill(perSecond[slot], 0);
            secondOfSlot[slot] = second;
        }
        perSecond[slot][bucket]++;
    }

    public synchronized void reset() {
        total = new long[LatencyBuckets.COUNT];
        maxMs = 0;
        Arrays.fill(secondOfSlot, 0);
    }

    /** Since the last reset: count, P50/P95/P99/max, and the bucket counts. */
    public synchronized HerdSnapshot.Latency summary() {
        long[] bounds = LatencyBuckets.boundsMs();
        return new HerdSnapshot.Latency(LatencyBuckets.count(total), quantile(bounds, 0.50), quantile(bounds, 0.95),
                quantile(bounds, 0.99), maxMs, bounds, total.clone());
    }

    /** {@link LatencyBuckets#quantile} to 0.1 ms, 0 before the first request. */
    private double quantile(long[] bounds, double q) {
        double value = LatencyBuckets.quantile(total, bounds, q, maxMs);
        return Double.isNaN(value) ? 0 : Math.round(value * 10) / 10.0;
    }

    /** The last {@value #SECONDS_KEPT} completed seconds that saw requests, oldest first. */
    public synchronized List<HerdSnapshot.LatencySecond> lastSeconds() {
        long now = clock.millis() / 1000;
        List<HerdSnapshot.LatencySecond> out = new ArrayList<>();
        for (long second = now - SECONDS_KEPT; second < now; second++) {
            int slot = (int) (second % perSecond.length);
            if (secondOfSlot[slot] == second) {
                long[] counts = perSecond[slot];
                out.add(new HerdSnapshot.LatencySecond(second, LatencyBuckets.count(counts), counts.clone()));
            }
        }
        return out;
    }
}
