package io.herdlab.lab;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What coalescing costs: Redis commands per cache miss (all commands the replicas sent, from
 * Redis INFO commandstats, between the reset after the aligned warm and the end of the run) and
 * how long followers waited to be woken with the leader's value.
 *
 * @param perCommandPerMiss command → calls per miss, most frequent first
 * @param redisIsOwn        Redis served this lab alone; otherwise other clients' commands are in the counts
 * @param wakeUps           follower waits observed
 */
record LeaseCost(long misses, long redisCalls, double callsPerMiss, Map<String, Double> perCommandPerMiss,
        boolean redisIsOwn, long wakeUps, double wakeUpP50Ms, double wakeUpP99Ms) {

    static LeaseCost of(RunData d, ServerLoad server) {
        long misses = server.misses();
        long calls = d.redisCalls().values().stream().mapToLong(Long::longValue).sum();
        Map<String, Double> perCommand = new LinkedHashMap<>();
        d.redisCalls().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> perCommand.put(e.getKey(), misses == 0 ? Double.NaN : (double) e.getValue() / misses));
        return new LeaseCost(misses, calls, misses == 0 ? Double.NaN : (double) calls / misses, perCommand,
                d.settings().redisIsOwn(), d.wakeUp().total(),
                1000 * Histograms.cumulativePercentile(d.wakeUp(), 0.50),
                1000 * Histograms.cumulativePercentile(d.wakeUp(), 0.99));
    }
}
