package io.herdlab.contract;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * {@code GET /actuator/herd}: one replica's counters since its last reset ({@code POST
 * /actuator/herd/reset}) and its gauges now. Fields the service adds later are ignored; fields
 * it leaves out read as 0 (a pool the replica cannot watch has none of its fields).
 *
 * @param instance        the replica's id (its PostgreSQL application_name)
 * @param preset          the mitigation preset it runs
 * @param epochMs         the replica's clock when it answered
 * @param latencyBySecond the last completed seconds that saw requests, oldest first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HerdSnapshot(String instance, String preset, Mitigation mitigation, long epochMs, Cache cache, Db db,
        Pool pool, Latency latency, List<LatencySecond> latencyBySecond, Coalesce coalesce) {

    public HerdSnapshot {
        mitigation = mitigation == null ? new Mitigation(preset, 0, null, 0, 0) : mitigation;
        cache = cache == null ? new Cache(0, 0, 0, 0, 0) : cache;
        db = db == null ? new Db(0, 0) : db;
        pool = pool == null ? new Pool(0, 0, 0, 0, 0) : pool;
        latency = latency == null ? new Latency(new long[0], 0) : latency;
        latencyBySecond = latencyBySecond == null ? List.of() : List.copyOf(latencyBySecond);
        coalesce = coalesce == null ? new Coalesce(0, 0, 0) : coalesce;
    }

    /**
     * What the replica runs with.
     *
     * @param jitterMaxMs  the largest random extra TTL on a fill (0: none)
     * @param coalescer    who may load a missing key: none, local, lua, redisson, …
     * @param ttlMs        the cache TTL of a fill
     * @param queryDelayMs the simulated cost of one user SELECT
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Mitigation(String preset, long jitterMaxMs, String coalescer, long ttlMs, long queryDelayMs) {
    }

    /** Cache look-ups by outcome. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Cache(long hits, long misses, long stale, long negative, long errors) {
    }

    /** User SELECTs sent, and those that repeated a key within the replica's duplicate window. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Db(long queries, long duplicateQueries) {
    }

    /** The R2DBC pool now, and its peaks since the reset (sampled every 10 ms in the replica). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Pool(int acquired, int pending, int maxSize, int peakAcquired, int peakPending) {
    }

    /**
     * The fixed upper bounds (ms) of the latency buckets (one overflow bucket follows the last),
     * and the slowest request since the reset.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Latency(long[] bucketsMs, long maxMs) {
        public Latency {
            bucketsMs = bucketsMs == null ? new long[0] : bucketsMs;
        }
    }

    /** Request latency bucket counts of one completed second. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LatencySecond(long epochSecond, long[] counts) {
        public LatencySecond {
            counts = counts == null ? new long[0] : counts;
        }
    }

    /** Coalescing roles: leaders loaded, followers were served by one, timeouts gave up waiting. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Coalesce(long leaders, long followers, long timeouts) {
    }
}
