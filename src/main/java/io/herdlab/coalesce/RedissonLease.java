package io.herdlab.coalesce;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.herdlab.cache.UserCache;
import io.herdlab.metrics.HerdMetrics;
import org.redisson.api.RedissonReactiveClient;
import reactor.core.publisher.Mono;

/**
 * The lease as a Redisson lock, with a lease time and no watchdog. Redisson ties a lock to a
 * thread id; Reactor hops threads, so every lease gets a random id of its own, passed to both
 * lock and unlock ("not locked by current thread" cannot happen). The lock's hash field
 * ({@code <client id>:<that id>}) is the fencing token of the fill.
 */
final class RedissonLease extends LeaseCoalescer {

    private final RedissonReactiveClient redisson;

    RedissonLease(RedissonReactiveClient redisson, UserCache cache, FillNotices notices, HerdMetrics metrics,
            Duration leaseTime, Duration waitTimeout) {
        super("redisson", cache, notices, metrics, leaseTime, waitTimeout);
        this.redisson = redisson;
    }

    @Override
    Mono<Lease> tryAcquire(long id) {
        long owner = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        return redisson.getLock(cache.leaseKey(id))
                .tryLock(0, leaseTime.toMillis(), TimeUnit.MILLISECONDS, owner)
                .timeout(REDIS_TIMEOUT)
                .filter(Boolean::booleanValue)
                .map(locked -> new Lease(id, Long.toString(owner), redisson.getId() + ":" + owner));
    }

    @Override
    Mono<Void> release(Lease lease) {
        return redisson.getLock(cache.leaseKey(lease.id())).unlock(Long.parseLong(lease.token()));
    }
}
