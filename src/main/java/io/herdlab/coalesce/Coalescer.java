package io.herdlab.coalesce;

import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import reactor.core.publisher.Mono;

/**
 * Decides who loads a missing key. One leader per key per scope runs {@code fetch} (the
 * guarded database read) and fills the cache; followers get the leader's value, or its error
 * at once, and never wait past a bound. A follower that cancels never cancels the leader.
 */
public interface Coalescer {

    /** The entry for {@code id}, loaded through {@code fetch} by this caller or a leader. */
    Mono<CacheEntry> load(long id, Supplier<Mono<CacheEntry>> fetch);

    /**
     * Reloads {@code id} in the background (stale-while-revalidate, early refresh) unless
     * someone in scope is loading it already; never waits for another loader.
     */
    default Mono<Void> refresh(long id, Supplier<Mono<CacheEntry>> fetch) {
        return load(id, fetch).then();
    }
}
