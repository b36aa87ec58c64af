package io.herdlab.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every herdlab signal, recorded twice: as a monotonic Micrometer meter for Prometheus, and
 * as a resettable tally for the {@code /actuator/herd} snapshot that one lab run reads.
 */
public final class HerdMetrics {

    public enum CacheResult { HIT, MISS, STALE, NEGATIVE, ERROR }

    private final MeterRegistry registry;
    private final KeyQueryCounts keyQueries;
    private final LatencyHistogram latency;
    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    public HerdMetrics(MeterRegistry registry, Duration duplicateWindow, Clock clock) {
        this.registry = registry;
        this.keyQueries = new KeyQueryCounts(duplicateWindow);
        this.latency = new LatencyHistogram(clock);
    }

    /** A Micrometer counter and a resettable count under one key. */
    private static final class Tally {
        final Counter counter;
        final LongAdder sinceReset = new LongAdder();

        Tally(Counter counter) {
            this.counter = counter;
        }

        void increment() {
            counter.increment();
            sinceReset.increment();
        }
    }

    private Tally tally(String snapshotKey, String meter, String... tags) {
        return tallies.computeIfAbsent(snapshotKey, k -> new Tally(registry.counter(meter, tags)));
    }

    private long count(String snapshotKey) {
        Tally tally = tallies.get(snapshotKey);
        return tally == null ? 0 : tally.sinceReset.sum();
    }

    public void cache(CacheResult result) {
        String name = result.name().toLowerCase();
        tally("cache." + name, "herd.cache.requests", "result", name).increment();
    }

    /** One user SELECT about to be sent to PostgreSQL. */
    public void dbQuery(long id) {
        tally("db.queries", "herd.db.queries").increment();
        if (keyQueries.record(id, System.nanoTime())) {
            tally("db.duplicates", "herd.db.duplicate.queries").increment();
        }
    }

    public Timer dbQueryTimer() {
        return registry.timer("herd.db.query");
    }

    public void coalesceRole(String mode, String role) {
        tally("coalesce." + role, "herd.coalesce", "mode", mode, "role", role).increment();
    }

    public void coalesceWait(String mode, Duration waited) {
        registry.timer("herd.coalesce.wait", "mode", mode).record(waited);
    }

    public void coalesceTimeout(String mode) {
        tally("coalesce.timeouts", "herd.coalesce.timeouts", "mode", mode).increment();
    }

    public void lease(String mode, String outcome) {
        tally("lease." + outcome, "herd.lease", "mode", mode, "outcome", outcome).increment();
    }

    public void refresh(String kind) {
        tally("refresh." + kind, "herd.cache.refreshes", "kind", kind).increment();
    }

    public void requestLatency(long millis) {
        latency.record(millis);
    }

    public void reset() {
        tallies.values().forEach(t -> t.sinceReset.reset());
        keyQueries.reset();
        latency.reset();
    }

    public Map<Long, Integer> queriesPerKey() {
        return keyQueries.all();
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
        out.put("leaders", count("coalesce.leader"));
        out.put("followers", count("coalesce.follower"));
        out.put("timeouts", count("coalesce.timeouts"));
        out.put("leaseAcquired", count("lease.acquired"));
        out.put("leaseBusy", count("lease.busy"));
        out.put("leaseLost", count("lease.lost"));
        out.put("fenced", count("lease.fenced"));
        return out;
    }

    public Map<String, Object> latencySnapshot() {
        return latency.summary();
    }

    public Object latencyBySecond() {
        return latency.lastSeconds();
    }
}
