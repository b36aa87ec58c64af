package io.herdlab.lease;

import java.time.Duration;
import java.util.List;

import io.herdlab.cache.CacheKeys;
import io.herdlab.cache.RedisScript;
import io.herdlab.cache.UserCache.Prepared;
import io.herdlab.contract.LeaseOutcome;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import reactor.core.publisher.Mono;

/**
 * The scripts both lease stores share, over the cache's Lettuce connection: the keys of a user's
 * lease, and the fenced fill, renewal and release (each prefixed by {@code holds.lua}, which
 * knows a string lease from a Redisson lock). Every script touches the keys of one user only
 * (one hash slot); the fills channel is an argument.
 */
final class LeaseScripts {

    /** What a fenced fill did; see {@code fenced-fill.lua}. */
    enum Fill {
        WRITTEN(null), FENCED(LeaseOutcome.FENCED), LOST(LeaseOutcome.LOST), REFUSED(LeaseOutcome.REFUSED);

        private final LeaseOutcome outcome;

        Fill(LeaseOutcome outcome) {
            this.outcome = outcome;
        }

        /** The lease event a fill that was not written counts as (null: written). */
        LeaseOutcome outcome() {
            return outcome;
        }
    }

    /**
     * How long "no such user" is kept (without negative caching) for a caller whose look-up
     * comes right after the holder's fill.
     */
    static final Duration OUTCOME_TTL = Duration.ofSeconds(2);

    private static final RedisScript FENCED_FILL = RedisScript.load("lease/fenced-fill.lua", "lease/holds.lua");
    private static final RedisScript RENEW = RedisScript.load("lease/renew.lua", "lease/holds.lua");
    private static final RedisScript RELEASE = RedisScript.load("lease/release.lua", "lease/holds.lua");

    final RedisReactiveCommands<String, String> redis;
    private final CacheKeys keys;
    final Duration leaseTime;

    LeaseScripts(RedisReactiveCommands<String, String> redis, CacheKeys keys, Duration leaseTime) {
        this.redis = redis;
        this.keys = keys;
        this.leaseTime = leaseTime;
    }

    /** Teaches Redis every lease script now, so the first herd does not meet NOSCRIPT (see {@link RedisScript}). */
    Mono<Void> preload() {
        return Mono.when(FENCED_FILL.preload(redis), RENEW.preload(redis), RELEASE.preload(redis));
    }

    String valueKey(long id) {
        return keys.value(id);
    }

    String leaseKey(long id) {
        return keys.value(id) + Leases.LEASE_KEY_SUFFIX;
    }

    String outcomeKey(long id) {
        return keys.value(id) + ":outcome";
    }

    String channel() {
        return keys.fillsChannel();
    }

    Mono<Fill> fill(Lease lease, Prepared prepared, boolean absent) {
        return FENCED_FILL.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {leaseKey(lease.id()), valueKey(lease.id()), outcomeKey(lease.id())},
                        lease.token(), lease.field(), prepared.cacheable() ? prepared.value() : "",
                        Long.toString(prepared.expiresAtMs()), Long.toString(prepared.version()), channel(),
                        Long.toString(lease.id()), absent ? "A" : "F", Long.toString(OUTCOME_TTL.toMillis()))
                .map(result -> switch (result.intValue()) {
                    case 1 -> Fill.WRITTEN;
                    case 0 -> Fill.FENCED;
                    case -1 -> Fill.LOST;
                    default -> Fill.REFUSED;
                });
    }

    /** Renews {@code leases} in one call: per lease, in order, whether it is still held (and now extended). */
    Mono<List<Boolean>> renew(List<Lease> leases) {
        String[] keys = new String[leases.size()];
        String[] args = new String[2 + 3 * leases.size()];
        args[0] = Long.toString(leaseTime.toMillis());
        args[1] = channel();
        for (int i = 0; i < leases.size(); i++) {
            Lease lease = leases.get(i);
            keys[i] = leaseKey(lease.id());
            args[2 + 3 * i] = lease.token();
            args[3 + 3 * i] = lease.field();
            args[4 + 3 * i] = Long.toString(lease.id());
        }
        return RENEW.<List<Long>>run(redis, ScriptOutputType.MULTI, keys, args)
                .map(held -> held.stream().map(h -> h == 1L).toList());
    }

    Mono<Void> release(Lease lease, Notices.Kind why) {
        return RELEASE.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {leaseKey(lease.id())},
                lease.token(), lease.field(), channel(), Long.toString(lease.id()), String.valueOf(why.code)).then();
    }
}
