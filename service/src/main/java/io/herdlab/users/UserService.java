package io.herdlab.users;

import java.util.List;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.contract.HerdSnapshot;
import io.herdlab.guard.DbGuard;
import io.herdlab.problem.Refusal;
import io.herdlab.readthrough.ReadThrough;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the routes and admin operations ask of users: a read through the cache, a guarded
 * update that drops the cached copy, and the lab's seed, warm and activity.
 */
public final class UserService {

    private final UserRepository repository;
    private final ReadThrough reads;
    private final UserCache cache;
    private final DbGuard guard;
    private final JsonMapper json;
    private final DatabaseClient monitor;

    UserService(UserRepository repository, ReadThrough reads, UserCache cache, DbGuard guard, JsonMapper json,
            DatabaseClient monitor) {
        this.repository = repository;
        this.reads = reads;
        this.cache = cache;
        this.guard = guard;
        this.json = json;
        this.monitor = monitor;
    }

    /** The profile JSON of user {@code id}; errors with 404/503 exceptions. */
    Mono<String> get(long id) {
        return reads.read(id).flatMap(entry -> entry.exists()
                ? Mono.just(entry.json())
                : Mono.error(Refusal.noSuchUser(id)));
    }

    /** Whether reads forwarded by other replicas are served here (owner routing). */
    boolean servesForwarded() {
        return reads.servesForwarded();
    }

    /** A read another replica forwarded here as the key's owner: the entry, never forwarded again. */
    Mono<CacheEntry> getForwarded(long id) {
        return reads.readForwarded(id);
    }

    /**
     * Updates the row through the database guard, then drops the cached copy (retried
     * briefly; a 503 says when that failed, so the client can repeat the PUT).
     */
    Mono<String> update(long id, UserUpdate update) {
        return guard.protect(repository.update(id, update))
                .switchIfEmpty(Mono.error(() -> Refusal.noSuchUser(id)))
                .flatMap(user -> reads.written(id, user.version()).thenReturn(json.writeValueAsString(user)));
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
                        CacheEntry.found(json.writeValueAsString(user), user.version(), 0))), expiresAtMs, jitter);
    }

    /** pg_stat_activity of this database by application_name and state, over its own connection. */
    public Mono<List<HerdSnapshot.Activity>> activity() {
        return repository.activity(monitor).collectList();
    }
}
