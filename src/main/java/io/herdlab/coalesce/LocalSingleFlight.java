package io.herdlab.coalesce;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.guard.UnavailableException;
import io.herdlab.metrics.HerdMetrics;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * In-process single-flight: one load per key in this replica, shared by every concurrent
 * caller. The load runs detached from its callers, so a caller that cancels (or times out)
 * never cancels it; its value or error reaches every caller; the entry is removed by identity
 * before the result is published, so a later caller starts a fresh load.
 */
final class LocalSingleFlight implements Coalescer {

    /** One load in flight; {@code result} replays its single outcome to every caller. */
    private static final class Call {
        final Sinks.One<CacheEntry> result = Sinks.one();
    }

    private final ConcurrentHashMap<Long, Call> calls = new ConcurrentHashMap<>(); // the map guards itself
    private final Coalescer downstream;
    private final Duration waitTimeout;
    private final HerdMetrics metrics;

    LocalSingleFlight(Coalescer downstream, Duration waitTimeout, HerdMetrics metrics) {
        this.downstream = downstream;
        this.waitTimeout = waitTimeout;
        this.metrics = metrics;
    }

    @Override
    public Mono<CacheEntry> load(long id, Supplier<Mono<CacheEntry>> fetch) {
        return Mono.defer(() -> {
            Call call = new Call();
            Call existing = calls.putIfAbsent(id, call);
            if (existing == null) {
                metrics.coalesceRole("local", "leader");
                start(id, call, fetch);
                return call.result.asMono();
            }
            metrics.coalesceRole("local", "follower");
            long start = System.nanoTime();
            return existing.result.asMono()
                    .doOnSuccess(entry -> metrics.coalesceWait("local", Duration.ofNanos(System.nanoTime() - start)))
                    .timeout(waitTimeout, Mono.error(() -> {
                        metrics.coalesceTimeout("local");
                        return new UnavailableException("timed out after " + waitTimeout.toMillis()
                                + " ms waiting for another request to load user " + id, Duration.ofSeconds(1));
                    }));
        });
    }

    @Override
    public Mono<Void> refresh(long id, Supplier<Mono<CacheEntry>> fetch) {
        return Mono.defer(() -> {
            Call call = new Call();
            if (calls.putIfAbsent(id, call) != null) {
                return Mono.empty(); // somebody here is loading it already
            }
            metrics.coalesceRole("local", "leader");
            start(id, call, fetch);
            return call.result.asMono().then();
        });
    }

    private void start(long id, Call call, Supplier<Mono<CacheEntry>> fetch) {
        downstream.load(id, fetch).subscribe(
                entry -> {
                    calls.remove(id, call);
                    call.result.tryEmitValue(entry);
                },
                error -> {
                    calls.remove(id, call);
                    call.result.tryEmitError(error);
                },
                () -> {
                    calls.remove(id, call);
                    call.result.tryEmitError(new IllegalStateException("the load of user " + id + " ended empty"));
                });
    }

    /** Loads in flight right now (zero once a burst is over: nothing leaks). */
    int inFlight() {
        return calls.size();
    }
}
