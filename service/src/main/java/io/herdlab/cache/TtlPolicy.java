package io.herdlab.cache;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.herdlab.Mitigation;

/**
 * When a cache write goes stale and when Redis drops it. The soft expiry is the base TTL plus
 * a uniform jitter in [0, jitterMax]; the hard expiry adds the stale window when
 * stale-while-revalidate or early refresh may serve past it.
 */
final class TtlPolicy {

    private final Duration ttl;
    private final Mitigation mitigation;

    TtlPolicy(Duration ttl, Mitigation mitigation) {
        this.ttl = ttl;
        this.mitigation = mitigation;
    }

    /** Soft expiry for a value written now. */
    long softExpiry(long nowMs) {
        return softExpiryFrom(nowMs + ttl.toMillis());
    }

    /** Soft expiry for a value meant to expire at {@code baseMs}, before jitter. */
    long softExpiryFrom(long baseMs) {
        long jitter = mitigation.jitterMax().toMillis();
        return baseMs + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
    }

    /** Absolute instant at which Redis drops a value that goes stale at {@code softMs}. */
    long hardExpiry(long softMs) {
        return mitigation.keepsStale() ? softMs + mitigation.staleFor().toMillis() : softMs;
    }

    /** Soft and hard expiry of a negative entry written now. */
    long negativeExpiry(long nowMs) {
        return nowMs + mitigation.negativeTtl().toMillis();
    }
}
