package io.herdlab.contract;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /actuator/herd}: one replica's counters since its last reset ({@code POST
 * /actuator/herd/reset}) and its gauges now. The service writes these records and the lab reads
 * them, so a renamed field fails to compile on both sides. A reader ignores fields it does not
 * name and reads those left out as 0 (a snapshot recorded by an older service).
 *
 * @param instance            the replica's id (its PostgreSQL application_name)
 * @param preset              the mitigation preset it runs ({@link Preset#id()})
 * @param epochMs             the replica's clock when it answered
 * @param latencyBySecond     the last completed seconds that saw requests, oldest first
 * @param breaker             the database breaker's state: closed, open, half_open, … or disabled
 * @param pgStatActivity      this database's sessions, by application name and state
 * @param pgStatActivityError why {@code pgStatActivity} is empty when it could not be read; absent otherwise
 * @param owner               owner routing's forwards, fallbacks and loads as owner (all 0 under other coalescers)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HerdSnapshot(String instance, String preset, Mitigation mitigation, long epochMs, Cache cache, Db db,
        Pool pool, Latency latency, List<LatencySecond> latencyBySecond, Coalesce coalesce, String breaker,
        List<Activity> pgStatActivity, @JsonInclude(JsonInclude.Include.NON_NULL) String pgStatActivityError,
        Owner owner) {

    public HerdSnapshot {
        mitigation = mitigation == null ? new Mitigation(preset, 0, null, 0, 0, false, 0, false, 0, 0, false, 0, 0, 0)
                : mitigation;
        cache = cache == null ? new Cache(0, 0, 0, 0, 0, 0, 0, 0) : cache;
        db = db == null ? new Db(0, 0, 0, 0, null, null) : db;
        pool = pool == null ? Pool.NONE : pool;
        latency = latency == null ? new Latency(0, 0, 0, 0, 0, null, null) : latency;
        latencyBySecond = latencyBySecond == null ? List.of() : List.copyOf(latencyBySecond);
        coalesce = coalesce == null ? new Coalesce(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) : coalesce;
        pgStatActivity = pgStatActivity == null ? List.of() : List.copyOf(pgStatActivity);
        owner = owner == null ? new Owner(0, 0, 0, 0, 0, 0, 0, 0, 0, 0) : owner;
    }

    /**
     * What the replica runs with: {@code GET /actuator/herd/mitigation} too.
     *
     * @param jitterMaxMs          the largest random extra TTL on a fill (0: none)
     * @param coalescer            who may load a missing key: none, local, lua, redisson, tiered
     * @param waitTimeoutMs        the longest a follower waits for a leader's value
     * @param leaseTimeMs          how long a distributed lease holds unless renewed
     * @param staleWhileRevalidate a value past its soft expiry is served while one refresh runs
     * @param staleForMs           how long past the soft expiry a value is kept for that
     * @param earlyRefresh         probabilistic early refresh (XFetch) before the soft expiry
     * @param beta                 XFetch's eagerness
     * @param negativeTtlMs        how long an unknown id is remembered as unknown (0: never)
     * @param breaker              a circuit breaker guards database loads
     * @param bulkhead             the most database loads in flight at once (0: no bulkhead)
     * @param ttlMs                the cache TTL of a fill
     * @param queryDelayMs         the simulated cost of one user SELECT
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Mitigation(String preset, long jitterMaxMs, String coalescer, long waitTimeoutMs, long leaseTimeMs,
            boolean staleWhileRevalidate, long staleForMs, boolean earlyRefresh, double beta, long negativeTtlMs,
            boolean breaker, int bulkhead, long ttlMs, long queryDelayMs) {
    }

    /**
     * Cache look-ups by outcome, the background refreshes started, and the writes whose cached
     * copy could not be dropped (the PUT answered 503).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Cache(long hits, long misses, long stale, long negative, long errors, long staleRefreshes,
            long earlyRefreshes, long invalidationFailures) {
    }

    /**
     * User SELECTs sent, and those that repeated a key within the replica's duplicate window;
     * the keys queried (at most the replica's tracked keys; the rest's queries are untracked),
     * the most queried ones and how many keys were queried how often.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Db(long queries, long duplicateQueries, long keysQueried, long untrackedQueries,
            List<KeyCount> topKeys, QueriesPerKey queriesPerKeyHistogram) {

        public Db {
            topKeys = topKeys == null ? List.of() : List.copyOf(topKeys);
            queriesPerKeyHistogram = queriesPerKeyHistogram == null ? new QueriesPerKey(0, 0, 0, 0, 0)
                    : queriesPerKeyHistogram;
        }
    }

    /** User {@code id} was queried {@code queries} times. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KeyCount(long id, long queries) {
    }

    /** How many keys were queried once, twice, 3–9, 10–99 and 100 or more times. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record QueriesPerKey(@JsonProperty("1") long once, @JsonProperty("2") long twice,
            @JsonProperty("3-9") long threeToNine, @JsonProperty("10-99") long tenTo99,
            @JsonProperty("100+") long hundredOrMore) {
    }

    /**
     * The R2DBC pool now, and its peaks since the reset (sampled every 10 ms in the replica);
     * all 0 when the replica has no pool to watch ({@code pooled} false).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Pool(boolean pooled, int acquired, int idle, int pending, int allocated, int maxSize,
            int peakAcquired, int peakPending) {

        /** No pool to watch. */
        public static final Pool NONE = new Pool(false, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Request latency since the reset: the count, quantiles by {@link LatencyBuckets#quantile}
     * (0 when there were no requests, rounded to 0.1 ms), the slowest request, and the counts
     * of the fixed buckets whose upper bounds (ms) are {@code bucketsMs} (one overflow bucket
     * follows the last).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Latency(long count, double p50Ms, double p95Ms, double p99Ms, long maxMs, long[] bucketsMs,
            long[] counts) {

        public Latency {
            bucketsMs = bucketsMs == null ? new long[0] : bucketsMs;
            counts = counts == null ? new long[0] : counts;
        }
    }

    /** Request latency bucket counts of one completed second. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LatencySecond(long epochSecond, long count, long[] counts) {
        public LatencySecond {
            counts = counts == null ? new long[0] : counts;
        }
    }

    /**
     * Coalescing roles (leaders loaded, followers were served by one, direct callers loaded without
     * a lease: Redis out of reach), follower timeouts, and lease events by {@link LeaseOutcome}
     * (the same counts as {@code herd_lease_total}, summed over modes); {@code leaseEventsUntracked}
     * counts the events of keys beyond those kept per key for {@code /actuator/herd/lease-events}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Coalesce(long leaders, long followers, long timeouts, long leaseAcquired, long leaseBusy,
            long leaseLost, long fenced, long refused, long leaseExtended, long leaseReleased, long callerLeft,
            long leaseBackstops, long leaseTakeovers, long direct, long leaseEventsUntracked) {
    }

    /**
     * Owner routing since the reset: misses forwarded to their owner and answered by it (its
     * 200, 404 or 503), forwards that found no owner in time and were loaded here instead, loads
     * this replica ran as a key's owner for its own requests, the reads other replicas forwarded
     * here that it answered (from the cache or by loading, never by forwarding again), the mean
     * time a forward took (ms), and the members it counts as live now (itself included; 0: not
     * routing by owner). Then what can load a key twice in the cluster: the changes of this replica's
     * view of the live members ({@code membershipChanges}, every {@link MembershipChange}), of them
     * the members it dropped ({@code membersDropped}: silent or refused), the loads it ran as owner
     * of a key only because the key's owner over the listed members was counted down
     * ({@link OwnerOutcome#MOVED}) and the forwarded reads it loaded without owning the key
     * ({@link OwnerOutcome#NOT_OWNER}).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Owner(long forwards, long fallbacks, long servedAsOwner, long servedForwarded,
            double forwardMeanMs, int liveMembers, long membershipChanges, long membersDropped, long movedLoads,
            long notOwnerLoads) {
    }

    /** {@code count} sessions of {@code applicationName} in {@code state} (pg_stat_activity). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Activity(String applicationName, String state, long count) {
    }
}
