package io.herdlab.lease;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import org.redisson.api.RedissonReactiveClient;
import reactor.core.publisher.Mono;

/**
 * The lease as a Redisson lock, with a lease time and no watchdog (the protocol renews it,
 * fenced, while the load runs). Redisson ties a lock to a thread id; Reactor hops threads, so
 * every lease gets a random id of its own, passed to both lock and unlock. The lock's hash field
 * ({@code <client id>:<that id>}) is the fencing token of renewals and the fill.
 */
final class RedissonLease extends LeaseCoalescer {

    private final RedissonReactiveClient redisson;

    RedissonLease(RedissonReactiveClient redisson, UserCache cache, LeaseScripts scripts, Notices notices,
            Duration leaseTime, Duration waitTimeout, BooleanSupplier redisReachable, CoalesceEvents events) {
        super("redisson", cache, scripts, notices, leaseTime, waitTimeout, redisReachable, events);
        this.redisson = redisson;
    }

    @Override
    Mono<Lease> tryAcquire(long id) {
        long owner = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        return redisson.getLock(scripts.leaseKey(id))
                .tryLock(0, leaseTime.toMillis(), TimeUnit.MILLISECONDS, owner)
                .onErrorMap(LeaseUnavailable::new)
                .filter(Boolean::booleanValue)
                .map(locked -> new Lease(id, Long.toString(owner), redisson.getId() + ":" + owner));
    }

    @Override
    Mono<Void> release(Lease lease) {
        return redisson.getLock(scripts.leaseKey(lease.id())).unlock(Long.parseLong(lease.token()))
                .onErrorResume(error -> Mono.empty()) // not held any more: nothing to give up
                .then(scripts.announce(Notices.Kind.RELEASED, lease.id()));
    }
}
