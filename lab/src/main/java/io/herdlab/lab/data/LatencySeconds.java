package io.herdlab.lab.data;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.herdlab.contract.HerdSnapshot;
import io.herdlab.contract.LatencyBuckets;

/**
 * Request latency per replica and epoch second, kept from the replicas' snapshots: each carries
 * its last 10 completed seconds ({@code latencyBySecond}), so a poll every few seconds loses no
 * request, and a second read twice is counted once. Safe to feed from several threads.
 */
public final class LatencySeconds {

    /** Replica → epoch second → bucket counts. */
    private final Map<String, Map<Long, long[]>> byReplica = new ConcurrentHashMap<>();
    private volatile long[] boundsMs = new long[0];
    private final AtomicLong maxMs = new AtomicLong();

    public void keep(String replica, HerdSnapshot snapshot) {
        if (boundsMs.length == 0) {
            boundsMs = snapshot.latency().bucketsMs();
        }
        maxMs.accumulateAndGet(snapshot.latency().maxMs(), Math::max);
        Map<Long, long[]> mine = byReplica.computeIfAbsent(replica, k -> new ConcurrentHashMap<>());
        for (HerdSnapshot.LatencySecond second : snapshot.latencyBySecond()) {
            mine.put(second.epochSecond(), second.counts());
        }
    }

    /** Request latency per epoch second, all replicas merged. */
    public Map<Long, long[]> merged() {
        Map<Long, long[]> merged = new TreeMap<>();
        for (Map<Long, long[]> replica : byReplica.values()) {
            replica.forEach((second, counts) -> merged.merge(second, counts.clone(), LatencyBuckets::add));
        }
        return merged;
    }

    /** One replica's counts, all its seconds added. */
    public long[] total(String replica) {
        return LatencyBuckets.sum(byReplica.getOrDefault(replica, Map.of()).values());
    }

    /** The buckets' upper bounds (ms), as the replicas publish them. */
    public long[] boundsMs() {
        return boundsMs;
    }

    /** The slowest request any replica reported since its reset. */
    public long maxMs() {
        return maxMs.get();
    }
}
