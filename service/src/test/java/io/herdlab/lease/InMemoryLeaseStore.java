package io.herdlab.lease;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.cache.UserCache.Prepared;
import io.herdlab.metrics.HerdMetrics.CacheResult;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * {@code lookup.lua}, {@code fenced-fill.lua}, {@code renew.lua} and {@code release.lua} in a map,
 * on virtual time: every call answers after a round trip, and every notice reaches each
 * replica's {@link Notices} after a pub/sub delay. The protocol's tests run against it in
 * milliseconds; the scripts themselves are proven against Redis by the replica suites.
 */
final class InMemoryLeaseStore implements LeaseStore {

    private record Held(String token, long expiresAt) {
    }

    private final VirtualTimeScheduler time;
    private final UserCache cache;
    private final Duration leaseTime;
    private final Map<Long, String> values = new HashMap<>(); // guarded by this
    private final Map<Long, Held> leases = new HashMap<>(); // guarded by this
    private final List<Notices> subscribers = new ArrayList<>();
    private final AtomicInteger tokens = new AtomicInteger();
    final Map<String, AtomicInteger> calls = new HashMap<>();
    /** How many leases each renewal call carried, in order. */
    final List<Integer> renewCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
    Duration roundTrip = Duration.ofMillis(1);
    Duration pubSubDelay = Duration.ofMillis(1);
    /** How long a renewal takes (a slow Redis). */
    Duration renewTime = Duration.ofMillis(1);
    /** How late the replica reads each reply after Redis ran the command (a replica busy under the herd). */
    Duration replyLag = Duration.ZERO;
    /** How much later still the replica reads the reply of a claim (value or lease). */
    Duration claimReplyLag = Duration.ZERO;
    /** A Redis that answers nothing but this error. */
    volatile Throwable down;

    InMemoryLeaseStore(VirtualTimeScheduler time, UserCache cache, Duration leaseTime) {
        this.time = time;
        this.cache = cache;
        this.leaseTime = leaseTime;
        for (String call : List.of("lookup", "claim", "acquire", "fill", "renew", "release")) {
            calls.put(call, new AtomicInteger());
        }
    }

    /** A replica's notices, fed by this store's fills channel. */
    Notices subscribe() {
        Notices notices = new Notices(this::now);
        subscribers.add(notices);
        return notices;
    }

    int calls(String call) {
        return calls.get(call).get();
    }

    long now() {
        return time.now(TimeUnit.MILLISECONDS);
    }

    /** Takes the lease for someone who will never fill (a holder that dies). */
    synchronized Lease takeAndVanish(long id) {
        Lease lease = new Lease(id, "vanished-" + tokens.incrementAndGet(), "", now());
        leases.put(id, new Held(lease.token(), now() + leaseTime.toMillis()));
        return lease;
    }

    /** The lease expires now, as if its holder had stopped renewing long ago. */
    synchronized void expire(long id) {
        leases.remove(id);
    }

    synchronized String cached(long id) {
        return values.get(id);
    }

    private <T> Mono<T> call(String name, Supplier<T> work, Duration after) {
        return Mono.defer(() -> {
            calls.get(name).incrementAndGet();
            Throwable error = down;
            return Mono.delay(after, time).then(error != null ? Mono.error(error) : Mono.fromSupplier(work))
                    .delayElement(name.equals("claim") ? replyLag.plus(claimReplyLag) : replyLag, time);
        });
    }

    @Override
    public Mono<Lookup> lookup(long id) {
        return call("lookup", () -> {
            synchronized (this) {
                String raw = values.get(id);
                return raw == null ? Lookup.miss() : cache.classify(CacheEntry.decode(raw));
            }
        }, roundTrip);
    }

    @Override
    public Mono<LeaseClaim> claim(long id) {
        long askedAt = now();
        return call("claim", () -> {
            synchronized (this) {
                String raw = values.get(id);
                if (raw != null) {
                    Lookup found = cache.classify(CacheEntry.decode(raw));
                    if (found.result() != CacheResult.STALE) {
                        return new LeaseClaim.Found(found.entry());
                    }
                }
                return claim(id, askedAt);
            }
        }, roundTrip);
    }

    @Override
    public Mono<LeaseClaim> acquire(long id) {
        long askedAt = now();
        return call("acquire", () -> {
            synchronized (this) {
                return claim(id, askedAt);
            }
        }, roundTrip);
    }

    private LeaseClaim claim(long id, long askedAt) {
        Held held = leases.get(id);
        if (held == null || held.expiresAt() <= now()) {
            String token = "t" + tokens.incrementAndGet();
            leases.put(id, new Held(token, now() + leaseTime.toMillis()));
            return new LeaseClaim.Won(new Lease(id, token, "", askedAt));
        }
        return new LeaseClaim.Busy(held.token(), held.expiresAt() - now(), askedAt);
    }

    private boolean holds(Lease lease) {
        Held held = leases.get(lease.id());
        return held != null && held.expiresAt() > now() && held.token().equals(lease.token());
    }

    @Override
    public Mono<LeaseScripts.Fill> fill(Lease lease, Prepared prepared, boolean absent) {
        return call("fill", () -> {
            synchronized (this) {
                if (!holds(lease)) {
                    Held other = leases.get(lease.id());
                    if (other != null && other.expiresAt() > now()) {
                        return LeaseScripts.Fill.LOST;
                    }
                    publish(Notices.Kind.RELEASED, lease, "");
                    return LeaseScripts.Fill.FENCED;
                }
                if (prepared.cacheable()) {
                    values.put(lease.id(), prepared.value());
                }
                leases.remove(lease.id());
                publish(absent ? Notices.Kind.ABSENT : Notices.Kind.FILLED, lease,
                        prepared.cacheable() ? prepared.value() : "");
                return LeaseScripts.Fill.WRITTEN;
            }
        }, roundTrip);
    }

    @Override
    public Mono<List<Boolean>> renew(List<Lease> toRenew) {
        renewCalls.add(toRenew.size());
        return call("renew", () -> {
            synchronized (this) {
                List<Boolean> held = new ArrayList<>();
                List<Lease> extended = new ArrayList<>();
                for (Lease lease : toRenew) {
                    held.add(holds(lease));
                    if (holds(lease)) {
                        this.leases.put(lease.id(), new Held(lease.token(), now() + leaseTime.toMillis()));
                        extended.add(lease);
                    }
                }
                if (!extended.isEmpty()) {
                    publish(Notices.encodeExtended(extended, now(), leaseTime.toMillis()));
                }
                return held;
            }
        }, renewTime);
    }

    @Override
    public Mono<Void> release(Lease lease, Notices.Kind why) {
        return call("release", () -> {
            synchronized (this) {
                if (holds(lease)) {
                    leases.remove(lease.id());
                    publish(why, lease, "");
                }
                return true;
            }
        }, roundTrip).then();
    }

    private void publish(Notices.Kind kind, Lease lease, String payload) {
        publish(Notices.encode(kind, lease.id(), now(), lease.token(), payload));
    }

    private void publish(String message) {
        for (Notices notices : subscribers) {
            time.schedule(() -> notices.dispatch(message), pubSubDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
