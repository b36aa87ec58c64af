package io.herdlab.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.herdlab.Mitigation;
import io.herdlab.metrics.HerdMetrics;
import io.herdlab.metrics.HerdMetrics.CacheResult;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The user cache in Redis: look-ups that never fail (a Redis error is a counted miss), fills
 * with the TTL policy, fenced fills for lease holders, invalidation and the aligned warm.
 */
public final class UserCache {

    private static final Logger log = LoggerFactory.getLogger(UserCache.class);
    /**
     * Generous on purpose: a Redis that is down is noticed at once (commands are rejected while
     * disconnected); this only bounds a Redis, or a replica, that is merely slow.
     */
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(5);

    /** What a look-up found. {@code entry} is null for a miss or an error. */
    public record Lookup(CacheResult result, CacheEntry entry) {
    }

    private final RedisReactiveCommands<String, String> redis;
    private final String prefix;
    private final TtlPolicy ttl;
    private final Mitigation mitigation;
    private final HerdMetrics metrics;
    private final Clock clock;
    private final String fencedFillScript;
    private final BurstLog readFailures = new BurstLog(log, "Redis read (treated as a miss)");
    private final BurstLog writeFailures = new BurstLog(log, "Redis write (value served uncached)");

    UserCache(RedisReactiveCommands<String, String> redis, String prefix, Duration baseTtl, Mitigation mitigation,
            HerdMetrics metrics, Clock clock, String fencedFillScript) {
        this.redis = redis;
        this.prefix = prefix;
        this.ttl = new TtlPolicy(baseTtl, mitigation);
        this.mitigation = mitigation;
        this.metrics = metrics;
        this.clock = clock;
        this.fencedFillScript = fencedFillScript;
    }

    public String key(long id) {
        return prefix + "user:" + id;
    }

    public String leaseKey(long id) {
        return prefix + "lease:user:" + id;
    }

    /** The pub/sub channel on which lease holders announce fills. */
    public String filledChannel() {
        return prefix + "filled";
    }

    public long now() {
        return clock.millis();
    }

    /** Looks the user up; counts the outcome; a Redis failure is an {@code ERROR} with no entry. */
    public Mono<Lookup> get(long id) {
        return redis.get(key(id))
                .timeout(REDIS_TIMEOUT)
                .map(raw -> classify(CacheEntry.decode(raw)))
                .defaultIfEmpty(new Lookup(CacheResult.MISS, null))
                .onErrorResume(error -> {
                    readFailures.failed(error);
                    return Mono.just(new Lookup(CacheResult.ERROR, null));
                })
                .doOnNext(lookup -> metrics.cache(lookup.result()));
    }

    /** Reads the value without counting it, for coalescers waiting on a fill. */
    public Mono<CacheEntry> peek(long id) {
        return redis.get(key(id)).timeout(REDIS_TIMEOUT).map(CacheEntry::decode);
    }

    private Lookup classify(CacheEntry entry) {
        if (!entry.exists()) {
            return new Lookup(CacheResult.NEGATIVE, entry);
        }
        return new Lookup(entry.softExpiresAtMs() <= now() ? CacheResult.STALE : CacheResult.HIT, entry);
    }

    /** Stamps a freshly loaded entry with its soft expiry; null when it must not be cached. */
    public CacheEntry stamp(CacheEntry loaded) {
        long now = now();
        if (!loaded.exists()) {
            return mitigation.negativeTtl().isZero() ? null : loaded.withSoftExpiry(ttl.negativeExpiry(now));
        }
        return loaded.withSoftExpiry(ttl.softExpiry(now));
    }

    private long hardExpiry(CacheEntry stamped) {
        return stamped.exists() ? ttl.hardExpiry(stamped.softExpiresAtMs()) : stamped.softExpiresAtMs();
    }

    /** Writes the entry with the TTL policy; a write failure is logged and swallowed. */
    public Mono<Void> fill(long id, CacheEntry loaded) {
        CacheEntry stamped = stamp(loaded);
        if (stamped == null) {
            return Mono.empty();
        }
        return redis.set(key(id), stamped.encode(), SetArgs.Builder.pxAt(hardExpiry(stamped)))
                .timeout(REDIS_TIMEOUT)
                .onErrorResume(error -> {
                    writeFailures.failed(error);
                    return Mono.empty();
                })
                .then();
    }

    /**
     * Writes the entry only while {@code leaseKey} still holds {@code token} (fencing), then
     * releases the lease and announces the fill. Emits what happened to the value.
     *
     * @param tokenField null for a string lease (the key's value is the token); for a Redisson
     *                   lock, the hash field that marks the holder
     */
    public Mono<FencedFill> fillFenced(long id, CacheEntry loaded, String token, String tokenField) {
        CacheEntry stamped = stamp(loaded);
        String value = stamped == null ? "" : stamped.encode();
        long hard = stamped == null ? 0 : hardExpiry(stamped);
        String[] keys = {leaseKey(id), key(id), filledChannel()};
        return redis.<Long>eval(fencedFillScript, ScriptOutputType.INTEGER, keys, token,
                        tokenField == null ? "" : tokenField, value, Long.toString(hard), Long.toString(id))
                .next()
                .timeout(REDIS_TIMEOUT)
                .map(result -> result == 1L ? FencedFill.WRITTEN : result == 0L ? FencedFill.FENCED : FencedFill.LOST);
    }

    /** Announces that the lease holder for {@code id} failed, so waiters fail fast. */
    public Mono<Void> announceFailure(long id, String message) {
        return redis.publish(filledChannel(), "-" + id + "|" + message)
                .timeout(REDIS_TIMEOUT)
                .onErrorResume(error -> Mono.empty())
                .then();
    }

    /** Drops the value and any lease on it, so an in-flight lease holder cannot write back. */
    public Mono<Void> invalidate(long id) {
        return redis.del(key(id), leaseKey(id)).timeout(REDIS_TIMEOUT).then();
    }

    /**
     * Writes every entry to expire at {@code expiresAtMs} (plus jitter when asked and the
     * mitigation has it), pipelined over the one connection. Returns how many keys were written.
     */
    public Mono<Long> warm(Flux<IdAndEntry> entries, long expiresAtMs, boolean jitter) {
        return entries
                .flatMap(e -> {
                    CacheEntry stamped = e.entry().withSoftExpiry(jitter ? ttl.softExpiryFrom(expiresAtMs) : expiresAtMs);
                    return redis.set(key(e.id()), stamped.encode(), SetArgs.Builder.pxAt(hardExpiry(stamped)));
                }, 512)
                .count();
    }

    /** Removes every key under this replica's prefix (lab and test resets). */
    public Mono<Long> flush() {
        return redis.keys(prefix + "*")
                .buffer(1000)
                .flatMap((List<String> keys) -> redis.del(keys.toArray(String[]::new)))
                .reduce(0L, Long::sum);
    }

    public record IdAndEntry(long id, CacheEntry entry) {
    }

    /**
     * Outcome of a fenced fill: written; fenced (the lease is gone: it expired, or a write
     * deleted it); lost (another holder has taken the lease over).
     */
    public enum FencedFill { WRITTEN, FENCED, LOST }
}
