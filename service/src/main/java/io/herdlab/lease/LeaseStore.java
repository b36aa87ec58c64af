package io.herdlab.lease;

import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.cache.UserCache.Prepared;
import reactor.core.publisher.Mono;

/**
 * The Redis side of the lease, behind one interface: herdlab's lookup-or-lease script, or a
 * Redisson lock (see {@link SetNxLeaseStore}, {@link RedissonLeaseStore}). Errors are Redis's.
 */
interface LeaseStore {

    /**
     * The read of user {@code id}: a fresh value (or cached "no such user") as it is; a miss or a
     * value past its soft expiry with a {@link LeaseClaim} on its load (won, or busy with the
     * holder's time left); "no such user" when the last holder found none a moment ago.
     */
    Mono<Lookup> lookup(long id);

    /** The lease alone, for the refresh of a value that is still fresh: won or busy. */
    Mono<LeaseClaim> acquire(long id);

    /** Writes {@code prepared} if {@code lease} still holds and nothing newer is cached; tells the followers. */
    Mono<LeaseScripts.Fill> fill(Lease lease, Prepared prepared, boolean absent);

    /** Extends {@code lease} to the full lease time; false when it is no longer held. */
    Mono<Boolean> renew(Lease lease);

    /** Gives {@code lease} up without a fill and tells the followers {@code why}: ask again, or failed. */
    Mono<Void> release(Lease lease, Notices.Kind why);
}
