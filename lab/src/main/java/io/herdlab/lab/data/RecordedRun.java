package io.herdlab.lab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.herdlab.contract.LeaseEvents;
import io.herdlab.lab.Experiment;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * One experiment's recorded data as files in its folder, and back: {@code run.json} (settings,
 * timeline, Redis command counts served and sent, lease outcomes, follower wait histogram, keys
 * cached at the end), {@code samples.json} (every poll and the per-second latency histograms),
 * {@code keys.json} (DB queries per id), {@code lease-events.json} (lease events per id, where the
 * replicas served them), {@code artillery.json} and {@code client.csv} (Artillery's report and one
 * line per response), {@code spike.csv} (one line per spike request). A part an older run did not
 * record reads as null, never as zero ({@code redisShards}, the commands per master, came with the
 * cluster set: a run.json without it reads as before).
 */
public final class RecordedRun {

    /** What {@code run.json} holds: the parts of {@link RunData} that have no file of their own. */
    record RunFile(Experiment experiment, RunData.Settings settings, RunData.Timeline timeline, List<String> replicaIds,
            Map<String, Long> redisCalls, Map<String, Long> redisSent, Map<String, Long> leaseOutcomes,
            Map<String, Long> ownerForwards, RunData.Histogram wakeUp, List<Long> cachedAtEnd, int artilleryExit,
            List<RunData.Shard> redisShards) {
    }

    public static final String LEASE_EVENTS = "lease-events.json";

    /** What {@code samples.json} holds. */
    record SamplesFile(List<Sample> samples, long[] latencyBucketsMs, long latencyMaxMs,
            Map<Long, long[]> latencyBySecond) {
    }

    private RecordedRun() {
    }

    /** Writes run.json, samples.json, keys.json and lease-events.json; the processes wrote the others themselves. */
    public static void write(Path dir, RunData d) throws IOException {
        Files.createDirectories(dir);
        AdminClient.JSON.writeValue(dir.resolve("run.json").toFile(), new RunFile(d.experiment(), d.settings(),
                d.timeline(), d.replicaIds(), d.redisCalls(), d.redisSent(), d.leaseOutcomes(), d.ownerForwards(), d.wakeUp(),
                d.cachedAtEnd(), d.artilleryExit(), d.redisShards()));
        AdminClient.JSON.writeValue(dir.resolve("samples.json").toFile(),
                new SamplesFile(d.samples(), d.bucketBoundsMs(), d.latencyMaxMs(), d.latencyBySecond()));
        AdminClient.JSON.writeValue(dir.resolve("keys.json").toFile(), d.queriesPerKey());
        if (d.leaseEvents() != null) {
            AdminClient.JSON.writeValue(dir.resolve(LEASE_EVENTS).toFile(), d.leaseEvents());
        }
    }

    public static RunData read(Path dir) throws IOException {
        RunFile run = AdminClient.JSON.readValue(dir.resolve("run.json").toFile(), RunFile.class);
        SamplesFile samples = AdminClient.JSON.readValue(dir.resolve("samples.json").toFile(), SamplesFile.class);
        Map<Long, Integer> keys = new TreeMap<>(AdminClient.JSON.readValue(dir.resolve("keys.json").toFile(),
                new TypeReference<Map<Long, Integer>>() { }));
        Path events = dir.resolve(LEASE_EVENTS);
        LeaseEvents leaseEvents = Files.isRegularFile(events)
                ? AdminClient.JSON.readValue(events.toFile(), LeaseEvents.class) : null;
        return new RunData(run.experiment(), run.settings(), run.timeline(), run.replicaIds(), samples.samples(),
                new TreeMap<>(samples.latencyBySecond()), samples.latencyBucketsMs(), samples.latencyMaxMs(), keys,
                artilleryCounters(dir.resolve("artillery.json")), responses(dir.resolve("client.csv")),
                spike(dir.resolve("spike.csv")), withoutReplication(run.redisCalls()), run.redisSent(),
                run.leaseOutcomes(), run.ownerForwards(), leaseEvents == null ? null : leaseEvents.byId(), run.wakeUp(),
                run.cachedAtEnd(), run.artilleryExit(), run.redisShards() == null ? null : run.redisShards().stream()
                        .map(s -> new RunData.Shard(s.node(), s.slots(), withoutReplication(s.calls()))).toList());
    }

    /** The counts without a cluster's replication ({@code replconf}), which the first cluster runs recorded. */
    private static Map<String, Long> withoutReplication(Map<String, Long> calls) {
        if (calls == null || !calls.containsKey(RedisProbe.REPLICATION)) {
            return calls;
        }
        Map<String, Long> out = new TreeMap<>(calls);
        out.remove(RedisProbe.REPLICATION);
        return out;
    }

    private static Map<String, Long> artilleryCounters(Path file) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            JsonNode counters = AdminClient.JSON.readTree(file.toFile()).path("aggregate").path("counters");
            counters.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        }
        return out;
    }

    /** client.csv: endEpochMs,latencyMs,status,baseUrl. */
    private static List<RunData.Response> responses(Path file) throws IOException {
        List<RunData.Response> out = new ArrayList<>();
        for (String[] f : csv(file)) {
            if (f.length >= 3 && !f[1].isEmpty()) {
                out.add(new RunData.Response(Long.parseLong(f[0]), Double.parseDouble(f[1]), f[2]));
            }
        }
        return out;
    }

    /** spike.csv: sendEpochMs,latencyMs,status,baseUrl (send and latency empty for a request never sent). */
    private static List<RunData.SpikeRequest> spike(Path file) throws IOException {
        List<RunData.SpikeRequest> out = new ArrayList<>();
        for (String[] f : csv(file)) {
            if (f.length >= 3) {
                out.add(new RunData.SpikeRequest(number(f[0]), number(f[1]), f[2]));
            }
        }
        return out;
    }

    private static double number(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    private static List<String[]> csv(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(l -> l.split(",", -1)).toList();
    }
}
