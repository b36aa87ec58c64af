package io.herdlab.admin;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.herdlab.HerdProperties;
import io.herdlab.Mitigation;
import io.herdlab.contract.HerdSnapshot;
import io.herdlab.contract.KeyQueries;
import io.herdlab.contract.LeaseEvents;
import io.herdlab.guard.DbGuard;
import io.herdlab.metrics.HerdMetrics;
import io.herdlab.metrics.PoolWatcher;
import io.herdlab.problem.Problems;
import io.herdlab.problem.Refusal;
import io.herdlab.users.UserService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /actuator/herd} on the management port: the snapshot and its views (open: read-only),
 * and seed, warm, reset, flush (behind {@code herd.admin.token} when one is set). Every
 * refusal and failure is problem JSON ({@link Problems}), a refusal naming what to fix.
 */
final class HerdAdmin {

    private static final Logger log = LoggerFactory.getLogger(HerdAdmin.class);

    private final UserService users;
    private final CacheFlush cacheFlush;
    private final HerdMetrics metrics;
    private final PoolWatcher pool;
    private final DbGuard guard;
    private final Mitigation mitigation;
    private final HerdProperties herd;
    private final AdminProperties admin;
    private final AdminToken token;
    private final JsonMapper json;
    private final Problems problems;
    private final Clock clock;

    HerdAdmin(UserService users, CacheFlush cacheFlush, HerdMetrics metrics, PoolWatcher pool, DbGuard guard,
            Mitigation mitigation, HerdProperties herd, AdminProperties admin, JsonMapper json, Problems problems,
            Clock clock) {
        this.users = users;
        this.cacheFlush = cacheFlush;
        this.metrics = metrics;
        this.pool = pool;
        this.guard = guard;
        this.mitigation = mitigation;
        this.herd = herd;
        this.admin = admin;
        this.token = new AdminToken(admin);
        this.json = json;
        this.problems = problems;
        this.clock = clock;
    }

    /** GET /actuator/herd: everything the lab and a person with curl read. */
    Mono<ServerResponse> snapshot(ServerRequest request) {
        return users.activity()
                .map(activity -> snapshot(activity, null))
                .onErrorResume(error -> {
                    // the lab polls every second: the database's failure is logged by the request path
                    log.debug("pg_stat_activity could not be read for the snapshot: {}", error.toString());
                    return Mono.just(snapshot(List.of(), "unavailable: the database did not answer (see the service log)"));
                })
                .flatMap(HerdAdmin::ok);
    }

    private HerdSnapshot snapshot(List<HerdSnapshot.Activity> activity, @Nullable String activityError) {
        return new HerdSnapshot(herd.instanceId(), mitigation.preset().id(), mitigationView(), clock.millis(),
                metrics.cacheSnapshot(), metrics.dbSnapshot(), pool.snapshot(), metrics.latencySnapshot(),
                metrics.latencyBySecond(), metrics.coalesceSnapshot(), guard.state(), activity, activityError,
                metrics.ownerSnapshot());
    }

    /**
     * GET /actuator/herd/{view}: keys, cache (this prefix's Redis keys, per master), lease-events,
     * mitigation, summary.
     */
    Mono<ServerResponse> view(ServerRequest request) {
        return switch (request.pathVariable("view")) {
            case "keys" -> ok(new KeyQueries(metrics.queriesPerKey()));
            case "cache" -> cacheFlush.count().flatMap(perMaster -> ok(Map.of("keys",
                    perMaster.stream().mapToLong(Long::longValue).sum(), "keysPerMaster", perMaster)));
            case "lease-events" -> ok(new LeaseEvents(metrics.leaseEventsPerKey()));
            case "mitigation" -> ok(mitigationView());
            case "summary" -> ok(summary());
            default -> problems.respond(Refusal.of(HttpStatus.NOT_FOUND, "unknown view '" + request.pathVariable("view")
                    + "': GET /actuator/herd, or /actuator/herd/summary, /keys, /cache, /lease-events, /mitigation"),
                    request);
        };
    }

    /** POST /actuator/herd/{action}: seed, warm, reset, flush. */
    Mono<ServerResponse> act(ServerRequest request) {
        String action = request.pathVariable("action");
        if (!AdminRequest.FIELDS.containsKey(action)) {
            return problems.respond(Refusal.of(HttpStatus.NOT_FOUND, "unknown action '" + action
                    + "': POST /actuator/herd/seed, /warm, /reset or /flush"), request);
        }
        if (!authorized(request)) {
            return problems.respond(Refusal.of(HttpStatus.UNAUTHORIZED, "this admin operation needs the header"
                    + " 'Authorization: Bearer <herd.admin.token>' (the token is in HERD_ADMIN_TOKEN)"), request);
        }
        return request.bodyToMono(String.class).defaultIfEmpty("")
                .map(raw -> AdminRequest.parse(json, action, raw))
                .flatMap(this::run)
                .onErrorMap(DataBufferLimitException.class, error -> Refusal.of(HttpStatus.CONTENT_TOO_LARGE,
                        "the body is too large: admin bodies are a few fields, e.g. {\"users\":10000}"))
                .doOnError(error -> !(error instanceof Refusal), error -> log.debug("admin {} failed", action, error))
                .onErrorResume(error -> problems.respond(error, request));
    }

    /** Any other method on an admin path: 405 naming what is served. */
    Mono<ServerResponse> notServed(ServerRequest request, String base) {
        return problems.respond(Refusal.of(HttpStatus.METHOD_NOT_ALLOWED, request.method() + " is not served here: GET "
                + base + "[/summary|/keys|/cache|/lease-events|/mitigation], POST " + base
                + "/{seed|warm|reset|flush}"), request);
    }

    private Mono<ServerResponse> run(AdminRequest request) {
        long start = clock.millis();
        return switch (request.action()) {
            case "seed" -> {
                int n = request.users(admin.maxUsers());
                yield users.seed(n).flatMap(created -> ok(Map.of("users", n, "created", created,
                        "millis", clock.millis() - start)));
            }
            case "warm" -> warm(request, start);
            case "reset" -> {
                metrics.reset();
                pool.reset();
                yield ok(Map.of("reset", true, "epochMs", clock.millis()));
            }
            case "flush" -> cacheFlush.flush().flatMap(keys -> ok(Map.of("keysDeleted", keys)));
            default -> throw new IllegalStateException(request.action());
        };
    }

    /** {@code aligned} drops the mitigation's jitter for this warm: every key expires at the instant. */
    private Mono<ServerResponse> warm(AdminRequest request, long start) {
        int n = request.users(admin.maxUsers());
        Long ttlSeconds = request.ttlSeconds();
        Long at = request.expiresAtEpochMs(start);
        boolean aligned = request.aligned();
        if (ttlSeconds != null && at != null) {
            throw Refusal.badRequest("ttlSeconds", "give ttlSeconds or expiresAtEpochMs, not both");
        }
        long expiresAt = at != null ? at
                : start + 1000 * (ttlSeconds != null ? ttlSeconds : herd.cache().ttl().toSeconds());
        return users.warm(n, expiresAt, !aligned).flatMap(keys -> ok(Map.of("keys", keys,
                "expiresAtEpochMs", expiresAt, "jitterMaxMs", aligned ? 0 : mitigation.jitterMax().toMillis(),
                "millis", clock.millis() - start)));
    }

    /** Open when no token is configured (make run); otherwise the bearer token is required. */
    private boolean authorized(ServerRequest request) {
        return !token.configured() || token.matches(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
    }

    /**
     * {@code GET /actuator/herd/summary}: the figures the quick start reads after a burst, on one line.
     *
     * @param hitRatio hits among the look-ups that found a value or a miss (null before the first)
     */
    record Summary(String instance, String preset, long requests, @Nullable Double hitRatio, long dbQueries,
            long duplicateQueries, int poolPeakPending, long leaders, long followers, long coalesceTimeouts,
            double p99Ms) {
    }

    private Summary summary() {
        HerdSnapshot.Cache cache = metrics.cacheSnapshot();
        HerdSnapshot.Db db = metrics.dbSnapshot();
        HerdSnapshot.Coalesce coalesce = metrics.coalesceSnapshot();
        long lookups = cache.hits() + cache.misses() + cache.stale();
        return new Summary(herd.instanceId(), mitigation.preset().id(), lookups + cache.negative() + cache.errors(),
                lookups == 0 ? null : Math.round(1000.0 * cache.hits() / lookups) / 1000.0, db.queries(),
                db.duplicateQueries(), pool.snapshot().peakPending(), coalesce.leaders(), coalesce.followers(),
                coalesce.timeouts(), metrics.latencySnapshot().p99Ms());
    }

    private HerdSnapshot.Mitigation mitigationView() {
        return new HerdSnapshot.Mitigation(mitigation.preset().id(), mitigation.jitterMax().toMillis(),
                mitigation.coalescer().name().toLowerCase(Locale.ROOT), mitigation.waitTimeout().toMillis(),
                mitigation.leaseTime().toMillis(), mitigation.staleWhileRevalidate(), mitigation.staleFor().toMillis(),
                mitigation.earlyRefresh(), mitigation.beta(), mitigation.negativeTtl().toMillis(), mitigation.breaker(),
                mitigation.bulkhead(), herd.cache().ttl().toMillis(), herd.db().queryDelay().toMillis());
    }

    private static Mono<ServerResponse> ok(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }
}
