package io.herdlab.admin;

import io.herdlab.lease.Leases;
import io.herdlab.problem.Refusal;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanStream;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

/**
 * Deletes this replica's cache keys: {@code SCAN} with {@code MATCH} on the escaped prefix
 * (never {@code KEYS}, which blocks a shared Redis for O(N)), batched {@code UNLINK}. Keys of
 * other prefixes and live leases ({@code <prefix>{user:<id>}:lease}, which a holder still needs
 * to fence its fill) are left alone.
 */
final class CacheFlush {

    private static final int BATCH = 500;

    private final RedisReactiveCommands<String, String> redis;
    private final String prefix;

    CacheFlush(RedisReactiveCommands<String, String> redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    /** Emits how many keys were deleted. */
    Mono<Long> flush() {
        if (prefix.isEmpty()) {
            return Mono.error(Refusal.of(HttpStatus.CONFLICT, "herd.cache.key-prefix is empty, so a flush"
                    + " would delete every key in this Redis: set a prefix (HERD_CACHE_KEYPREFIX) to flush"));
        }
        return ScanStream.scan(redis, ScanArgs.Builder.matches(glob(prefix) + "*").limit(1000))
                // MATCH already filters; this guards against a glob mistake deleting a neighbour
                .filter(key -> key.startsWith(prefix) && !key.endsWith(Leases.LEASE_KEY_SUFFIX))
                .buffer(BATCH)
                .concatMap(keys -> redis.unlink(keys.toArray(String[]::new)))
                .reduce(0L, Long::sum);
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
