package io.herdlab.coalesce;

import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache;
import reactor.core.publisher.Mono;

/** The baseline: every miss loads and fills on its own. */
final class NoCoalescer implements Coalescer {

    private final UserCache cache;

    NoCoalescer(UserCache cache) {
        this.cache = cache;
    }

    @Override
    public Mono<CacheEntry> load(long id, Supplier<Mono<CacheEntry>> fetch) {
        return fetch.get().flatMap(entry -> cache.fill(id, entry).thenReturn(entry));
    }
}
