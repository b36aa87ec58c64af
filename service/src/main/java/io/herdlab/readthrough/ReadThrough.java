package io.herdlab.readthrough;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.herdlab.Mitigation;
import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.guard.DbGuard;
import io.herdlab.guard.UnavailableException;
import io.herdlab.metrics.HerdMetrics;
import io.herdlab.metrics.HerdMetrics.RefreshKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The read-through cache, in one direction: look-up → freshness (hit, stale, negative, miss)
 * → coalescing → guarded load → fill. Emits the entry (which may say "no such user"), or an
 * {@link UnavailableException}; the caller maps that to HTTP.
 */
public final class ReadThrough {

    private static final Logger log = LoggerFactory.getLogger(ReadThrough.class);
    private static final int INVALIDATE_ATTEMPTS = 3;
    private static final Duration INVALIDATE_BACKOFF = Duration.ofMillis(100);

    private final UserCache cache;
    private final Coalescer coalescer;
    /** Who serves a read another replica forwarded here (owner routing); null: nobody forwards here. */
    private final Coalescer forwarded;
    private final RowSource source;
    private final DbGuard guard;
    private final HerdMetrics metrics;
    private final Mitigation mitigation;
    /** Keys with a background refresh running in this replica; bounded by the loads in flight. */
    private final Set<Long> refreshing = ConcurrentHashMap.newKeySet();

    ReadThrough(UserCache cache, Coalescer coalescer, Coalescer forwarded, RowSource source, DbGuard guard,
            HerdMetrics metrics, Mitigation mitigation) {
        this.cache = cache;
        this.coalescer = coalescer;
        this.forwarded = forwarded;
        this.source = source;
        this.guard = guard;
        this.metrics = metrics;
        this.mitigation = mitigation;
    }

    /** The entry for user {@code id}: from the cache, or loaded once per the mitigation. */
    public Mono<CacheEntry> read(long id) {
        return read(id, coalescer);
    }

    /** Whether this replica serves reads forwarded by others (it routes misses to owners). */
    public boolean servesForwarded() {
        return forwarded != null;
    }

    /**
     * A read another replica forwarded here because it believes this one owns the key: served
     * from the cache or loaded here, never forwarded again.
     */
    public Mono<CacheEntry> readForwarded(long id) {
        if (forwarded == null) {
            return Mono.error(new IllegalStateException("this replica does not route by owner"));
        }
        return read(id, forwarded);
    }

    private Mono<CacheEntry> read(long id, Coalescer coalescer) {
        return coalescer.lookup(id).flatMap(lookup -> {
            metrics.cache(lookup.result());
            return switch (lookup.result()) {
                case HIT -> {
                    if (mitigation.earlyRefresh() && refreshEarly(lookup.entry())) {
                        refreshInBackground(coalescer, id, lookup, RefreshKind.EARLY);
                    }
                    yield Mono.just(lookup.entry());
                }
                case NEGATIVE -> Mono.just(lookup.entry());
                case STALE -> {
                    if (mitigation.staleWhileRevalidate()) {
                        refreshInBackground(coalescer, id, lookup, RefreshKind.STALE);
                        yield Mono.just(lookup.entry());
                    }
                    // kept only for early refresh: load now, but serve the stale value if that fails
                    yield load(coalescer, id, lookup).onErrorResume(UnavailableException.class,
                            error -> Mono.just(lookup.entry()));
                }
                case MISS, ERROR -> load(coalescer, id, lookup);
            };
        });
    }

    /**
     * After an update committed version {@code version} of the row: drops the cached copy,
     * retried briefly. Emits an error when it could not be dropped (the old row may be served
     * until it expires); the caller says so to the client.
     */
    public Mono<Void> written(long id, long version) {
        return cache.invalidate(id, version)
                .retryWhen(Retry.backoff(INVALIDATE_ATTEMPTS - 1, INVALIDATE_BACKOFF))
                .onErrorMap(error -> {
                    metrics.invalidationFailed();
                    log.warn("user {} was updated to version {} but its cached copy could not be dropped: {}", id,
                            version, error.toString());
                    return new UnavailableException("the update of user " + id + " was saved, but its cached copy "
                            + "could not be dropped, so reads may return the previous version until it expires; "
                            + "repeat the PUT to retry", Duration.ofSeconds(1), error);
                });
    }

    private Mono<CacheEntry> load(Coalescer coalescer, long id, Lookup lookup) {
        return coalescer.load(id, lookup, () -> fetch(id));
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
    private void refreshInBackground(Coalescer coalescer, long id, Lookup lookup, RefreshKind kind) {
        if (!refreshing.add(id)) {
            return;
        }
        metrics.refresh(kind);
        coalescer.refresh(id, lookup, () -> fetch(id))
                .doFinally(signal -> refreshing.remove(id))
                .subscribe(done -> { }, error -> log.debug("background refresh of user {} failed: {}", id,
                        error.toString()));
    }

    /** One guarded database read, timed and counted, as a cache entry (negative when absent). */
    private Mono<CacheEntry> fetch(long id) {
        return guard.protect(Mono.defer(() -> {
            long start = System.nanoTime();
            metrics.dbQuery(id);
            metrics.dbQueryStarted();
            return source.find(id)
                    .map(row -> CacheEntry.found(row.json(), row.version(), elapsedMillis(start)))
                    .switchIfEmpty(Mono.fromSupplier(() -> CacheEntry.notFound(elapsedMillis(start))))
                    .doFinally(signal -> {
                        metrics.dbQueryFinished();
                        metrics.dbQueryTimer().record(Duration.ofNanos(System.nanoTime() - start));
                    });
        }));
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
