package io.herdlab.lease;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.contract.LeaseOutcome;
import io.herdlab.metrics.CoalesceScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Keeps the leases this replica holds while their loads run: a lease is renewed when a third of
 * the lease time has passed since it was asked for or last renewed, and every lease due is
 * renewed in the same call ({@code renew.lua}, up to {@link #BATCH} leases a call, as Redisson's
 * watchdog renews its locks). Under a herd a replica holds hundreds of leases whose loads wait
 * seconds for a database connection: one renewal call per lease cost more Redis commands than
 * the look-ups and fills together; one call per tick costs a handful per herd.
 *
 * <p>A tick comes every twelfth of the lease time while a lease is held and renews the leases that
 * fall due before the next one: a lease is renewed between a quarter and a third of its time after
 * the last grant, with two thirds of it left for the renewal to reach Redis. A tick sends its renewals without waiting for the last tick's replies (a renewal is idempotent,
 * and a replica busy under the herd reads replies seconds late: a tick that waited would reach
 * Redis after the leases ran out). A lease whose renewal finds it gone is lost and no longer
 * renewed; a call that failed may yet have renewed, so its leases are renewed again when next due.
 */
final class Renewals {

    private static final Logger log = LoggerFactory.getLogger(Renewals.class);
    /** The most leases one renewal call carries. */
    static final int BATCH = 100;

    private final CoalesceScope scope;
    private final LeaseStore store;
    private final long renewEveryMs;
    private final Duration tick;
    private final Scheduler timers;
    private final CoalesceEvents events;
    /** Leases held, by when their next renewal is due (the scheduler's clock, ms). */
    private final Map<Lease, Long> due = new ConcurrentHashMap<>();
    /** Ticks while a lease is held; null when none is. */
    private Disposable ticker; // guarded by this

    Renewals(CoalesceScope scope, LeaseStore store, Duration leaseTime, Scheduler timers, CoalesceEvents events) {
        this.scope = scope;
        this.store = store;
        this.renewEveryMs = leaseTime.dividedBy(3).toMillis();
        this.tick = leaseTime.dividedBy(12);
        this.timers = timers;
        this.events = events;
    }

    /**
     * Renews {@code lease} until the returned handle is disposed. Its clock starts when the
     * look-up that won it was sent, not when the reply was read: a reply read late (a busy
     * replica) leaves a lease already due, renewed with the next tick's others, or at once when
     * less than a third of its time is left.
     */
    Disposable hold(Lease lease) {
        long now = timers.now(TimeUnit.MILLISECONDS);
        if (lease.askedAt() + 2 * renewEveryMs <= now) {
            due.put(lease, now + renewEveryMs);
            send(List.of(lease));
        }
        else {
            due.put(lease, lease.askedAt() + renewEveryMs);
        }
        synchronized (this) {
            if (ticker == null) {
                ticker = Flux.interval(tick, tick, timers).onBackpressureDrop().subscribe(t -> {
                    try {
                        tick();
                    }
                    catch (RuntimeException ex) { // the ticker must outlive any one tick
                        log.warn("lease renewals failed to run: {}", ex.toString());
                    }
                });
            }
        }
        return () -> due.remove(lease);
    }

    /** Leases held now (zero once the loads are done: nothing leaks). */
    int held() {
        return due.size();
    }

    private void tick() {
        long now = timers.now(TimeUnit.MILLISECONDS);
        List<Lease> batch = new ArrayList<>();
        for (Map.Entry<Lease, Long> e : due.entrySet()) {
            // replace, not put: a lease whose load ended meanwhile stays gone
            if (e.getValue() < now + tick.toMillis() && due.replace(e.getKey(), e.getValue(), now + renewEveryMs)) {
                batch.add(e.getKey());
                if (batch.size() == BATCH) {
                    send(batch);
                    batch = new ArrayList<>();
                }
            }
        }
        if (!batch.isEmpty()) {
            send(batch);
        }
        synchronized (this) {
            // hold() adds its lease before it looks at the ticker: an empty map here means no lease is held
            if (due.isEmpty() && ticker != null) {
                ticker.dispose();
                ticker = null;
            }
        }
    }

    private void send(List<Lease> leases) {
        store.renew(leases).subscribe(held -> {
            for (int i = 0; i < leases.size(); i++) {
                Lease lease = leases.get(i);
                if (held.get(i)) {
                    events.lease(scope, LeaseOutcome.EXTENDED, lease.id());
                }
                else if (due.remove(lease) != null) {
                    events.lease(scope, LeaseOutcome.LOST, lease.id());
                }
            }
        }, error -> log.debug("renewal of {} leases failed (renewed again when next due): {}", leases.size(),
                error.toString()));
    }
}
