package io.herdlab.metrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Request latencies in fixed millisecond buckets: since the last reset, and per second for
 * the last {@value #SECONDS_KEPT} completed seconds. Fixed buckets let a poller merge the
 * histograms of several replicas by adding counts.
 */
public final class LatencyHistogram {

    /** Upper bounds in ms; a final overflow bucket counts everything above the last one. */
    static final long[] BOUNDS_MS = {1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000,
            1500, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000, 60000};

    static final int SECONDS_KEPT = 10;

    private final Clock clock;

    // all fields below are guarded by this
    private long[] total = new long[BOUNDS_MS.length + 1];
    private long maxMs;
    private final long[][] perSecond = new long[SECONDS_KEPT + 2][BOUNDS_MS.length + 1];
    private final long[] secondOfSlot = new long[SECONDS_KEPT + 2];

    public LatencyHistogram(Clock clock) {
        this.clock = clock;
    }

    public synchronized void record(long millis) {
        int bucket = bucketOf(millis);
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
        total = new long[BOUNDS_MS.length + 1];
        maxMs = 0;
        Arrays.fill(secondOfSlot, 0);
    }

    /** Since the last reset: count, P50/P95/P99/max, and the bucket counts. */
    public synchronized Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        long count = Arrays.stream(total).sum();
        out.put("count", count);
        out.put("p50Ms", percentile(total, 0.50, maxMs));
        out.put("p95Ms", percentile(total, 0.95, maxMs));
        out.put("p99Ms", percentile(total, 0.99, maxMs));
        out.put("maxMs", maxMs);
        out.put("bucketsMs", BOUNDS_MS);
        out.put("counts", total.clone());
        return out;
    }

    /** The last {@value #SECONDS_KEPT} completed seconds that saw requests, oldest first. */
    public synchronized List<Map<String, Object>> lastSeconds() {
        long now = clock.millis() / 1000;
        List<Map<String, Object>> out = new ArrayList<>();
        for (long second = now - SECONDS_KEPT; second < now; second++) {
            int slot = (int) (second % perSecond.length);
            if (secondOfSlot[slot] == second) {
                long[] counts = perSecond[slot];
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("epochSecond", second);
                entry.put("count", Arrays.stream(counts).sum());
                entry.put("counts", counts.clone());
                out.add(entry);
            }
        }
        return out;
    }

    static int bucketOf(long millis) {
        int i = Arrays.binarySearch(BOUNDS_MS, millis);
        return i >= 0 ? i : -i - 1;
    }

    /** Linear interpolation inside the bucket that holds the q-th request. */
    public static double percentile(long[] counts, double q, long maxMs) {
        long count = Arrays.stream(counts).sum();
        if (count == 0) {
            return 0;
        }
        double rank = q * count;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && seen + counts[i] >= rank) {
                double lower = i == 0 ? 0 : BOUNDS_MS[i - 1];
                double upper = i < BOUNDS_MS.length ? BOUNDS_MS[i] : Math.max(maxMs, lower);
                double within = (rank - seen) / counts[i];
                double value = Math.min(lower + (upper - lower) * within, Math.max(maxMs, lower));
                return Math.round(value * 10) / 10.0;
            }
            seen += counts[i];
        }
        return maxMs;
    }
}
