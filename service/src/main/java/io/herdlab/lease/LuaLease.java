package io.herdlab.lease;

import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import reactor.core.publisher.Mono;

/**
 * herdlab's own lease on Lettuce: {@code SET <lease key> <random token> NX PX <lease time>};
 * the token fences renewals and the fill, and only its holder can release it.
 */
final class LuaLease extends LeaseCoalescer {

    private final RedisReactiveCommands<String, String> redis;
    private final Duration timeout;

    LuaLease(RedisReactiveCommands<String, String> redis, Duration timeout, UserCache cache, LeaseScripts scripts,
            Notices notices, Duration leaseTime, Duration waitTimeout, BooleanSupplier redisReachable,
            CoalesceEvents events) {
        super("lua", cache, scripts, notices, leaseTime, waitTimeout, redisReachable, events);
        this.redis = redis;
        this.timeout = timeout;
    }

    @Override
    Mono<Lease> tryAcquire(long id) {
        String token = UUID.randomUUID().toString();
        return redis.set(scripts.leaseKey(id), token, SetArgs.Builder.nx().px(leaseTime.toMillis()))
                .timeout(timeout)
                .onErrorMap(LeaseUnavailable::new)
                .filter("OK"::equals)
                .map(ok -> new Lease(id, token, ""));
    }

    @Override
    Mono<Void> release(Lease lease) {
        return scripts.release(lease);
    }
}
