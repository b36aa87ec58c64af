package io.herdlab.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every herdlab signal, recorded twice: as a monotonic Micrometer meter for Prometheus, and
 * as a resettable tally for the {@code /actuator/herd} snapshot that one lab run reads.
 */
public final class HerdMetrics {

    public enum CacheResult {
        HIT, MISS, STALE, NEGATIVE, ERROR;

        final String id = name().toLowerCase(Locale.ROOT);
        final String snapshotKey = "cache." + id;
    }

    private final MeterRegistry registry;
    private final KeyQueryCounts keyQueries;
    private final LeaseEventCounts leaseEvents;
    private final LatencyHistogram latency;
    /** Resettable counts for the snapshot, by snapshot key (summed over tags such as mode). */
    private final Map<String, LongAdder> sinceReset = new ConcurrentHashMap<>();
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
            cacheCounters.put(result, registry.counter("herd.cache.requests", "result", result.id));
        }
        this.dbQueries = registry.counter("herd.db.queries");
        this.dbDuplicates = registry.counter("herd.db.duplicate.queries");
        this.dbQueryTimer = registry.timer("herd.db.query");
        Gauge.builder("herd.db.inflight", dbInFlight, AtomicInteger::get)
                .description("user SELECTs sent to PostgreSQL and not yet answered").register(registry);
        this.dbInFlightPeak = ScrapePeak.register(registry, "herd.db.inflight.peak",
                "most user SELECTs in flight at once since the last scrape", dbInFlight::get);
    }

    private void increment(String snapshotKey, Counter counter) {
        counter.increment();
        sinceReset.computeIfAbsent(snapshotKey, k -> new LongAdder()).increment();
    }

    private void increment(String snapshotKey, String meter, String... tags) {
        List<String> id = new ArrayList<>(tags.length + 1);
        id.add(meter);
        id.addAll(List.of(tags));
        increment(snapshotKey, counters.computeIfAbsent(id, k -> registry.counter(meter, tags)));
    }

    private long count(String snapshotKey) {
        LongAdder count = sinceReset.get(snapshotKey);
        return count == null ? 0 : count.sum();
    }

    private long count(LeaseOutcome outcome) {
        return count("lease." + outcome.tag);
    }

    private long count(CoalesceRole role) {
        return count("coalesce." + role.tag);
    }

    public void cache(CacheResult result) {
        increment(result.snapshotKey, cacheCounters.get(result));
    }

    /** One user SELECT about to be sent to PostgreSQL. */
    public void dbQuery(long id) {
        increment("db.queries", dbQueries);
        if (keyQueries.record(id, System.nanoTime())) {
            increment("db.duplicates", dbDuplicates);
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

    public void coalesceRole(String mode, CoalesceRole role) {
        increment("coalesce." + role.tag, "herd.coalesce", "mode", mode, "role", role.tag);
    }

    public void coalesceWait(String mode, Duration waited) {
        modeTimer("herd.coalesce.wait", mode).record(waited);
    }

    /** A lease follower answered this long after its leader's fill was written. */
    public void wakeUp(String mode, Duration sinceFill) {
        modeTimer("herd.coalesce.wakeup", mode).record(sinceFill);
    }

    private Timer modeTimer(String name, String mode) {
        return modeTimers.computeIfAbsent(List.of(name, mode), k -> registry.timer(name, "mode", mode));
    }

    /** A write's cached copy could not be dropped (the PUT answered 503). */
    public void invalidationFailed() {
        increment("cache.invalidationFailures", "herd.cache.invalidation.failures");
    }

    public void coalesceTimeout(String mode) {
        increment("coalesce.timeouts", "herd.coalesce.timeouts", "mode", mode);
    }

    /**
     * A lease event about user {@code id}: {@code herd_lease_total{mode,outcome}}, and kept per
     * key when it may explain a duplicate load (see {@link #leaseEventsPerKey()}).
     */
    public void lease(String mode, LeaseOutcome outcome, long id) {
        increment("lease." + outcome.tag, "herd.lease", "mode", mode, "outcome", outcome.tag);
        leaseEvents.record(id, outcome);
    }

    public void refresh(String kind) {
        increment("refresh." + kind, "herd.cache.refreshes", "kind", kind);
    }

    public void requestLatency(long millis) {
        latency.record(millis);
    }

    public void reset() {
        sinceReset.values().forEach(LongAdder::reset);
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

    public Map<String, Object> cacheSnapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hits", count("cache.hit"));
        out.put("misses", count("cache.miss"));
        out.put("stale", count("cache.stale"));
        out.put("negative", count("cache.negative"));
        out.put("errors", count("cache.error"));
        out.put("staleRefreshes", count("refresh.stale"));
        out.put("earlyRefreshes", count("refresh.early"));
        out.put("invalidationFailures", count("cache.invalidationFailures"));
        return out;
    }

    public Map<String, Object> dbSnapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queries", count("db.queries"));
        out.put("duplicateQueries", count("db.duplicates"));
        out.putAll(keyQueries.summary(10));
        return out;
    }

    public Map<String, Object> coalesceSnapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("leaders", count(CoalesceRole.LEADER));
        out.put("followers", count(CoalesceRole.FOLLOWER));
        out.put("timeouts", count("coalesce.timeouts"));
        out.put("leaseAcquired", count(LeaseOutcome.ACQUIRED));
        out.put("leaseBusy", count(LeaseOutcome.BUSY));
        out.put("leaseLost", count(LeaseOutcome.LOST));
        out.put("fenced", count(LeaseOutcome.FENCED));
        out.put("refused", count(LeaseOutcome.REFUSED));
        out.put("leaseExtended", count(LeaseOutcome.EXTENDED));
        out.put("leaseReleased", count(LeaseOutcome.RELEASED));
        out.put("callerLeft", count(LeaseOutcome.CALLER_LEFT));
        out.put("leaseBackstops", count(LeaseOutcome.BACKSTOP));
        out.put("leaseTakeovers", count(LeaseOutcome.TAKEOVER));
        out.put("direct", count(CoalesceRole.DIRECT));
        out.put("leaseEventsUntracked", leaseEvents.untracked());
        return out;
    }

    public Map<String, Object> latencySnapshot() {
        return latency.summary();
    }

    public Object latencyBySecond() {
        return latency.lastSeconds();
    }
}
