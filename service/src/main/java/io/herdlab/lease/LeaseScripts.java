package io.herdlab.lease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import io.herdlab.cache.CacheKeys;
import io.herdlab.cache.UserCache.Prepared;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import org.springframework.core.io.ClassPathResource;
import reactor.core.publisher.Mono;

/**
 * The Redis side of the lease protocol, over the cache's Lettuce connection: the lease key of
 * a user, and the scripts that renew, release and fill under a lease (each prefixed by
 * {@code holds.lua}). Every script touches the keys of one user only (one hash slot); the
 * fills channel is an argument.
 */
final class LeaseScripts {

    /** What a fenced fill did; see {@code fenced-fill.lua}. */
    enum Fill { WRITTEN, FENCED, LOST, REFUSED }

    private final RedisReactiveCommands<String, String> redis;
    private final CacheKeys keys;
    private final Duration timeout;
    private final Clock clock;
    private final String fencedFill = script("fenced-fill.lua");
    private final String renew = script("renew.lua");
    private final String release = script("release.lua");
    /**
     * How long "no such user" is kept (without negative caching) for followers that take the
     * lease over before the holder's notice reached them.
     */
    static final Duration OUTCOME_TTL = Duration.ofSeconds(2);

    LeaseScripts(RedisReactiveCommands<String, String> redis, CacheKeys keys, Duration timeout, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.timeout = timeout;
        this.clock = clock;
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

    /** Writes {@code prepared} if {@code lease} still holds and the cache has nothing newer. */
    Mono<Fill> fill(Lease lease, Prepared prepared, boolean absent) {
        return eval(fencedFill, new String[] {leaseKey(lease.id()), keys.value(lease.id()), outcomeKey(lease.id())},
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

    /** Extends {@code lease} to {@code leaseTime} from now; false when it is no longer held. */
    Mono<Boolean> renew(Lease lease, Duration leaseTime) {
        return eval(renew, new String[] {leaseKey(lease.id())}, lease.token(), lease.field(),
                Long.toString(leaseTime.toMillis())).map(result -> result == 1L);
    }

    /** Gives a string lease up and tells the followers to ask again. */
    Mono<Void> release(Lease lease) {
        return eval(release, new String[] {leaseKey(lease.id())}, lease.token(), "", channel(),
                Long.toString(lease.id())).then();
    }

    /** Tells this key's followers, on every replica, what became of it. */
    Mono<Void> announce(Notices.Kind kind, long id) {
        return redis.publish(channel(), Notices.encode(kind, id, clock.millis())).timeout(timeout).then();
    }

    /** Whether the key's last load, within {@link #OUTCOME_TTL}, found no such user (and cached nothing). */
    Mono<Boolean> recentlyAbsent(long id) {
        return redis.get(outcomeKey(id)).timeout(timeout).map("A"::equals).defaultIfEmpty(false);
    }

    private Mono<Long> eval(String script, String[] keys, String... args) {
        return redis.<Long>eval(script, ScriptOutputType.INTEGER, keys, args).next().timeout(timeout);
    }

    private static String script(String name) {
        try {
            return new ClassPathResource("lease/holds.lua").getContentAsString(StandardCharsets.UTF_8) + "\n"
                    + new ClassPathResource("lease/" + name).getContentAsString(StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
