package io.herdlab.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * Everything one experiment recorded, before any arithmetic.
 *
 * @param warmStartMs      when Artillery started the warm phase (t = 0)
 * @param expiryMs         when every warmed key expired (t = warm phase length − 1 s)
 * @param spikeStartMs     when Artillery started the spike phase (0 if never)
 * @param endMs            when Artillery exited
 * @param replicaIds       the replicas, in order (their application_name)
 * @param latencyBySecond  epoch second → request latency bucket counts, all replicas
 * @param bucketBoundsMs   the upper bounds of those buckets
 * @param queriesPerKey    user id → DB queries, summed over the replicas
 * @param artillery        Artillery's JSON report (null if it wrote none)
 * @param clientLog        one CSV line per response the client saw: endEpochMs,latencyMs,status,baseUrl
 */
record RunData(
        Experiment experiment,
        long warmStartMs,
        long expiryMs,
        long spikeStartMs,
        long endMs,
        List<String> replicaIds,
        List<Sample> samples,
        Map<Long, long[]> latencyBySecond,
        long[] bucketBoundsMs,
        Map<Long, Integer> queriesPerKey,
        JsonNode artillery,
        Path clientLog,
        int artilleryExit) {
}
