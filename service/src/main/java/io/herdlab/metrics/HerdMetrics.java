package io.herdlab.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

import io.herdlab.contract.HerdSnapshot;
import io.herdlab.contract.LeaseOutcome;
import io.herdlab.contract.MembershipChange;
import io.herdlab.contract.OwnerOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every herdlab signal, recorded twice: as a monotonic Micrometer meter for Prometheus, and
 * as a resettable tally for the {@code /actuator/herd} snapshot that one lab run reads. The
 * tallies are kept by the same enums that name the meters' tags, and read into the contract's
 * records field by field: no snapshot count is looked up by a string.
 */
public final class HerdMetrics {

    /** A cache look-up's outcome: the {@code result} tag of {@code herd_cache_requests_total}. */
    public enum CacheResult {
        HIT, MISS, STALE, NEGATIVE, ERROR;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    /** Why a background refresh ran: the {@code kind} tag of {@code herd_cache_refreshes_total}. */
    public enum RefreshKind {
        /** A value past its soft expiry was served (stale-while-revalidate). */
        STALE,
        /** XFetch chose to refresh a value before its soft expiry. */
        EARLY;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private final MeterRegistry registry;
    private final KeyQueryCounts keyQueries;
    private final LeaseEventCounts leaseEvents;
    private final LatencyHistogram latency;
    // the resettable tallies of the snapshot (summed over tags such as mode)
    private final Tally<CacheResult> cacheResults = new Tally<>(CacheResult.class);
    private final Tally<RefreshKind> refreshes = new Tally<>(RefreshKind.class);
    private final Tally<CoalesceRole> roles = new Tally<>(CoalesceRole.class);
    private final Tally<LeaseOutcome> leaseOutcomes = new Tally<>(LeaseOutcome.class);
    private final LongAdder dbQueriesSinceReset = new LongAdder();
    private final LongAdder dbDuplicatesSinceReset = new LongAdder();
    private final LongAdder timeoutsSinceReset = new LongAdder();
    private final LongAdder invalidationFailuresSinceReset = new LongAdder();
    // owner routing since the reset: forwards answered and their total time, fallbacks, loads as owner
    private final LongAdder forwardsSinceReset = new LongAdder();
    private final LongAdder forwardNanosSinceReset = new LongAdder();
    private final LongAdder fallbacksSinceReset = new LongAdder();
    private final LongAdder servedAsOwnerSinceReset = new LongAdder();
    private final LongAdder servedForwardedSinceReset = new LongAdder();
    private final Tally<MembershipChange> membershipChanges = new Tally<>(MembershipChange.class);
    private final Tally<OwnerOutcome> ownerLoads = new Tally<>(OwnerOutcome.class);
    /** The live members owner routing counts now; 0 until {@link #ownerMembers} is given one. */
    private volatile IntSupplier liveMembers = () -> 0;
    /** Micrometer counters by name and tags, so each tag combination keeps its own series. */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    /** Micrometer timers by name and mode, looked up once per combination (followers record per request). */
    private final Map<List<String>, Timer> modeTimers = new ConcurrentHashMap<>();
    // the per-request meters, looked up once
    private final EnumMap<CacheResult, Counter> cacheCounters = new EnumMap<>(CacheResult.class);
    private final Counter dbQueries;
    private final Counter dbDuplicates;
    private final Timer dbQueryTimer;
    /** DB queries sent and not yet answered, and their peak since the last scrape. */
    private final AtomicInteger dbInFlight = new AtomicInteger();
    private final ScrapePeak dbInFlightPeak;

    public HerdMetrics(MeterRegistry registry, Duration duplicateWindow, int maxTrackedKeys, Clock clock) {
        this.registry = registry;
        this.keyQueries = new KeyQueryCounts(duplicateWindow, maxTrackedKeys);
        this.leaseEvents = new LeaseEventCounts(maxTrackedKeys);
        this.latency = new LatencyHistogram(clock);
        for (CacheResult result : CacheResult.values()) {
            cacheCounters.put(result, registry.counter("herd.cache.requests", "result", result.tag));
        }
        this.dbQueries = registry.counter("herd.db.queries");
        this.dbDuplicates = registry.counter("herd.db.duplicate.queries");
        this.dbQueryTimer = registry.timer("herd.db.query");
        Gauge.builder("herd.db.inflight", dbInFlight, AtomicInteger::get)
                .description("user SELECTs sent to PostgreSQL and not yet answered").register(registry);
        this.dbInFlightPeak = ScrapePeak.register(registry, "herd.db.inflight.peak",
                "most user SELECTs in flight at once since the last scrape", dbInFlight::get);
    }

    /** Resettable counts, one per constant of an enum. */
    private static final class Tally<E extends Enum<E>> {
        private final EnumMap<E, LongAdder> counts;

        Tally(Class<E> type) {
            counts = new EnumMap<>(type);
            for (E constant : type.getEnumConstants()) {
                counts.put(constant, new LongAdder());
            }
        }

        void increment(E constant) {
            counts.get(constant).increment();
        }

        long get(E constant) {
            return counts.get(constant).sum();
        }

        long total() {
            return counts.values().stream().mapToLong(LongAdder::sum).sum();
        }

        void reset() {
            counts.values().forEach(LongAdder::reset);
        }
    }

    /** The Micrometer counter {@code meter} with {@code tags}, registered on first use. */
    private Counter counter(String meter, String... tags) {
        List<String> id = new ArrayList<>(tags.length + 1);
        id.add(meter);
        id.addAll(List.of(tags));
        return counters.computeIfAbsent(id, k -> registry.counter(meter, tags));
    }

    public void cache(CacheResult result) {
        cacheCounters.get(result).increment();
        cacheResults.increment(result);
    }

    /** One user SELECT about to be sent to PostgreSQL. */
    public void dbQuery(long id) {
        dbQueries.increment();
        dbQueriesSinceReset.increment();
        if (keyQueries.record(id, System.nanoTime())) {
            dbDuplicates.increment();
            dbDuplicatesSinceReset.increment();
        }
    }

    /** A user SELECT was sent to PostgreSQL; pair with {@link #dbQueryFinished()}. */
    public void dbQueryStarted() {
        dbInFlightPeak.record(dbInFlight.incrementAndGet());
    }

    /** The SELECT of {@link #dbQueryStarted()} completed, failed or was cancelled. */
    public void dbQueryFinished() {
        dbInFlight.decrementAndGet();
    }

    public Timer dbQueryTimer() {
        return dbQueryTimer;
    }

    public void coalesceRole(CoalesceScope mode, CoalesceRole role) {
        counter("herd.coalesce", "mode", mode.tag, "role", role.tag).increment();
        roles.increment(role);
    }

    public void coalesceWait(CoalesceScope mode, Duration waited) {
        modeTimer("herd.coalesce.wait", mode).record(waited);
    }

    /** A lease follower answered this long after its leader's fill was written. */
    public void wakeUp(CoalesceScope mode, Duration sinceFill) {
        modeTimer("herd.coalesce.wakeup", mode).record(sinceFill);
    }

    private Timer modeTimer(String name, CoalesceScope mode) {
        return modeTimers.computeIfAbsent(List.of(name, mode.tag), k -> registry.timer(name, "mode", mode.tag));
    }

    /** A write's cached copy could not be dropped (the PUT answered 503). */
    public void invalidationFailed() {
        counter("herd.cache.invalidation.failures").increment();
        invalidationFailuresSinceReset.increment();
    }

    public void coalesceTimeout(CoalesceScope mode) {
        counter("herd.coalesce.timeouts", "mode", mode.tag).increment();
        timeoutsSinceReset.increment();
    }

    /**
     * A lease event about user {@code id}: {@code herd_lease_total{mode,outcome}}, and kept per
     * key when it may explain a duplicate load (see {@link #leaseEventsPerKey()}).
     */
    public void lease(CoalesceScope mode, LeaseOutcome outcome, long id) {
        counter("herd.lease", "mode", mode.tag, "outcome", outcome.tag()).increment();
        leaseOutcomes.increment(outcome);
        leaseEvents.record(id, outcome);
    }

    /** A miss was forwarded to its owner, which answered after {@code took}: {@code herd_owner_forward_seconds}. */
    public void ownerForward(Duration took) {
        modeTimer("herd.owner.forward", CoalesceScope.OWNER).record(took);
        forwardsSinceReset.increment();
        forwardNanosSinceReset.add(took.toNanos());
    }

    /** A forward found no owner in time and this replica loaded the key itself: {@code herd_owner_fallbacks_total}. */
    public void ownerFallback() {
        counter("herd.owner.fallbacks").increment();
        fallbacksSinceReset.increment();
    }

    /**
     * This replica loaded a key as its owner for one of its own requests, or answered a forwarded read:
     * {@code herd_owner_served_total{via=self|forward}}.
     */
    public void ownerServed(boolean forwarded) {
        counter("herd.owner.served", "via", forwarded ? "forward" : "self").increment();
        (forwarded ? servedForwardedSinceReset : servedAsOwnerSinceReset).increment();
    }

    /**
     * This replica's view of the live members changed, for {@code reason}:
     * {@code herd_owner_membership_changes_total{reason}}.
     */
    public void ownerMembershipChange(MembershipChange reason) {
        counter("herd.owner.membership.changes", "reason", reason.tag()).increment();
        membershipChanges.increment(reason);
    }

    /**
     * This replica loaded user {@code id} from the database where another replica may load it too
     * ({@code outcome}): {@code herd_owner_loads_total{kind}}, and kept per key for the lab's
     * duplicate attribution (see {@link #leaseEventsPerKey()}).
     */
    public void ownerLoad(OwnerOutcome outcome, long id) {
        counter("herd.owner.loads", "kind", outcome.tag()).increment();
        ownerLoads.increment(outcome);
        leaseEvents.record(id, outcome);
    }

    /**
     * Owner routing runs here: its live members, as {@code herd_owner_members} and in the
     * snapshot; its forward, fallback, membership and load meters registered at 0, so a pod that
     * has not forwarded yet still shows on the dashboard (and a scrape before a change has the series).
     */
    public void ownerMembers(IntSupplier live) {
        this.liveMembers = live;
        modeTimer("herd.owner.forward", CoalesceScope.OWNER);
        counter("herd.owner.fallbacks");
        for (MembershipChange reason : MembershipChange.values()) {
            counter("herd.owner.membership.changes", "reason", reason.tag());
        }
        for (OwnerOutcome outcome : OwnerOutcome.values()) {
            counter("herd.owner.loads", "kind", outcome.tag());
        }
        Gauge.builder("herd.owner.members", live, IntSupplier::getAsInt)
                .description("members owner routing counts as live, this replica included").register(registry);
    }

    public HerdSnapshot.Owner ownerSnapshot() {
        long forwards = forwardsSinceReset.sum();
        return new HerdSnapshot.Owner(forwards, fallbacksSinceReset.sum(), servedAsOwnerSinceReset.sum(),
                servedForwardedSinceReset.sum(),
                forwards == 0 ? 0 : Math.round(forwardNanosSinceReset.sum() / 1e5 / forwards) / 10.0,
                liveMembers.getAsInt(), membershipChanges.total(),
                membershipChanges.get(MembershipChange.SILENT) + membershipChanges.get(MembershipChange.REFUSED),
                ownerLoads.get(OwnerOutcome.MOVED), ownerLoads.get(OwnerOutcome.NOT_OWNER));
    }

    public void refresh(RefreshKind kind) {
        counter("herd.cache.refreshes", "kind", kind.tag).increment();
        refreshes.increment(kind);
    }

    public void requestLatency(long millis) {
        latency.record(millis);
    }

    public void reset() {
        cacheResults.reset();
        refreshes.reset();
        roles.reset();
        leaseOutcomes.reset();
        dbQueriesSinceReset.reset();
        dbDuplicatesSinceReset.reset();
        timeoutsSinceReset.reset();
        invalidationFailuresSinceReset.reset();
        forwardsSinceReset.reset();
        forwardNanosSinceReset.reset();
        fallbacksSinceReset.reset();
        servedAsOwnerSinceReset.reset();
        servedForwardedSinceReset.reset();
        membershipChanges.reset();
        ownerLoads.reset();
        keyQueries.reset();
        leaseEvents.reset();
        latency.reset();
    }

    public Map<Long, Integer> queriesPerKey() {
        return keyQueries.all();
    }

    /** Since the reset, per user id: the lease events that may explain a duplicate load, by outcome. */
    public Map<Long, Map<String, Long>> leaseEventsPerKey() {
        return leaseEvents.all();
    }

    public HerdSnapshot.Cache cacheSnapshot() {
        return new HerdSnapshot.Cache(cacheResults.get(CacheResult.HIT), cacheResults.get(CacheResult.MISS),
                cacheResults.get(CacheResult.STALE), cacheResults.get(CacheResult.NEGATIVE),
                cacheResults.get(CacheResult.ERROR), refreshes.get(RefreshKind.STALE), refreshes.get(RefreshKind.EARLY),
                invalidationFailuresSinceReset.sum());
    }

    public HerdSnapshot.Db dbSnapshot() {
        return keyQueries.snapshot(dbQueriesSinceReset.sum(), dbDuplicatesSinceReset.sum(), 10);
    }

    public HerdSnapshot.Coalesce coalesceSnapshot() {
        return new HerdSnapshot.Coalesce(roles.get(CoalesceRole.LEADER), roles.get(CoalesceRole.FOLLOWER),
                timeoutsSinceReset.sum(), leaseOutcomes.get(LeaseOutcome.ACQUIRED), leaseOutcomes.get(LeaseOutcome.BUSY),
                leaseOutcomes.get(LeaseOutcome.LOST), leaseOutcomes.get(LeaseOutcome.FENCED),
                leaseOutcomes.get(LeaseOutcome.REFUSED), leaseOutcomes.get(LeaseOutcome.EXTENDED),
                leaseOutcomes.get(LeaseOutcome.RELEASED), leaseOutcomes.get(LeaseOutcome.CALLER_LEFT),
                leaseOutcomes.get(LeaseOutcome.BACKSTOP), leaseOutcomes.get(LeaseOutcome.TAKEOVER),
                roles.get(CoalesceRole.DIRECT), leaseEvents.untracked());
    }

    public HerdSnapshot.Latency latencySnapshot() {
        return latency.summary();
    }

    public List<HerdSnapshot.LatencySecond> latencyBySecond() {
        return latency.lastSeconds();
    }
}
