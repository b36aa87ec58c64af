package io.herdlab.coalesce;

import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.metrics.HerdMetrics.CacheResult;
import reactor.core.publisher.Mono;

/**
 * The baseline: every miss loads and fills on its own. {@link #rechecking} is the loader behind a
 * local flight: its leader reads the key once more before it loads, because a caller whose
 * look-up missed just before the previous flight's fill may reach the flight just after it ended
 * (its reply was on the wire while the fill landed) and would otherwise load the key a second time.
 */
public final class NoCoalescer implements Coalescer {

    private final UserCache cache;
    private final boolean recheck;

    public NoCoalescer(UserCache cache) {
        this(cache, false);
    }

    private NoCoalescer(UserCache cache, boolean recheck) {
        this.cache = cache;
        this.recheck = recheck;
    }

    /** Loads only what is still missing when the load begins: one {@code GET} more per load. */
    public static NoCoalescer rechecking(UserCache cache) {
        return new NoCoalescer(cache, true);
    }

    @Override
    public Mono<Lookup> lookup(long id) {
        return cache.get(id);
    }

    @Override
    public Mono<CacheEntry> load(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        if (!recheck) {
            return fill(id, load);
        }
        return cache.get(id)
                .onErrorResume(error -> Mono.just(Lookup.miss()))
                .flatMap(now -> now.result() == CacheResult.HIT || now.result() == CacheResult.NEGATIVE
                        ? Mono.just(now.entry()) : fill(id, load));
    }

    /** A refresh reloads a value that is there on purpose: never re-checked. */
    @Override
    public Mono<Void> refresh(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return fill(id, load).then();
    }

    private Mono<CacheEntry> fill(long id, Supplier<Mono<CacheEntry>> load) {
        return load.get().flatMap(entry -> cache.fill(id, entry).thenReturn(entry));
    }
}
