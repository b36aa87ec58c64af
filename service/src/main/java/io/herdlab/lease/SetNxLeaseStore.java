package io.herdlab.lease;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.RedisScript;
import io.herdlab.cache.UserCache;
import io.herdlab.cache.UserCache.Lookup;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import reactor.core.publisher.Mono;

/**
 * herdlab's own lease: a string key holding its holder's random token, taken by the read that
 * misses ({@code lookup.lua}: the value, or the lease, or the holder's token and time left, in one
 * round trip after the {@code GET}). The token fences renewals and the fill, and only its holder
 * can release it.
 */
final class SetNxLeaseStore extends ScriptedLeaseStore {

    private static final RedisScript LOOKUP = RedisScript.load("lease/lookup.lua");

    private final UserCache cache;
    private final Clock clock;
    /** Monotonic milliseconds (the scheduler's): when a look-up was sent. */
    private final LongSupplier now;

    SetNxLeaseStore(LeaseScripts scripts, UserCache cache, Clock clock, LongSupplier now) {
        super(scripts);
        this.cache = cache;
        this.clock = clock;
        this.now = now;
    }

    /** Teaches Redis the look-up and the lease scripts (a herd's first calls would otherwise all fall back to EVAL). */
    Mono<Void> preload() {
        return Mono.when(LOOKUP.preload(scripts.redis), scripts.preload());
    }

    /**
     * A read is a plain {@code GET}, as cheap as without a lease (the script costs Redis about
     * twenty times a {@code GET}, and hits are nearly every read); only a miss, a stale value or a
     * failed read runs {@code lookup.lua} ({@link #claim}), which re-reads the value and decides the
     * lease in the same round trip.
     */
    @Override
    public Mono<Lookup> lookup(long id) {
        return cache.get(id);
    }

    @Override
    public Mono<LeaseClaim> claim(long id) {
        return call(id, "read").map(reply -> switch (reply.kind()) {
            case "H" -> new LeaseClaim.Found(CacheEntry.decode(reply.entry()));
            case "A" -> new LeaseClaim.Found(CacheEntry.notFound(0));
            default -> claim(id, reply); // M: a miss or a stale value, with the lease's claim
        });
    }

    @Override
    public Mono<LeaseClaim> acquire(long id) {
        return call(id, "lease").map(reply -> claim(id, reply));
    }

    /** {@code lookup.lua}'s answer ({kind, entry, claim, token, ttl}), and when it was asked for. */
    private record Reply(List<Object> values, long askedAt) {
        String kind() {
            return (String) values.get(0);
        }

        String entry() {
            return (String) values.get(1);
        }
    }

    private Mono<Reply> call(long id, String mode) {
        return Mono.defer(() -> {
            long askedAt = now.getAsLong();
            String token = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
            return LOOKUP.<List<Object>>run(scripts.redis, ScriptOutputType.MULTI,
                            new String[] {scripts.valueKey(id), scripts.leaseKey(id), scripts.outcomeKey(id)},
                            token, Long.toString(scripts.leaseTime.toMillis()), Long.toString(clock.millis()), mode)
                    .map(values -> new Reply(values, askedAt))
                    // no answer in time, but Redis may have run it and granted this token the lease, which
                    // nobody would use: hand it back at once (only if it is this token's), so that the
                    // callers waiting on it ask again now rather than when it runs out (a refused or
                    // dropped connection granted nothing, and would refuse the hand-back too)
                    .onErrorResume(RedisCommandTimeoutException.class, timedOut ->
                            release(new Lease(id, token, "", askedAt), Notices.Kind.RELEASED)
                                    .onErrorResume(e -> Mono.empty())
                                    .then(Mono.error(timedOut)));
        });
    }

    private static LeaseClaim claim(long id, Reply reply) {
        String token = (String) reply.values().get(3);
        return "L".equals(reply.values().get(2))
                ? new LeaseClaim.Won(new Lease(id, token, "", reply.askedAt()))
                : new LeaseClaim.Busy(token, (Long) reply.values().get(4), reply.askedAt());
    }
}
