package io.herdlab.coalesce;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.guard.UnavailableException;
import io.herdlab.metrics.CoalesceRole;
import io.herdlab.metrics.CoalesceScope;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * In-process single-flight: one load per key in this replica, shared by every concurrent
 * caller. The load runs detached from its callers, so a caller that cancels (or times out)
 * never cancels it; its value or error reaches every caller; the entry is removed by identity
 * before the result is published, so a later caller starts a fresh load. The callers that joined
 * are answered on {@code wakeups}, not on the thread that completed the load: that is the Redis
 * client's I/O thread (the fill's reply, or the lease's notice), and answering a hot key's
 * hundreds of callers there held every other Redis reply of this replica for seconds.
 */
public final class LocalSingleFlight implements Coalescer {

    /** One load in flight; {@code result} replays its single outcome to every caller. */
    private static final class Call {
        /** A background refresh: it answers nobody, so readers neither join it nor skip Redis for it. */
        final boolean refresh;
        final Sinks.One<CacheEntry> result = Sinks.one();
        /** When the leader's load (and its fill) completed, for the followers' wake-up. */
        volatile long doneNanos;

        Call(boolean refresh) {
            this.refresh = refresh;
        }
    }

    /** Loads in flight by key; the map guards itself, entries leave by identity. */
    private final ConcurrentHashMap<Long, Call> calls = new ConcurrentHashMap<>();
    private final Coalescer downstream;
    private final Duration waitTimeout;
    private final CoalesceEvents events;
    private final Scheduler wakeups;
    /** The {@code mode} its events are reported under. */
    private final CoalesceScope scope;

    /**
     * @param downstream who loads for the leader: the database directly, or a lease across replicas
     * @param wakeups    where the callers that joined a flight are answered
     */
    public LocalSingleFlight(Coalescer downstream, Duration waitTimeout, CoalesceEvents events, Scheduler wakeups) {
        this(CoalesceScope.LOCAL, downstream, waitTimeout, events, wakeups);
    }

    /** A flight whose events are reported under {@code scope}. */
    public LocalSingleFlight(CoalesceScope scope, Coalescer downstream, Duration waitTimeout, CoalesceEvents events,
            Scheduler wakeups) {
        this.scope = scope;
        this.downstream = downstream;
        this.waitTimeout = waitTimeout;
        this.events = events;
        this.wakeups = wakeups;
    }

    /** A load in flight here answers the look-up (a miss) without asking Redis. */
    @Override
    public Mono<Lookup> lookup(long id) {
        Call call = calls.get(id);
        return call != null && !call.refresh ? Mono.just(Lookup.miss()) : downstream.lookup(id);
    }

    @Override
    public Mono<CacheEntry> load(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> {
            Call call = new Call(false);
            Call existing = calls.putIfAbsent(id, call);
            if (existing == null) {
                events.role(scope, CoalesceRole.LEADER);
                start(id, call, downstream.load(id, lookup, load));
                return call.result.asMono();
            }
            if (existing.refresh) {
                return downstream.load(id, lookup, load); // a refresh answers nobody
            }
            events.role(scope, CoalesceRole.FOLLOWER);
            long start = System.nanoTime();
            return existing.result.asMono()
                    .publishOn(wakeups)
                    .doOnSuccess(entry -> {
                        long now = System.nanoTime();
                        events.followerWaited(scope, Duration.ofNanos(now - start));
                        if (entry != null) {
                            events.wokeUp(scope, Duration.ofNanos(now - existing.doneNanos));
                        }
                    })
                    .timeout(waitTimeout, Mono.error(() -> {
                        events.followerTimedOut(scope);
                        return new UnavailableException("timed out after " + waitTimeout.toMillis()
                                + " ms waiting for another request to load user " + id, Duration.ofSeconds(1));
                    }));
        });
    }

    @Override
    public Mono<Void> refresh(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> {
            Call call = new Call(true);
            if (calls.putIfAbsent(id, call) != null) {
                return Mono.empty(); // somebody here is loading it already
            }
            events.role(scope, CoalesceRole.LEADER);
            start(id, call, downstream.refresh(id, lookup, load).then(Mono.<CacheEntry>empty()));
            return call.result.asMono().then();
        });
    }

    private void start(long id, Call call, Mono<CacheEntry> work) {
        work.subscribe(
                entry -> {
                    call.doneNanos = System.nanoTime();
                    calls.remove(id, call);
                    call.result.tryEmitValue(entry);
                },
                error -> {
                    calls.remove(id, call);
                    call.result.tryEmitError(error);
                },
                () -> {
                    calls.remove(id, call);
                    call.result.tryEmitEmpty();
                });
    }

    /** Loads in flight right now (zero once a burst is over: nothing leaks). */
    int inFlight() {
        return calls.size();
    }
}
