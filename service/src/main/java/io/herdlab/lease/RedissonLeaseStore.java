package io.herdlab.lease;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.metrics.HerdMetrics.CacheResult;
import io.herdlab.metrics.RedisCommandCounter;
import org.redisson.api.RedissonReactiveClient;
import reactor.core.publisher.Mono;

/**
 * The lease as a Redisson lock, with a lease time and no watchdog (the leader renews it, fenced,
 * while the load runs). As close to one round trip as Redisson's API allows: the read is the
 * cache's GET; a miss asks for the lock ({@code tryLock} with no wait: one script), and a won
 * lock re-reads the value and the last outcome ({@code MGET}, one slot) in case a holder filled
 * it between the two. {@code tryLock} says only "no" to a loser, not whose lock it is or for how
 * long, so a follower's backstop is a full lease time.
 *
 * <p>Redisson ties a lock to a thread id; Reactor hops threads, so every lease gets a random id
 * of its own. The lock's hash field ({@code <client id>:<that id>}) is the fencing token of the
 * renewals, the fill and the release, which are herdlab's scripts.
 */
final class RedissonLeaseStore extends ScriptedLeaseStore {

    private final RedissonReactiveClient redisson;
    private final UserCache cache;
    private final RedisCommandCounter commands;
    private final LongSupplier now;

    RedissonLeaseStore(RedissonReactiveClient redisson, LeaseScripts scripts, UserCache cache,
            RedisCommandCounter commands, LongSupplier now) {
        super(scripts);
        this.redisson = redisson;
        this.cache = cache;
        this.commands = commands;
        this.now = now;
    }

    @Override
    public Mono<Lookup> lookup(long id) {
        return cache.get(id);
    }

    @Override
    public Mono<LeaseClaim> claim(long id) {
        return lock(id).flatMap(claim -> claim instanceof LeaseClaim.Won won ? recheck(won) : Mono.just(claim));
    }

    @Override
    public Mono<LeaseClaim> acquire(long id) {
        return lock(id);
    }

    private Mono<LeaseClaim> lock(long id) {
        return Mono.defer(() -> {
            long askedAt = now.getAsLong();
            long owner = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            commands.sent("redisson", "tryLock");
            return redisson.getLock(scripts.leaseKey(id))
                    .tryLock(0, scripts.leaseTime.toMillis(), TimeUnit.MILLISECONDS, owner)
                    .map(locked -> locked
                            ? new LeaseClaim.Won(new Lease(id, Long.toString(owner), redisson.getId() + ":" + owner, askedAt))
                            : new LeaseClaim.Busy("", scripts.leaseTime.toMillis(), askedAt));
        });
    }

    /**
     * The lock is ours: is the key still missing? A holder may have filled it (or found no such
     * user) between our GET and our lock; then the lock goes back and that is the answer.
     */
    private Mono<LeaseClaim> recheck(LeaseClaim.Won won) {
        Lease lease = won.lease();
        long id = lease.id();
        return scripts.redis.mget(scripts.valueKey(id), scripts.outcomeKey(id)).collectList().flatMap(values -> {
            String value = values.get(0).getValueOrElse(null);
            Lookup now = value == null ? Lookup.miss() : cache.classify(CacheEntry.decode(value));
            if (now.result() == CacheResult.HIT || now.result() == CacheResult.NEGATIVE) {
                return release(lease, Notices.Kind.RELEASED).thenReturn(new LeaseClaim.Found(now.entry()));
            }
            if (value == null && "A".equals(values.get(1).getValueOrElse(null))) {
                return release(lease, Notices.Kind.RELEASED).thenReturn(new LeaseClaim.Found(CacheEntry.notFound(0)));
            }
            return Mono.just(won);
        });
    }
}
