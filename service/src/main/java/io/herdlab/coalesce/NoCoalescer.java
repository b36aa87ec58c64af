package io.herdlab.coalesce;

import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import reactor.core.publisher.Mono;

/** The baseline: every miss loads and fills on its own. */
public final class NoCoalescer implements Coalescer {

    private final UserCache cache;

    public NoCoalescer(UserCache cache) {
        this.cache = cache;
    }

    @Override
    public Mono<CacheEntry> load(long id, Supplier<Mono<CacheEntry>> load) {
        return load.get().flatMap(entry -> cache.fill(id, entry).thenReturn(entry));
    }

    @Override
    public Mono<Void> refresh(long id, Supplier<Mono<CacheEntry>> load) {
        return load(id, load).then();
    }
}
