package io.herdlab.lease;

import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.contract.LeaseOutcome;
import io.herdlab.guard.UnavailableException;
import io.herdlab.metrics.CoalesceScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A lease holder's work: load, its lease kept by the replica's {@link Renewals} while the load runs,
 * then fill through the fenced script, which also hands the entry to every follower. A load that
 * fails gives the lease up: a rejection by this replica's own guard (bulkhead, open breaker) tells
 * the followers to ask again, any other failure fails them at once.
 */
final class Leader {

    private static final Logger log = LoggerFactory.getLogger(Leader.class);

    private final CoalesceScope scope;
    private final LeaseStore store;
    private final UserCache cache;
    private final Renewals renewals;
    private final CoalesceEvents events;

    Leader(CoalesceScope scope, LeaseStore store, UserCache cache, Renewals renewals, CoalesceEvents events) {
        this.scope = scope;
        this.store = store;
        this.cache = cache;
        this.renewals = renewals;
        this.events = events;
    }

    /** The loaded entry (whether or not it could be cached), or the load's error after telling the followers. */
    Mono<CacheEntry> lead(Lease lease, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> {
            Disposable held = renewals.hold(lease);
            return Mono.defer(load)
                    // renewals stop before the fill, which checks the lease itself (a renewal racing
                    // it would only find it filled)
                    .doOnNext(entry -> held.dispose())
                    .flatMap(entry -> fill(lease, entry))
                    .onErrorResume(error -> giveUp(lease, error).then(Mono.error(error)))
                    .doFinally(signal -> held.dispose());
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
}
