package io.herdlab.admin;

import java.util.List;

import io.herdlab.cache.RedisConnections;
import io.herdlab.lease.Leases;
import io.herdlab.problem.Refusal;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanStream;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes this replica's cache keys: {@code SCAN} with {@code MATCH} on the escaped prefix
 * (never {@code KEYS}, which blocks a shared Redis for O(N)), batched {@code UNLINK}. Keys of
 * other prefixes and live leases ({@code <prefix>{user:<id>}:lease}, which a holder still needs
 * to fence its fill) are left alone. On a Redis Cluster every master is scanned on its own
 * connection (a cursor belongs to one node), and the deletes go through the cluster connection,
 * which sends each key to its slot's master.
 */
final class CacheFlush {

    private static final int BATCH = 500;

    private final RedisConnections redis;
    private final String prefix;

    CacheFlush(RedisConnections redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    /** How many of this prefix's keys (leases included) each master holds: one entry for a single server. */
    Mono<List<Long>> count() {
        return redis.masters().concatMap(master -> keys(master).count()).collectList();
    }

    /** Emits how many keys were deleted. */
    Mono<Long> flush() {
        if (prefix.isEmpty()) {
            return Mono.error(Refusal.of(HttpStatus.CONFLICT, "herd.cache.key-prefix is empty, so a flush"
                    + " would delete every key in this Redis: set a prefix (HERD_CACHE_KEYPREFIX) to flush"));
        }
        return redis.masters().concatMap(this::keys)
                .filter(key -> !key.endsWith(Leases.LEASE_KEY_SUFFIX))
                .buffer(BATCH)
                .concatMap(keys -> redis.reactive().unlink(keys.toArray(String[]::new)))
                .reduce(0L, Long::sum);
    }

    /** This prefix's keys on one node. */
    private Flux<String> keys(RedisClusterReactiveCommands<String, String> node) {
        return ScanStream.scan(node, ScanArgs.Builder.matches(glob(prefix) + "*").limit(1000))
                // MATCH already filters; this guards against a glob mistake deleting a neighbour
                .filter(key -> key.startsWith(prefix));
    }

    /** {@code text} as a Redis glob that matches only itself. */
    static String glob(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^' || c == '-') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
