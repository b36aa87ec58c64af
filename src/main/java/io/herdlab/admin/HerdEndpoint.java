package io.herdlab.admin;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.herdlab.HerdProperties;
import io.herdlab.Mitigation;
import io.herdlab.cache.UserCache;
import io.herdlab.guard.DbGuard;
import io.herdlab.metrics.HerdMetrics;
import io.herdlab.metrics.PoolWatcher;
import io.herdlab.users.UserService;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import reactor.core.publisher.Mono;

/**
 * {@code /actuator/herd} on the management port: seed, warm, reset, and the snapshot the lab
 * and a person with curl read.
 */
@Endpoint(id = "herd")
class HerdEndpoint {

    private final UserService users;
    private final UserCache cache;
    private final HerdMetrics metrics;
    private final PoolWatcher pool;
    private final DbGuard guard;
    private final Mitigation mitigation;
    private final HerdProperties herd;
    private final Clock clock;

    HerdEndpoint(UserService users, UserCache cache, HerdMetrics metrics, PoolWatcher pool, DbGuard guard,
            Mitigation mitigation, HerdProperties herd, Clock clock) {
        this.users = users;
        this.cache = cache;
        this.metrics = metrics;
        this.pool = pool;
        this.guard = guard;
        this.mitigation = mitigation;
        this.herd = herd;
        this.clock = clock;
    }

    @ReadOperation
    Mono<Map<String, Object>> snapshot() {
        return users.activity()
                .onErrorResume(error -> Mono.just(List.of(Map.of("error", String.valueOf(error.getMessage())))))
                .map(activity -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("instance", herd.instanceId());
                    out.put("preset", mitigation.preset().id());
                    out.put("mitigation", mitigationView());
                    out.put("epochMs", clock.millis());
                    out.put("cache", metrics.cacheSnapshot());
                    out.put("db", metrics.dbSnapshot());
                    out.put("pool", pool.snapshot());
                    out.put("latency", metrics.latencySnapshot());
                    out.put("latencyBySecond", metrics.latencyBySecond());
                    out.put("coalesce", metrics.coalesceSnapshot());
                    out.put("breaker", guard.state());
                    out.put("pgStatActivity", activity);
                    return out;
                });
    }

    @ReadOperation
    WebEndpointResponse<Object> detail(@Selector String name) {
        return switch (name) {
            case "keys" -> new WebEndpointResponse<>(metrics.queriesPerKey());
            case "mitigation" -> new WebEndpointResponse<>(mitigationView());
            default -> new WebEndpointResponse<>(Map.of("error", "unknown view '" + name + "': keys, mitigation"),
                    WebEndpointResponse.STATUS_NOT_FOUND);
        };
    }

    @WriteOperation
    Mono<WebEndpointResponse<Object>> act(@Selector String action, @Nullable Integer users,
            @Nullable Long ttlSeconds, @Nullable Long expiresAtEpochMs, @Nullable Boolean aligned) {
        return switch (action) {
            case "seed" -> seed(users == null ? 10_000 : users);
            case "warm" -> warm(users == null ? 10_000 : users, ttlSeconds, expiresAtEpochMs,
                    Boolean.TRUE.equals(aligned));
            case "reset" -> reset();
            case "flush" -> cache.flush().map(keys -> ok(Map.of("keysDeleted", keys)));
            default -> Mono.just(new WebEndpointResponse<>(
                    Map.of("error", "unknown action '" + action + "': seed, warm, reset, flush"),
                    WebEndpointResponse.STATUS_NOT_FOUND));
        };
    }

    private Mono<WebEndpointResponse<Object>> seed(int n) {
        if (n < 1 || n > 10_000_000) {
            return Mono.just(badRequest("users must be between 1 and 10000000"));
        }
        long start = clock.millis();
        return users.seed(n).map(created -> ok(Map.of("users", n, "created", created,
                "millis", clock.millis() - start)));
    }

    /** {@code aligned} drops the mitigation's jitter for this warm: every key expires at the instant. */
    private Mono<WebEndpointResponse<Object>> warm(int n, Long ttlSeconds, Long expiresAtEpochMs, boolean aligned) {
        long expiresAt;
        if (expiresAtEpochMs != null) {
            expiresAt = expiresAtEpochMs;
        }
        else {
            long ttl = ttlSeconds == null ? herd.cache().ttl().toSeconds() : ttlSeconds;
            if (ttl < 1) {
                return Mono.just(badRequest("ttlSeconds must be at least 1"));
            }
            expiresAt = clock.millis() + ttl * 1000;
        }
        if (expiresAt <= clock.millis()) {
            return Mono.just(badRequest("the expiry instant must lie in the future"));
        }
        long start = clock.millis();
        return users.warm(n, expiresAt, !aligned).map(keys -> ok(Map.of("keys", keys, "expiresAtEpochMs", expiresAt,
                "jitterMaxMs", aligned ? 0 : mitigation.jitterMax().toMillis(), "millis", clock.millis() - start)));
    }

    private Mono<WebEndpointResponse<Object>> reset() {
        metrics.reset();
        pool.reset();
        return Mono.just(ok(Map.of("reset", true, "epochMs", clock.millis())));
    }

    private Map<String, Object> mitigationView() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("preset", mitigation.preset().id());
        out.put("jitterMaxMs", mitigation.jitterMax().toMillis());
        out.put("coalescer", mitigation.coalescer().name().toLowerCase());
        out.put("waitTimeoutMs", mitigation.waitTimeout().toMillis());
        out.put("leaseTimeMs", mitigation.leaseTime().toMillis());
        out.put("staleWhileRevalidate", mitigation.staleWhileRevalidate());
        out.put("staleForMs", mitigation.staleFor().toMillis());
        out.put("earlyRefresh", mitigation.earlyRefresh());
        out.put("beta", mitigation.beta());
        out.put("negativeTtlMs", mitigation.negativeTtl().toMillis());
        out.put("breaker", mitigation.breaker());
        out.put("bulkhead", mitigation.bulkhead());
        out.put("ttlMs", herd.cache().ttl().toMillis());
        out.put("queryDelayMs", herd.db().queryDelay().toMillis());
        return out;
    }

    private static WebEndpointResponse<Object> ok(Object body) {
        return new WebEndpointResponse<>(body);
    }

    private static WebEndpointResponse<Object> badRequest(String message) {
        return new WebEndpointResponse<>(Map.of("error", message), WebEndpointResponse.STATUS_BAD_REQUEST);
    }
}
