package io.herdlab.lab.data;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.herdlab.lab.Experiment;

/**
 * Everything one experiment recorded, before any arithmetic; {@link RecordedRun} keeps it in
 * the experiment's folder and reads it back, so every figure can be computed again from files.
 *
 * @param replicaIds         the replicas, in order (their application_name)
 * @param samples            the once-a-second polls
 * @param latencyBySecond    epoch second → request latency bucket counts, all replicas merged
 * @param bucketBoundsMs     the upper bounds of those buckets (an overflow bucket follows)
 * @param latencyMaxMs       the slowest request any replica served (0 where unknown): no percentile lies above it
 * @param queriesPerKey      user id → DB queries, summed over the replicas
 * @param artilleryCounters  Artillery's aggregate counters (http.requests, errors.*, http.codes.*)
 * @param artilleryResponses one per response Artillery saw (warm and tail phases)
 * @param spike              one per request of the spike stage
 * @param redisCalls         Redis command → calls Redis served between the reset after the aligned warm and the end
 *                           (INFO commandstats: Redis-side, the commands run inside scripts included)
 * @param redisSent          Redis command → commands the replicas sent between the same two instants, summed over
 *                           replicas and clients ({@code herd_redis_commands_total}); null where the replicas do not
 *                           count them (runs recorded before the counter existed)
 * @param leaseOutcomes      lease outcome → events between the same two instants, summed over replicas and modes
 *                           ({@code herd_lease_total}); null where not recorded (older runs)
 * @param ownerForwards      owner routing between the same two instants, summed over replicas: {@code forwards}
 *                           (misses forwarded to their owner and answered) and {@code fallbacks} (forwards that found
 *                           no owner in time); null where not recorded (older runs)
 * @param leaseEvents        user id → outcome → events that may explain a duplicate load, summed over the replicas
 *                           ({@code /actuator/herd/lease-events}); null where the replicas do not serve them
 * @param wakeUp             the follower wait histogram between the same two instants, all replicas
 * @param cachedAtEnd        ids whose key was still in Redis when the run ended
 * @param redisShards        {@code redisCalls} per master that served them (one on a single node, each master of a
 *                           Redis Cluster), with the slots each served; null in runs recorded before it was kept
 */
public record RunData(
        Experiment experiment,
        Settings settings,
        Timeline timeline,
        List<String> replicaIds,
        List<Sample> samples,
        Map<Long, long[]> latencyBySecond,
        long[] bucketBoundsMs,
        long latencyMaxMs,
        Map<Long, Integer> queriesPerKey,
        Map<String, Long> artilleryCounters,
        List<Response> artilleryResponses,
        List<SpikeRequest> spike,
        Map<String, Long> redisCalls,
        Map<String, Long> redisSent,
        Map<String, Long> leaseOutcomes,
        Map<String, Long> ownerForwards,
        Map<Long, Map<String, Long>> leaseEvents,
        Histogram wakeUp,
        List<Long> cachedAtEnd,
        int artilleryExit,
        List<Shard> redisShards) {

    /** A run recorded without the per-shard command counts. */
    public RunData(Experiment experiment, Settings settings, Timeline timeline, List<String> replicaIds,
            List<Sample> samples, Map<Long, long[]> latencyBySecond, long[] bucketBoundsMs, long latencyMaxMs,
            Map<Long, Integer> queriesPerKey, Map<String, Long> artilleryCounters, List<Response> artilleryResponses,
            List<SpikeRequest> spike, Map<String, Long> redisCalls, Map<String, Long> redisSent,
            Map<String, Long> leaseOutcomes, Map<String, Long> ownerForwards, Map<Long, Map<String, Long>> leaseEvents,
            Histogram wakeUp, List<Long> cachedAtEnd, int artilleryExit) {
        this(experiment, settings, timeline, replicaIds, samples, latencyBySecond, bucketBoundsMs, latencyMaxMs,
                queriesPerKey, artilleryCounters, artilleryResponses, spike, redisCalls, redisSent, leaseOutcomes,
                ownerForwards, leaseEvents, wakeUp, cachedAtEnd, artilleryExit, null);
    }

    /** When the last response of the run ended, Artillery's or the spike's (the warm start if none did). */
    public long lastResponseEpochMs() {
        long artillery = artilleryResponses.stream().mapToLong(Response::endEpochMs).max().orElse(0);
        long spikeEnd = Math.round(spike.stream().filter(r -> r.sent() && !Double.isNaN(r.latencyMs()))
                .mapToDouble(r -> r.sendEpochMs() + r.latencyMs()).max().orElse(0));
        return Math.max(timeline.warmStartMs(), Math.max(artillery, spikeEnd));
    }

    /**
     * Who coordinated a miss: {@code none}, {@code local}, or a lease ({@code lua}, {@code redisson},
     * {@code tiered}); as the replicas said, or for runs recorded before they did, the preset's.
     */
    public String coalescer() {
        if (settings.coalescer() != null && !settings.coalescer().isBlank()) {
            return settings.coalescer().toLowerCase(Locale.ROOT);
        }
        return switch (experiment.preset()) {
            case BASELINE, JITTER -> "none";
            case LOCAL -> "local";
            case REDISSON -> "redisson";
            case LUA -> "lua";
            case TIERED, FULL -> "tiered";
            case OWNER -> "owner";
        };
    }

    /** Whether a lease coordinated the misses cluster-wide (every coalescer but none, local and owner). */
    public boolean leased() {
        return !coalescer().equals("none") && !coalescer().equals("local") && !coalescer().equals("owner");
    }

    /**
     * What the replicas ran with.
     *
     * @param jitterMaxMs   the preset's TTL jitter (0: every key expires at the aligned instant)
     * @param redisIsOwn    Redis served this lab alone, so its command counts are the replicas' own
     * @param coalescer     the replicas' effective coalescer (null in runs recorded before it was kept)
     */
    public record Settings(int users, long cacheTtlMs, long jitterMaxMs, long queryDelayMs, int poolSize,
            int spikeRequests, boolean redisIsOwn, String coalescer) {
    }

    /**
     * The run's instants (epoch ms).
     *
     * @param warmStartMs Artillery started the warm phase (t = 0)
     * @param expiryMs    every warmed key expired, plus its jitter if the preset has any
     * @param spikeAtMs   the spike's planned instant (0 if there was none)
     * @param endMs       Artillery and the spike stage had exited
     */
    public record Timeline(long warmStartMs, long expiryMs, long spikeAtMs, long endMs) {

        /** Seconds since the warm phase started. */
        public double t(long epochMs) {
            return (epochMs - warmStartMs) / 1000.0;
        }
    }

    /**
     * One master's part of the run's Redis commands (INFO commandstats, between the same two instants as
     * {@code redisCalls}).
     *
     * @param node  {@code host:port}
     * @param slots the hash slot ranges it served ({@code 0-5460}; {@code 0-16383} for a single node)
     * @param calls command → calls it served
     */
    public record Shard(String node, List<String> slots, Map<String, Long> calls) {

        public long total() {
            return calls.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Whether it served {@code slot}. */
        public boolean serves(int slot) {
            for (String range : slots) {
                int dash = range.indexOf('-');
                int low = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                int high = dash < 0 ? low : Integer.parseInt(range.substring(dash + 1));
                if (low <= slot && slot <= high) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One response Artillery saw: when it ended, how long it took, its status. */
    public record Response(long endEpochMs, double latencyMs, String status) {
    }

    /**
     * One request of the spike: when it was written to its connection, how long until the
     * response ended (NaN if it never did), and the HTTP status, or timeout, error or unsent.
     */
    public record SpikeRequest(double sendEpochMs, double latencyMs, String status) {

        public boolean sent() {
            return !Double.isNaN(sendEpochMs);
        }
    }

    /** A cumulative histogram: {@code counts[i]} observations at most {@code bounds[i]}. */
    public record Histogram(double[] bounds, long[] counts) {

        static final Histogram EMPTY = new Histogram(new double[0], new long[0]);

        public long total() {
            return counts.length == 0 ? 0 : counts[counts.length - 1];
        }
    }
}
