package io.herdlab.lease;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.guard.UnavailableException;
import io.herdlab.contract.LeaseOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A lease holder's work: load, renewing the lease every third of its time while the load runs,
 * then fill through the fenced script, which also hands the entry to every follower. A load that
 * fails gives the lease up: a rejection by this replica's own guard (bulkhead, open breaker) tells
 * the followers to ask again, any other failure fails them at once.
 */
final class Leader {

    private static final Logger log = LoggerFactory.getLogger(Leader.class);

    private final String scope;
    private final LeaseStore store;
    private final UserCache cache;
    private final Duration renewEvery;
    private final Scheduler timers;
    private final CoalesceEvents events;

    Leader(String scope, LeaseStore store, UserCache cache, Duration leaseTime, Scheduler timers,
            CoalesceEvents events) {
        this.scope = scope;
        this.store = store;
        this.cache = cache;
        this.renewEvery = leaseTime.dividedBy(3);
        this.timers = timers;
        this.events = events;
    }

    /** The loaded entry (whether or not it could be cached), or the load's error after telling the followers. */
    Mono<CacheEntry> lead(Lease lease, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> {
            Disposable renewals = renewWhileLoading(lease);
            return Mono.defer(load)
                    // the fill checks the lease itself: a renewal racing it would only find it filled
                    .doOnNext(entry -> renewals.dispose())
                    .flatMap(entry -> fill(lease, entry))
                    .onErrorResume(error -> giveUp(lease, error).then(Mono.error(error)))
                    .doFinally(signal -> renewals.dispose());
        });
    }

    private Mono<CacheEntry> fill(Lease lease, CacheEntry entry) {
        return store.fill(lease, cache.prepare(entry), !entry.exists())
                .onErrorResume(error -> {
                    // could not write: the lease expires by itself; try to hand it back sooner
                    log.debug("fenced fill of user {} failed: {}", lease.id(), error.toString());
                    return store.release(lease, Notices.Kind.RELEASED).onErrorResume(e -> Mono.empty())
                            .thenReturn(LeaseScripts.Fill.FENCED);
                })
                .map(fill -> {
                    if (fill != LeaseScripts.Fill.WRITTEN) {
                        events.lease(scope, fill.outcome(), lease.id());
                    }
                    return entry;
                });
    }

    private Mono<Void> giveUp(Lease lease, Throwable error) {
        boolean local = error instanceof UnavailableException unavailable && unavailable.localRejection();
        events.lease(scope, LeaseOutcome.RELEASED, lease.id());
        return store.release(lease, local ? Notices.Kind.RELEASED : Notices.Kind.FAILED)
                .onErrorResume(e -> Mono.empty());
    }

    /**
     * Renews the lease every third of its time until disposed; stops once it is no longer held.
     * The clock starts when the look-up that won it was sent, not when its reply was read: under
     * the herd a replica may read that reply seconds late, and a first renewal timed from then
     * would come after the lease ran out. Each tick sends its renewal whether or not the last
     * one's reply has been read (a renewal is idempotent): Redis applies a renewal when it gets
     * it, but a busy replica may read the reply seconds later, and a tick that waited for that
     * reply would reach Redis after the lease ran out.
     */
    private Disposable renewWhileLoading(Lease lease) {
        long first = Math.max(0, lease.askedAt() + renewEvery.toMillis() - timers.now(TimeUnit.MILLISECONDS));
        return Flux.interval(Duration.ofMillis(first), renewEvery, timers)
                .onBackpressureDrop()
                .flatMap(tick -> store.renew(lease).onErrorReturn(true)) // a failed call may yet hold
                .takeUntil(held -> !held)
                .subscribe(held -> events.lease(scope, held ? LeaseOutcome.EXTENDED : LeaseOutcome.LOST, lease.id()),
                        error -> log.warn("renewals of the lease on user {} stopped: {}", lease.id(), error.toString()));
    }
}
