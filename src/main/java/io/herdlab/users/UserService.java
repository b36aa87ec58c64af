package io.herdlab.users;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.herdlab.Mitigation;
import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.guard.DbGuard;
import io.herdlab.guard.UnavailableException;
import io.herdlab.metrics.HerdMetrics;
import org.springframework.r2dbc.core.DatabaseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read-through path and the operations around it. {@code get}: cache → (miss) coalescer →
 * guarded database read → cache fill; the mitigation decides which coalescer and guard run.
 */
public final class UserService {

    private static final Logger log = LoggerFactory.getLogger(UserService.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final UserRepository repository;
    private final UserCache cache;
    private final Coalescer coalescer;
    private final DbGuard guard;
    private final HerdMetrics metrics;
    private final JsonMapper json;
    private final DatabaseClient monitor;
    private final Mitigation mitigation;
    private final Set<Long> refreshing = ConcurrentHashMap.newKeySet();

    UserService(UserRepository repository, UserCache cache, Coalescer coalescer, DbGuard guard, HerdMetrics metrics,
            JsonMapper json, DatabaseClient monitor, Mitigation mitigation) {
        this.repository = repository;
        this.cache = cache;
        this.coalescer = coalescer;
        this.guard = guard;
        this.metrics = metrics;
        this.json = json;
        this.monitor = monitor;
        this.mitigation = mitigation;
    }

    /** The profile JSON of user {@code id}; errors with 404/503 exceptions. */
    Mono<String> get(long id) {
        return cache.get(id).flatMap(lookup -> switch (lookup.result()) {
            case HIT -> {
                if (mitigation.earlyRefresh() && refreshEarly(lookup.entry())) {
                    refreshInBackground(id, "early");
                }
                yield serve(id, lookup.entry());
            }
            case NEGATIVE -> serve(id, lookup.entry());
            case STALE -> {
                if (mitigation.staleWhileRevalidate()) {
                    refreshInBackground(id, "stale");
                    yield serve(id, lookup.entry());
                }
                // kept only for early refresh: load now, but serve the stale value if that fails
                yield load(id).onErrorResume(UnavailableException.class, error -> serve(id, lookup.entry()));
            }
            case MISS, ERROR -> load(id);
        });
    }

    private Mono<String> load(long id) {
        return coalescer.load(id, () -> fetch(id)).flatMap(entry -> serve(id, entry));
    }

    /**
     * XFetch (Vattani et al.): refresh before the soft expiry with a probability that grows as
     * it nears, scaled by how long the value took to compute: now − δ·β·ln(rand) ≥ expiry.
     */
    private boolean refreshEarly(CacheEntry entry) {
        double delta = Math.max(1, entry.computeMillis());
        double gap = -delta * mitigation.beta() * Math.log(ThreadLocalRandom.current().nextDouble(Double.MIN_VALUE, 1));
        return cache.now() + gap >= entry.softExpiresAtMs();
    }

    /** One background reload per key in this replica; across replicas the coalescer decides. */
    private void refreshInBackground(long id, String kind) {
        if (!refreshing.add(id)) {
            return;
        }
        metrics.refresh(kind);
        coalescer.refresh(id, () -> fetch(id))
                .doFinally(signal -> refreshing.remove(id))
                .subscribe(done -> { }, error -> log.debug("background refresh of user {} failed: {}", id,
                        error.toString()));
    }

    private static Mono<String> serve(long id, CacheEntry entry) {
        return entry.exists() ? Mono.just(entry.json()) : Mono.error(new UserNotFoundException(id));
    }

    /** One guarded database read, timed and counted, as a cache entry (negative when absent). */
    private Mono<CacheEntry> fetch(long id) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            metrics.dbQuery(id);
            return repository.find(id)
                    .map(user -> CacheEntry.found(json.writeValueAsString(user), elapsedMillis(start)))
                    .switchIfEmpty(Mono.fromSupplier(() -> CacheEntry.notFound(elapsedMillis(start))))
                    .doFinally(signal -> metrics.dbQueryTimer().record(Duration.ofNanos(System.nanoTime() - start)));
        }).transform(guard::protect).onErrorMap(error -> !(error instanceof UnavailableException),
                UserService::databaseUnavailable);
    }

    /** A database failure as a 503, in the driver's own words, without the SQL Spring wraps around it. */
    private static UnavailableException databaseUnavailable(Throwable error) {
        return new UnavailableException("the database is unavailable: "
                + NestedExceptionUtils.getMostSpecificCause(error).getMessage(), RETRY_AFTER, error);
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Updates the row, then drops the cached value and any lease on it. */
    Mono<String> update(long id, UserUpdate update) {
        return repository.update(id, update)
                .onErrorMap(UserService::databaseUnavailable)
                .switchIfEmpty(Mono.error(() -> new UserNotFoundException(id)))
                .flatMap(user -> cache.invalidate(id).onErrorResume(error -> Mono.empty())
                        .thenReturn(json.writeValueAsString(user)));
    }

    /** Creates users 1..n that are missing; returns how many were created. */
    public Mono<Long> seed(int n) {
        return repository.seed(n);
    }

    /**
     * Loads users 1..maxId into the cache, all to expire at {@code expiresAtMs} (plus the
     * mitigation's jitter, unless {@code jitter} is false). Returns how many keys were written.
     */
    public Mono<Long> warm(long maxId, long expiresAtMs, boolean jitter) {
        return cache.warm(repository.all(maxId)
                .map(user -> new UserCache.IdAndEntry(user.id(),
                        CacheEntry.found(json.writeValueAsString(user), 0))), expiresAtMs, jitter);
    }

    /** pg_stat_activity of this database by application_name and state, over its own connection. */
    public Mono<List<Map<String, Object>>> activity() {
        return repository.activity(monitor).collectList();
    }
}
