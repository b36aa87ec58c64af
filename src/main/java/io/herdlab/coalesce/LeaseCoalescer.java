package io.herdlab.coalesce;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.cache.UserCache.FencedFill;
import io.herdlab.guard.UnavailableException;
import io.herdlab.metrics.HerdMetrics;
import io.lettuce.core.RedisConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A distributed lease in Redis decides the one loader per key across all replicas. The holder
 * re-checks the cache, loads, and fills through the fenced script, which writes only while
 * the lease is still its own (a PUT deletes the lease, so a slow holder cannot write an old
 * row back). Followers wake on the fill notice, with a slow poll as backstop; a failed holder's
 * notice fails them at once; a vanished holder's lease expires and a follower takes over.
 */
abstract class LeaseCoalescer implements Coalescer {

    private static final Logger log = LoggerFactory.getLogger(LeaseCoalescer.class);
    static final Duration POLL = Duration.ofMillis(500);
    /** Bounds a slow Redis; a Redis that is down rejects commands at once. */
    static final Duration REDIS_TIMEOUT = Duration.ofSeconds(5);

    /** A lease held: the token the fenced fill checks, and the hash field for a Redisson lock. */
    record Lease(long id, String token, String field) {
    }

    protected final UserCache cache;
    protected final HerdMetrics metrics;
    protected final Duration leaseTime;
    private final Duration waitTimeout;
    private final FillNotices notices;
    private final String mode;

    LeaseCoalescer(String mode, UserCache cache, FillNotices notices, HerdMetrics metrics, Duration leaseTime,
            Duration waitTimeout) {
        this.mode = mode;
        this.cache = cache;
        this.notices = notices;
        this.metrics = metrics;
        this.leaseTime = leaseTime;
        this.waitTimeout = waitTimeout;
    }

    /** Tries once to take the lease on {@code id}: the lease, or empty when someone holds it. */
    abstract Mono<Lease> tryAcquire(long id);

    /** Gives up a lease without filling (the load failed). */
    abstract Mono<Void> release(Lease lease);

    @Override
    public Mono<CacheEntry> load(long id, Supplier<Mono<CacheEntry>> fetch) {
        return acquireOrFallback(id, fetch).flatMap(outcome -> outcome.lease() != null
                ? lead(outcome.lease(), fetch)
                : outcome.entry() != null ? Mono.just(outcome.entry()) : follow(id, fetch));
    }

    @Override
    public Mono<Void> refresh(long id, Supplier<Mono<CacheEntry>> fetch) {
        return acquireOrFallback(id, fetch)
                .flatMap(outcome -> outcome.lease() != null ? lead(outcome.lease(), fetch).then() : Mono.empty());
    }

    /** The lease, or the entry loaded without one when Redis cannot be asked, or neither (busy). */
    private record Outcome(Lease lease, CacheEntry entry) {
    }

    private Mono<Outcome> acquireOrFallback(long id, Supplier<Mono<CacheEntry>> fetch) {
        return tryAcquire(id)
                .map(lease -> {
                    metrics.lease(mode, "acquired");
                    return new Outcome(lease, null);
                })
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    metrics.lease(mode, "busy");
                    return new Outcome(null, null);
                }))
                .onErrorResume(error -> {
                    metrics.lease(mode, "error");
                    log.debug("lease on user {} unavailable: {}", id, error.toString());
                    if (redisUnreachable(error)) {
                        // nobody can coordinate: load directly (the DB guard still applies)
                        return fetch.get().map(entry -> new Outcome(null, entry));
                    }
                    // slow, not gone: somebody may hold the lease, so wait as a follower
                    return Mono.just(new Outcome(null, null));
                });
    }

    /** Disconnected or refused, as opposed to merely slow (a timeout). */
    private static boolean redisUnreachable(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof RedisConnectionException || e instanceof java.net.ConnectException
                    || String.valueOf(e.getMessage()).contains("not connected")) {
                return true;
            }
        }
        return false;
    }

    private Mono<CacheEntry> lead(Lease lease, Supplier<Mono<CacheEntry>> fetch) {
        metrics.coalesceRole(mode, "leader");
        long id = lease.id();
        return cache.peek(id)
                .onErrorResume(error -> Mono.empty())
                .filter(entry -> entry.softExpiresAtMs() > cache.now())
                .flatMap(fresh -> release(lease).onErrorResume(e -> Mono.empty()).thenReturn(fresh))
                .switchIfEmpty(Mono.defer(() -> fetch.get()
                        .flatMap(entry -> cache.fillFenced(id, entry, lease.token(), lease.field())
                                .onErrorResume(error -> Mono.just(FencedFill.FENCED))
                                .map(fill -> {
                                    if (fill != FencedFill.WRITTEN) {
                                        metrics.lease(mode, fill.name().toLowerCase(Locale.ROOT));
                                    }
                                    return entry;
                                }))
                        // announce before releasing, so waiters fail rather than take over
                        .onErrorResume(error -> cache.announceFailure(id, error.getMessage())
                                .then(release(lease))
                                .onErrorResume(e -> Mono.empty())
                                .then(Mono.error(error)))));
    }

    private Mono<CacheEntry> follow(long id, Supplier<Mono<CacheEntry>> fetch) {
        metrics.coalesceRole(mode, "follower");
        long start = System.nanoTime();
        return Mono.defer(() -> awaitOnce(id, fetch, start))
                .repeatWhenEmpty(Integer.MAX_VALUE, attempts -> attempts)
                .timeout(waitTimeout, Mono.error(() -> {
                    metrics.coalesceTimeout(mode);
                    return new UnavailableException("timed out after " + waitTimeout.toMillis()
                            + " ms waiting for the lease holder to load user " + id, Duration.ofSeconds(1));
                }))
                .doOnSuccess(entry -> metrics.coalesceWait(mode, Duration.ofNanos(System.nanoTime() - start)))
                .onErrorMap(error -> !(error instanceof UnavailableException),
                        error -> new UnavailableException("the cache is unavailable while waiting for user " + id,
                                Duration.ofSeconds(1), error));
    }

    /**
     * One round of waiting: register for the notice, look at the cache, then sleep until the
     * notice or the poll. Empty means "not yet, go round again".
     */
    private Mono<CacheEntry> awaitOnce(long id, Supplier<Mono<CacheEntry>> fetch, long waitingSince) {
        Mono<FillNotices.Notice> notice = notices.next(id);
        return cache.peek(id)
                .onErrorResume(error -> Mono.empty()) // a slow read is "not yet": the wait is bounded anyway
                .doOnNext(found -> notices.forget(id))
                .switchIfEmpty(Mono.firstWithSignal(notice, Mono.delay(POLL).then(Mono.<FillNotices.Notice>empty()))
                        .flatMap(n -> n.failed()
                                ? Mono.<CacheEntry>error(leaderFailed(id, n.failure()))
                                : cache.peek(id).onErrorResume(error -> Mono.empty()))
                        .switchIfEmpty(Mono.defer(() -> {
                            // a failure announced while this waiter was between two waits still counts
                            String failure = notices.failureSince(id, waitingSince);
                            return failure != null ? Mono.error(leaderFailed(id, failure)) : takeOver(id, fetch);
                        })));
    }

    private static UnavailableException leaderFailed(long id, String failure) {
        return new UnavailableException("the request loading user " + id + " failed: " + failure,
                Duration.ofSeconds(1));
    }

    /** The holder vanished (its lease expired with no fill): whoever gets the lease now loads. */
    private Mono<CacheEntry> takeOver(long id, Supplier<Mono<CacheEntry>> fetch) {
        return tryAcquire(id)
                .onErrorResume(error -> Mono.empty()) // could not ask: keep waiting, the wait is bounded
                .flatMap(lease -> {
                    metrics.lease(mode, "acquired");
                    return lead(lease, fetch);
                });
    }
}
