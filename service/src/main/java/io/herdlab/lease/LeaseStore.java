package io.herdlab.lease;

import java.util.List;

import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.cache.UserCache.Prepared;
import reactor.core.publisher.Mono;

/**
 * The Redis side of the lease, behind one interface: herdlab's lookup-or-lease script, or a
 * Redisson lock (see {@link SetNxLeaseStore}, {@link RedissonLeaseStore}). Errors are Redis's.
 */
interface LeaseStore {

    /** The plain read of user {@code id} (a {@code GET}): the value as it is, or a miss; no lease. */
    Mono<Lookup> lookup(long id);

    /**
     * For a read that found nothing to serve (a miss, a value past its soft expiry, a failed
     * read), in one round trip: the value if it is there and fresh now, or "no such user" when
     * the last holder found none a moment ago ({@link LeaseClaim.Found}); otherwise the lease
     * (won, or busy with the holder's time left).
     */
    Mono<LeaseClaim> claim(long id);

    /** The lease alone, for the refresh of a value that is still fresh: won or busy. */
    Mono<LeaseClaim> acquire(long id);

    /** Writes {@code prepared} if {@code lease} still holds and nothing newer is cached; tells the followers. */
    Mono<LeaseScripts.Fill> fill(Lease lease, Prepared prepared, boolean absent);

    /**
     * Extends each of {@code leases} to the full lease time, in one call; per lease, in order,
     * false when it is no longer held.
     */
    Mono<List<Boolean>> renew(List<Lease> leases);

    /** Gives {@code lease} up without a fill and tells the followers {@code why}: ask again, or failed. */
    Mono<Void> release(Lease lease, Notices.Kind why);
}
