package io.herdlab.lease;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.guard.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A distributed lease in Redis decides the one loader per key across all replicas.
 *
 * <p>A caller registers for the key's notices, then asks for the lease. The holder (leader)
 * runs detached from its caller: it re-checks the cache, loads, renews its lease every third
 * of the lease time while the load runs, and fills through the fenced script, which writes
 * only while the lease is still its own and the cache has nothing newer, and announces the
 * outcome. Followers wake on the notice: filled (read the cache), absent (404 at once),
 * failed (503 at once), released (ask for the lease again); a slow poll is the backstop, and a
 * vanished holder's lease expires so that a follower takes over. A local rejection (this
 * replica's bulkhead or breaker) releases the lease without announcing a failure. When Redis
 * cannot be reached at all, the caller loads directly: the database guard still applies.
 */
abstract class LeaseCoalescer implements Coalescer {

    private static final Logger log = LoggerFactory.getLogger(LeaseCoalescer.class);
    static final Duration POLL = Duration.ofMillis(500);

    private final String scope;
    protected final UserCache cache;
    protected final LeaseScripts scripts;
    protected final Duration leaseTime;
    private final Notices notices;
    private final Duration waitTimeout;
    private final BooleanSupplier redisReachable;
    private final CoalesceEvents events;

    LeaseCoalescer(String scope, UserCache cache, LeaseScripts scripts, Notices notices, Duration leaseTime,
            Duration waitTimeout, BooleanSupplier redisReachable, CoalesceEvents events) {
        this.scope = scope;
        this.cache = cache;
        this.scripts = scripts;
        this.notices = notices;
        this.leaseTime = leaseTime;
        this.waitTimeout = waitTimeout;
        this.redisReachable = redisReachable;
        this.events = events;
    }

    /** Tries once to take the lease on {@code id}: the lease, or empty when someone holds it. */
    abstract Mono<Lease> tryAcquire(long id);

    /** Gives a lease up without a fill, telling the followers to ask again. */
    abstract Mono<Void> release(Lease lease);

    @Override
    public Mono<CacheEntry> load(long id, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> {
            if (!redisReachable.getAsBoolean()) {
                return direct(id, load);
            }
            long start = System.nanoTime();
            Caller caller = new Caller();
            Notices.Registration registration = notices.register(id);
            return Mono.defer(() -> round(id, load, registration, caller))
                    .repeatWhenEmpty(Integer.MAX_VALUE, rounds -> rounds)
                    .doOnCancel(() -> caller.left = true)
                    .doFinally(signal -> registration.close())
                    .timeout(waitTimeout, Mono.error(() -> {
                        events.followerTimedOut(scope);
                        return new UnavailableException("timed out after " + waitTimeout.toMillis()
                                + " ms waiting for the lease holder to load user " + id, Duration.ofSeconds(1));
                    }))
                    .doOnSuccess(entry -> {
                        if (caller.followed) {
                            events.followerWaited(scope, Duration.ofNanos(System.nanoTime() - start));
                        }
                    });
        });
    }

    @Override
    public Mono<Void> refresh(long id, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> redisReachable.getAsBoolean()
                ? detached(tryAcquire(id).flatMap(lease -> {
                    events.lease(scope, "acquired");
                    events.role(scope, "leader");
                    return lead(lease, load, new Caller());
                })).then().onErrorResume(error -> Mono.empty())
                : Mono.empty());
    }

    /** One caller's wait, across its rounds. */
    private static final class Caller {
        volatile boolean followed;
        /** The caller went away (cancelled); a load it leads goes on, detached. */
        volatile boolean left;
    }

    /** What asking for the lease gave: the leader's result, busy, or Redis out of reach. */
    private record Attempt(CacheEntry entry, boolean busy) {
        static final Attempt BUSY = new Attempt(null, true);
        static final Attempt UNREACHABLE = new Attempt(null, false);
    }

    /**
     * One round: ask for the lease (registered for the key's notices beforehand), and either
     * lead (detached: the caller may go away, the load goes on) or wait for one notice or the
     * poll. Empty means "ask again".
     */
    private Mono<CacheEntry> round(long id, Supplier<Mono<CacheEntry>> load, Notices.Registration registration,
            Caller caller) {
        // a notice that came between two waits answers this caller before it asks for the lease
        Notices.Notice pending = registration.pending();
        if (pending != null && pending.kind() != Notices.Kind.RELEASED) {
            return answer(id, pending);
        }
        return detached(tryAcquire(id)
                .flatMap(lease -> {
                    events.lease(scope, "acquired");
                    events.role(scope, "leader");
                    return lead(lease, load, caller).map(entry -> new Attempt(entry, false));
                })
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    events.lease(scope, "busy");
                    return Attempt.BUSY;
                }))
                .onErrorResume(error -> error instanceof LeaseUnavailable, error -> {
                    events.lease(scope, "error");
                    log.debug("lease on user {} unavailable: {}", id, error.getCause().toString());
                    // slow, not gone: somebody may hold the lease, so wait as a follower
                    return Mono.just(redisReachable.getAsBoolean() && !disconnected(error)
                            ? Attempt.BUSY : Attempt.UNREACHABLE);
                }))
                .flatMap(attempt -> {
                    if (attempt.entry() != null) {
                        return Mono.just(attempt.entry());
                    }
                    if (!attempt.busy()) {
                        return direct(id, load);
                    }
                    if (!caller.followed) {
                        caller.followed = true;
                        events.role(scope, "follower");
                    }
                    return await(id, registration);
                });
    }

    /** The lease client has no connection (refused, reset, not yet reconnected), as opposed to slow. */
    private static boolean disconnected(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof io.lettuce.core.RedisConnectionException
                    || e instanceof org.redisson.client.RedisConnectionException
                    || e instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** Nobody can coordinate (Redis is out of reach): load directly; the database guard still applies. */
    private Mono<CacheEntry> direct(long id, Supplier<Mono<CacheEntry>> load) {
        events.role(scope, "direct");
        return load.get().flatMap(entry -> cache.fill(id, entry).thenReturn(entry));
    }

    /** Waits for the key's next notice or the poll; empty means "ask for the lease again". */
    private Mono<CacheEntry> await(long id, Notices.Registration registration) {
        // polls spread over ±20 %, so a crowd of followers does not ask Redis in step
        Duration poll = POLL.plusMillis(ThreadLocalRandom.current().nextLong(-POLL.toMillis() / 5, POLL.toMillis() / 5));
        return Mono.firstWithSignal(registration.next(), Mono.delay(poll).then(Mono.<Notices.Notice>empty()))
                .flatMap(notice -> answer(id, notice))
                // the poll, or a released lease: a fill whose notice went missing is in the cache
                .switchIfEmpty(Mono.defer(() -> peek(id)));
    }

    /** What a notice means for a follower; empty means "ask for the lease again". */
    private Mono<CacheEntry> answer(long id, Notices.Notice notice) {
        return switch (notice.kind()) {
            case FILLED -> peek(id).doOnNext(entry -> wokeUp(notice));
            case ABSENT -> {
                wokeUp(notice);
                yield Mono.just(CacheEntry.notFound(0));
            }
            case FAILED -> Mono.error(leaderFailed(id));
            case RELEASED -> Mono.empty();
        };
    }

    /** A follower has its answer: how long after the leader's fill (Redis's clock, in the notice). */
    private void wokeUp(Notices.Notice notice) {
        events.wokeUp(scope, Duration.ofMillis(Math.max(0, cache.now() - notice.epochMs())));
    }

    private static UnavailableException leaderFailed(long id) {
        return new UnavailableException("the database load of user " + id + " failed on the replica holding its lease",
                Duration.ofSeconds(1));
    }

    /** The cached entry, or empty (not there yet, or Redis slow: the wait is bounded anyway). */
    private Mono<CacheEntry> peek(long id) {
        return cache.peek(id).onErrorResume(error -> Mono.empty());
    }

    /**
     * The holder's work (run detached from whoever asked, see {@link #round}): re-check the
     * cache, load with the lease renewed, fill fenced. Emits the loaded (or found) entry, or the load's error after
     * telling the followers.
     */
    private Mono<CacheEntry> lead(Lease lease, Supplier<Mono<CacheEntry>> load, Caller caller) {
        long id = lease.id();
        Disposable renewals = renewWhileLoading(lease);
        return peek(id)
                .filter(cache::fresh)
                .switchIfEmpty(Mono.defer(() -> outcomeJustLeft(id)))
                .flatMap(known -> release(lease).onErrorResume(error -> Mono.empty()).thenReturn(known))
                .switchIfEmpty(Mono.defer(() -> load.get().flatMap(entry -> fill(lease, entry))))
                .onErrorResume(error -> giveUp(lease, error).then(Mono.error(error)))
                .doFinally(signal -> {
                    renewals.dispose();
                    if (caller.left) {
                        events.lease(scope, "released-on-cancel");
                    }
                });
    }

    /**
     * A caller that got the lease right after the previous holder gave it up may not have that
     * holder's notice yet (it travels on another connection): if that holder found no such user
     * (and cached nothing) under 2 s ago, that answers it instead of a second load.
     */
    private Mono<CacheEntry> outcomeJustLeft(long id) {
        return scripts.recentlyAbsent(id)
                .onErrorReturn(false)
                .filter(Boolean::booleanValue)
                .map(absent -> CacheEntry.notFound(0));
    }

    private Mono<CacheEntry> fill(Lease lease, CacheEntry entry) {
        return scripts.fill(lease, cache.prepare(entry), !entry.exists())
                .onErrorResume(error -> {
                    // could not write: the lease expires by itself; try to hand it back sooner
                    log.debug("fenced fill of user {} failed: {}", lease.id(), error.toString());
                    return release(lease).onErrorResume(e -> Mono.empty()).thenReturn(LeaseScripts.Fill.FENCED);
                })
                .map(fill -> {
                    if (fill != LeaseScripts.Fill.WRITTEN) {
                        events.lease(scope, fill.name().toLowerCase(java.util.Locale.ROOT));
                    }
                    return entry;
                });
    }

    /**
     * The load failed. A rejection by this replica's own guard is not the database's failure:
     * hand the lease back so another replica loads. Anything else fails the followers at once.
     */
    private Mono<Void> giveUp(Lease lease, Throwable error) {
        boolean local = error instanceof UnavailableException unavailable && unavailable.localRejection();
        events.lease(scope, "released");
        Mono<Void> tell = local ? Mono.empty() : scripts.announce(Notices.Kind.FAILED, lease.id());
        return tell.onErrorResume(e -> Mono.empty())
                .then(release(lease))
                .onErrorResume(e -> Mono.empty());
    }

    /**
     * Renews the lease every third of its time until disposed; stops once it is no longer held.
     * A renewal still in flight when the next tick comes (Redis or this replica's event loop slow
     * under the herd) makes that tick a no-op: the ticks must never pile up behind it, or the
     * interval overflows and the renewals stop while the load goes on.
     */
    private Disposable renewWhileLoading(Lease lease) {
        Duration every = leaseTime.dividedBy(3);
        return Flux.interval(every, every)
                .onBackpressureDrop()
                .concatMap(tick -> scripts.renew(lease, leaseTime).onErrorReturn(true), 0) // a failed call may yet hold
                .takeUntil(held -> !held)
                .subscribe(held -> events.lease(scope, held ? "extended" : "lost"),
                        error -> log.warn("renewals of the lease on user {} stopped: {}", lease.id(), error.toString()));
    }

    /** Keys with a caller here waiting on their notices (zero once a burst is over). */
    int waitingKeys() {
        return notices.waiting();
    }

    /**
     * Runs {@code work} to its end whatever happens to the subscriber: a caller that cancels
     * stops waiting for it, never the work itself.
     */
    static <T> Mono<T> detached(Mono<T> work) {
        Sinks.One<T> result = Sinks.one();
        work.subscribe(result::tryEmitValue, result::tryEmitError, result::tryEmitEmpty);
        return result.asMono();
    }

    /** Asking Redis for the lease failed (as opposed to "someone holds it"). */
    static final class LeaseUnavailable extends RuntimeException {
        LeaseUnavailable(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }
}
