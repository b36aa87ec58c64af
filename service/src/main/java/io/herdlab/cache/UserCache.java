package io.herdlab.cache;

import java.time.Clock;
import java.time.Duration;

import io.herdlab.Mitigation;
import io.herdlab.metrics.HerdMetrics.CacheResult;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The user cache in Redis: look-ups that never fail (a Redis error is an {@code ERROR}
 * look-up), fills with the TTL policy, invalidation after a write, and the aligned warm.
 *
 * <p>With {@code versioned} writes (every preset that coalesces) a fill never replaces a newer
 * version of the row, and a write leaves a tombstone with its version instead of deleting the
 * value, so a load that read the row before the write cannot cache the old row after it.
 * Without them (baseline, jitter) it is the lab guide's naive cache-aside, race included.
 *
 * <p>Every call is bounded by the Lettuce client's command timeout ({@code spring.data.redis.timeout},
 * see {@code CacheConfiguration}): a Redis that hangs costs a request that long, no more.
 */
public final class UserCache {

    private static final Logger log = LoggerFactory.getLogger(UserCache.class);

    /** What a look-up found. {@code entry} is null for a miss or an error. */
    public record Lookup(CacheResult result, CacheEntry entry) {
        public static Lookup miss() {
            return new Lookup(CacheResult.MISS, null);
        }
    }

    /** A loaded entry ready to write: the encoded value (null: nothing to cache) and its expiry. */
    public record Prepared(String value, long expiresAtMs, long version) {
        public boolean cacheable() {
            return value != null;
        }
    }

    private final RedisClusterReactiveCommands<String, String> redis;
    private final CacheKeys keys;
    private final TtlPolicy ttl;
    private final Mitigation mitigation;
    private final Clock clock;
    private final boolean versioned;
    private final Duration tombstoneTtl;
    private final RedisScript versionedFill;
    private final TombstoneWriter tombstones;
    private final BurstLog readFailures = new BurstLog(log, "Redis read (treated as a miss)");
    private final BurstLog writeFailures = new BurstLog(log, "Redis write (value served uncached)");

    /**
     * @param tombstoneTtl how long a write's tombstone refuses older fills: at least the
     *                     longest a load can take (pool wait + statement deadline)
     */
    public UserCache(RedisClusterReactiveCommands<String, String> redis, CacheKeys keys, Duration baseTtl, Mitigation mitigation,
            Clock clock, Duration tombstoneTtl, RedisScript versionedFill) {
        this(redis, keys, baseTtl, mitigation, clock, tombstoneTtl, versionedFill,
                (key, value, args) -> redis.set(key, value, args).then());
    }

    /**
     * Writes a PUT's tombstone ({@code SET}); on a Redis Cluster it also waits for the master's
     * replica ({@link RedisConnections#setReplicated}), so that a failover right after the PUT
     * cannot bring back a master without it, where an older fill would then be let in.
     */
    @FunctionalInterface
    public interface TombstoneWriter {
        Mono<Void> set(String key, String value, SetArgs args);
    }

    public UserCache(RedisClusterReactiveCommands<String, String> redis, CacheKeys keys, Duration baseTtl,
            Mitigation mitigation, Clock clock, Duration tombstoneTtl, RedisScript versionedFill,
            TombstoneWriter tombstones) {
        this.tombstones = tombstones;
        this.redis = redis;
        this.keys = keys;
        this.ttl = new TtlPolicy(baseTtl, mitigation);
        this.mitigation = mitigation;
        this.clock = clock;
        this.versioned = mitigation.coalescer() != Mitigation.CoalescerKind.NONE;
        this.tombstoneTtl = tombstoneTtl.compareTo(baseTtl) > 0 ? tombstoneTtl : baseTtl;
        this.versionedFill = versionedFill;
    }

    public CacheKeys keys() {
        return keys;
    }

    public long now() {
        return clock.millis();
    }

    /** Looks the user up; a Redis failure is an {@code ERROR} with no entry. */
    public Mono<Lookup> get(long id) {
        return redis.get(keys.value(id))
                .map(raw -> classify(CacheEntry.decode(raw)))
                .defaultIfEmpty(Lookup.miss())
                .onErrorResume(error -> {
                    readFailures.failed(error);
                    return Mono.just(new Lookup(CacheResult.ERROR, null));
                });
    }

    /** Whether {@code entry} is still fresh (before its soft expiry). */
    private boolean fresh(CacheEntry entry) {
        return entry.softExpiresAtMs() > now();
    }

    /** A cached entry as a look-up: hit, stale, negative, or (a tombstone) miss. */
    public Lookup classify(CacheEntry entry) {
        if (entry == null) {
            return new Lookup(CacheResult.MISS, null);
        }
        if (!entry.exists()) {
            return new Lookup(CacheResult.NEGATIVE, entry);
        }
        return new Lookup(fresh(entry) ? CacheResult.HIT : CacheResult.STALE, entry);
    }

    /** Stamps a freshly loaded entry with its expiries and encodes it for a write. */
    public Prepared prepare(CacheEntry loaded) {
        long now = now();
        if (!loaded.exists()) {
            if (mitigation.negativeTtl().isZero()) {
                return new Prepared(null, 0, loaded.version());
            }
            long expiry = ttl.negativeExpiry(now);
            return new Prepared(loaded.withSoftExpiry(expiry).encode(), expiry, loaded.version());
        }
        long soft = ttl.softExpiry(now);
        return new Prepared(loaded.withSoftExpiry(soft).encode(), ttl.hardExpiry(soft), loaded.version());
    }

    /** Writes a loaded entry (versioned when the preset coalesces); a failure is logged and swallowed. */
    public Mono<Void> fill(long id, CacheEntry loaded) {
        Prepared prepared = prepare(loaded);
        if (!prepared.cacheable()) {
            return Mono.empty();
        }
        Mono<?> write = versioned
                ? versionedFill.run(redis, ScriptOutputType.INTEGER, new String[] {keys.value(id)},
                        prepared.value(), Long.toString(prepared.expiresAtMs()), Long.toString(prepared.version()))
                : redis.set(keys.value(id), prepared.value(), SetArgs.Builder.pxAt(prepared.expiresAtMs()));
        return write
                .onErrorResume(error -> {
                    writeFailures.failed(error);
                    return Mono.empty();
                })
                .then();
    }

    /**
     * Drops the cached value after a write of version {@code version}: a tombstone when writes
     * are versioned, a plain delete otherwise. Errors reach the caller.
     */
    public Mono<Void> invalidate(long id, long version) {
        Mono<?> drop = versioned
                ? tombstones.set(keys.value(id), CacheEntry.tombstone(version), SetArgs.Builder.px(tombstoneTtl))
                : redis.del(keys.value(id));
        return drop.then();
    }

    /**
     * Writes every entry to expire at {@code expiresAtMs} (plus jitter when asked and the
     * mitigation has it), pipelined over the one connection. Returns how many keys were written.
     */
    public Mono<Long> warm(Flux<IdAndEntry> entries, long expiresAtMs, boolean jitter) {
        return entries
                .flatMap(e -> {
                    long soft = jitter ? ttl.softExpiryFrom(expiresAtMs) : expiresAtMs;
                    return redis.set(keys.value(e.id()), e.entry().withSoftExpiry(soft).encode(),
                            SetArgs.Builder.pxAt(ttl.hardExpiry(soft)));
                }, 512)
                .count();
    }

    public record IdAndEntry(long id, CacheEntry entry) {
    }
}
