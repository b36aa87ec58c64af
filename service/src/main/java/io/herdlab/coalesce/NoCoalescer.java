package io.herdlab.coalesce;

import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import io.herdlab.cache.UserCache.Lookup;
import reactor.core.publisher.Mono;

/** The baseline: every miss loads and fills on its own. */
public final class NoCoalescer implements Coalescer {

    private final UserCache cache;

    public NoCoalescer(UserCache cache) {
        this.cache = cache;
    }

    @Override
    public Mono<Lookup> lookup(long id) {
        return cache.get(id);
    }

    @Override
    public Mono<CacheEntry> load(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return load.get().flatMap(entry -> cache.fill(id, entry).thenReturn(entry));
    }

    @Override
    public Mono<Void> refresh(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return load(id, lookup, load).then();
    }
}
