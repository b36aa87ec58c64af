package io.herdlab.lab.analysis;

import java.util.LinkedHashMap;
import java.util.Map;

import io.herdlab.lab.data.RunData;

/**
 * DB queries per key, cluster-wide (summed over the replicas' per-key counts).
 *
 * @param clusterDuplicates    Σ (queries − 1) over the keys queried: loads a perfect coalescer would not make
 * @param hotKeyReadsPerExpiry mean DB reads of the {@value #HOT_KEYS} hottest Zipf ids (1..10) per expiry of
 *                             theirs during the run
 * @param perKeyHistogram      "1", "2", … "11+" → keys with that many queries
 */
public record KeyLoad(long keysQueried, double meanPerKey, long maxPerKey, long hottestKey, long clusterDuplicates,
        double hotKeyReadsPerExpiry, int expiries, Map<String, Long> perKeyHistogram) {

    static final int HOT_KEYS = 10;

    public static KeyLoad of(RunData d) {
        Map<Long, Integer> keys = d.queriesPerKey();
        long total = 0;
        long max = 0;
        long hottest = 0;
        long duplicates = 0;
        long[] buckets = new long[12];
        for (Map.Entry<Long, Integer> e : keys.entrySet()) {
            total += e.getValue();
            duplicates += e.getValue() - 1;
            buckets[Math.min(e.getValue(), 11)]++;
            if (e.getValue() > max) {
                max = e.getValue();
                hottest = e.getKey();
            }
        }
        Map<String, Long> histogram = new LinkedHashMap<>();
        for (int c = 1; c <= 10; c++) {
            histogram.put(Integer.toString(c), buckets[c]);
        }
        histogram.put("11+", buckets[11]);
        long hotReads = 0;
        for (long id = 1; id <= HOT_KEYS; id++) {
            hotReads += keys.getOrDefault(id, 0);
        }
        int expiries = expiries(d);
        return new KeyLoad(keys.size(), keys.isEmpty() ? 0 : (double) total / keys.size(), max, hottest, duplicates,
                (double) hotReads / HOT_KEYS / expiries, expiries, histogram);
    }

    /**
     * How often a hot key expired while requests still came: once at the aligned expiry, then
     * once per TTL after its refill at the spike (without jitter; with jitter the keys expire
     * later, so this is an upper bound).
     */
    static int expiries(RunData d) {
        long refill = d.timeline().spikeAtMs() > 0 ? d.timeline().spikeAtMs() : d.timeline().expiryMs();
        long ttl = Math.max(1, d.settings().cacheTtlMs());
        return 1 + (int) Math.max(0, (d.lastResponseEpochMs() - refill) / ttl);
    }
}
