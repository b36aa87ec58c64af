package io.herdlab.coalesce;

import java.time.Duration;
import java.util.UUID;

import io.herdlab.cache.UserCache;
import io.herdlab.metrics.HerdMetrics;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import reactor.core.publisher.Mono;

/**
 * herdlab's own lease on Lettuce: {@code SET lease:{key} <random token> NX PX <lease time>};
 * the token fences the fill, and only the holder's token can release it.
 */
final class LuaLease extends LeaseCoalescer {

    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";

    private final RedisReactiveCommands<String, String> redis;

    LuaLease(RedisReactiveCommands<String, String> redis, UserCache cache, FillNotices notices, HerdMetrics metrics,
            Duration leaseTime, Duration waitTimeout) {
        super("lua", cache, notices, metrics, leaseTime, waitTimeout);
        this.redis = redis;
    }

    @Override
    Mono<Lease> tryAcquire(long id) {
        String token = UUID.randomUUID().toString();
        return redis.set(cache.leaseKey(id), token, SetArgs.Builder.nx().px(leaseTime.toMillis()))
                .timeout(REDIS_TIMEOUT)
                .filter("OK"::equals)
                .map(ok -> new Lease(id, token, null));
    }

    @Override
    Mono<Void> release(Lease lease) {
        return redis.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[] {cache.leaseKey(lease.id())},
                lease.token()).then();
    }
}
