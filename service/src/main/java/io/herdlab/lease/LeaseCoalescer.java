package io.herdlab.lease;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.contract.LeaseOutcome;
import io.herdlab.guard.UnavailableException;
import io.herdlab.metrics.CoalesceRole;
import io.herdlab.metrics.CoalesceScope;
import io.herdlab.metrics.HerdMetrics.CacheResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A distributed lease in Redis decides the one loader per key across all replicas, in the
 * fewest round trips: a read is a plain {@code GET} ({@link LeaseStore#lookup}); a caller that
 * found nothing to serve asks for the value or the lease in one round trip
 * ({@link LeaseStore#claim}), so that callers in front of it that share one load (a local flight,
 * {@code tiered}) ask once per replica; its winner loads and fills through the fenced script,
 * which also hands the entry to the followers ({@link Leader}); the others wait for that notice,
 * with a backstop timed from the holder's lease ({@link Follower}). A follower asks Redis again
 * only when the holder released the lease or its backstop fired; when Redis cannot be reached at
 * all, the caller loads directly (the database guard still applies).
 *
 * <p>On a Redis Cluster ({@code clustered}) a node that cannot be reached is a failover under way,
 * not Redis gone: its slots come back on a promoted replica within seconds while the other
 * masters serve on, so a caller whose key is on it waits as a follower would (and asks again at
 * its backstop) instead of loading directly: every caller of a hot key loading at once is the
 * herd itself.
 */
final class LeaseCoalescer implements Coalescer {

    private static final Logger log = LoggerFactory.getLogger(LeaseCoalescer.class);

    private final CoalesceScope scope;
    private final LeaseStore store;
    private final UserCache cache;
    private final Renewals renewals;
    private final Leader leader;
    private final Follower follower;
    private final Notices notices;
    private final Duration leaseTime;
    private final Duration waitTimeout;
    private final BooleanSupplier redisReachable;
    private final boolean clustered;
    private final Scheduler timers;
    private final CoalesceEvents events;

    /**
     * @param threads        the protocol's timers and clock, and where followers are woken
     * @param redisReachable false while the client has no connection to Redis: load directly
     */
    LeaseCoalescer(CoalesceScope scope, LeaseStore store, UserCache cache, Notices notices, Duration leaseTime,
            Duration waitTimeout, BooleanSupplier redisReachable, LeaseThreads threads, CoalesceEvents events) {
        this(scope, store, cache, notices, leaseTime, waitTimeout, redisReachable, false, threads, events);
    }

    /** @param clustered a Redis Cluster: a node out of reach makes callers wait, not load directly */
    LeaseCoalescer(CoalesceScope scope, LeaseStore store, UserCache cache, Notices notices, Duration leaseTime,
            Duration waitTimeout, BooleanSupplier redisReachable, boolean clustered, LeaseThreads threads,
            CoalesceEvents events) {
        this.scope = scope;
        this.clustered = clustered;
        this.store = store;
        this.cache = cache;
        this.notices = notices;
        this.leaseTime = leaseTime;
        this.waitTimeout = waitTimeout;
        this.redisReachable = redisReachable;
        this.timers = threads.timers();
        this.events = events;
        this.renewals = new Renewals(scope, store, leaseTime, timers, events);
        this.leader = new Leader(scope, store, cache, renewals, events);
        this.follower = new Follower(scope, notices, threads, events);
    }

    @Override
    public Mono<Lookup> lookup(long id) {
        return store.lookup(id).onErrorResume(error -> Mono.just(new Lookup(CacheResult.ERROR, null)));
    }

    @Override
    public Mono<CacheEntry> load(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> {
            Caller caller = new Caller(id, load, timers.now(TimeUnit.MILLISECONDS));
            return ask(caller)
                    .timeout(waitTimeout, Mono.error(() -> {
                        events.followerTimedOut(scope);
                        return new UnavailableException("timed out after " + waitTimeout.toMillis()
                                + " ms waiting for the lease holder to load user " + id, Duration.ofSeconds(1));
                    }), timers)
                    .doOnSuccess(entry -> {
                        if (caller.followed) {
                            events.followerWaited(scope,
                                    Duration.ofMillis(timers.now(TimeUnit.MILLISECONDS) - caller.startedAt));
                        }
                    });
        });
    }

    @Override
    public Mono<Void> refresh(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> {
            if (!redisReachable.getAsBoolean()) {
                return Mono.<Void>empty();
            }
            return store.acquire(id).doOnNext(c -> count(id, c)).flatMap(c -> c instanceof LeaseClaim.Won won
                    ? detached(leader.lead(won.lease(), load), () -> { }).then() : Mono.<Void>empty());
        }).onErrorResume(error -> Mono.empty());
    }

    /** One caller's wait, across its steps. */
    private static final class Caller {
        final long id;
        final Supplier<Mono<CacheEntry>> load;
        final long startedAt;
        volatile boolean followed;

        Caller(long id, Supplier<Mono<CacheEntry>> load, long startedAt) {
            this.id = id;
            this.load = load;
            this.startedAt = startedAt;
        }
    }

    /** Asks the store for the value or the lease; Redis's failure is {@link LeaseClaim.Unavailable}, saying why. */
    private Mono<LeaseClaim> claim(long id) {
        return store.claim(id)
                .doOnNext(claim -> count(id, claim))
                .onErrorResume(error -> {
                    log.debug("look-up of user {} failed: {}", id, error.toString());
                    return Mono.just(new LeaseClaim.Unavailable(error));
                });
    }

    private void count(long id, LeaseClaim claim) {
        if (claim instanceof LeaseClaim.Won) {
            events.lease(scope, LeaseOutcome.ACQUIRED, id);
        }
        else if (claim instanceof LeaseClaim.Busy) {
            events.lease(scope, LeaseOutcome.BUSY, id);
        }
    }

    /** Acts on a claim: answer, lead, follow, or load directly. */
    private Mono<CacheEntry> step(Caller caller, LeaseClaim claim) {
        if (claim instanceof LeaseClaim.Found found) {
            return Mono.just(found.entry());
        }
        if (claim instanceof LeaseClaim.Won won) {
            events.role(scope, CoalesceRole.LEADER);
            if (caller.followed) {
                events.lease(scope, LeaseOutcome.TAKEOVER, caller.id);
            }
            return detached(leader.lead(won.lease(), caller.load),
                    () -> events.lease(scope, LeaseOutcome.CALLER_LEFT, caller.id));
        }
        if (claim instanceof LeaseClaim.Busy busy) {
            if (!caller.followed) {
                caller.followed = true;
                events.role(scope, CoalesceRole.FOLLOWER);
            }
            return follower.await(caller.id, busy)
                    .flatMap(notice -> answer(caller.id, notice))
                    .switchIfEmpty(Mono.defer(() -> ask(caller)));
        }
        LeaseClaim.Unavailable unavailable = (LeaseClaim.Unavailable) claim;
        if (!redisReachable.getAsBoolean() || !clustered && disconnected(unavailable.error())) {
            return direct(caller);
        }
        // slow, not gone: somebody may hold the lease, so wait as a follower would
        events.lease(scope, LeaseOutcome.ERROR, caller.id);
        return step(caller, new LeaseClaim.Busy("", leaseTime.toMillis(), timers.now(TimeUnit.MILLISECONDS)));
    }

    /**
     * Asks for the value or the lease: first, and again when the holder released its lease or the
     * backstop fired (the answer may be cached by now).
     */
    private Mono<CacheEntry> ask(Caller caller) {
        if (!redisReachable.getAsBoolean()) {
            return direct(caller);
        }
        return claim(caller.id).flatMap(claim -> step(caller, claim));
    }

    /** What a notice means for a follower; empty means "ask again". */
    private Mono<CacheEntry> answer(long id, Notices.Notice notice) {
        return switch (notice.kind()) {
            case FILLED -> {
                CacheEntry entry = notice.payload().isEmpty() ? null : CacheEntry.decode(notice.payload());
                if (entry == null) {
                    yield Mono.empty(); // nothing was cacheable to hand over: read it again
                }
                wokeUp(notice);
                yield Mono.just(entry);
            }
            case ABSENT -> {
                wokeUp(notice);
                yield Mono.just(CacheEntry.notFound(0));
            }
            case FAILED -> Mono.error(new UnavailableException("the database load of user " + id
                    + " failed on the replica holding its lease", Duration.ofSeconds(1)));
            case RELEASED, EXTENDED -> Mono.empty();
        };
    }

    /** A follower has its answer: how long after the leader's fill (Redis's clock, in the notice). */
    private void wokeUp(Notices.Notice notice) {
        events.wokeUp(scope, Duration.ofMillis(Math.max(0, cache.now() - notice.epochMs())));
    }

    /** Nobody can coordinate (Redis is out of reach): load directly; the database guard still applies. */
    private Mono<CacheEntry> direct(Caller caller) {
        events.role(scope, CoalesceRole.DIRECT);
        events.lease(scope, LeaseOutcome.DIRECT, caller.id);
        return Mono.defer(caller.load).flatMap(entry -> cache.fill(caller.id, entry).thenReturn(entry));
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

    /** Keys with a caller here waiting on their notices (zero once a burst is over). */
    int waitingKeys() {
        return notices.waiting();
    }

    /** Leases this replica renews right now (zero once the loads are done). */
    int heldLeases() {
        return renewals.held();
    }

    /**
     * Runs {@code work} to its end whatever happens to the subscriber: a caller that cancels
     * stops waiting for it, never the work itself; {@code left} runs when it cancels before the end.
     */
    static <T> Mono<T> detached(Mono<T> work, Runnable left) {
        Sinks.One<T> result = Sinks.one();
        AtomicBoolean done = new AtomicBoolean();
        work.subscribe(value -> {
            done.set(true);
            result.tryEmitValue(value);
        }, error -> {
            done.set(true);
            result.tryEmitError(error);
        }, () -> {
            done.set(true);
            result.tryEmitEmpty();
        });
        return result.asMono().doOnCancel(() -> {
            if (!done.get()) {
                left.run();
            }
        });
    }
}
