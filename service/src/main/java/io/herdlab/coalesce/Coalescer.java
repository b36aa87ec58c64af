package io.herdlab.coalesce;

import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache.Lookup;
import reactor.core.publisher.Mono;

/**
 * Decides who loads a missing key, like Go's {@code singleflight.Group}: one leader per key per
 * scope runs {@code load} (the guarded database read) and fills the cache; followers get the
 * leader's value, its "absent", or its error, and never wait past a bound. The leader's load
 * runs detached from its caller: a caller (leader or follower) that goes away never stops it.
 * Implementations know nothing of their callers and record nothing themselves: what happens is
 * reported to the {@link CoalesceEvents} they are given.
 *
 * <p>The look-up is the coalescer's too, so that a lease can be handed out by the read itself
 * and a local flight in progress answers without asking Redis at all.
 */
public interface Coalescer {

    /** Reads the key: the cached entry, and what was decided about loading it (see {@link Lookup#claim}). */
    Mono<Lookup> lookup(long id);

    /** The entry for {@code id} after {@code lookup} found none (or a stale one), loaded by this caller or a leader. */
    Mono<CacheEntry> load(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load);

    /**
     * Reloads {@code id} in the background (stale-while-revalidate, early refresh) unless
     * someone in scope is loading it already; never waits for another loader.
     */
    Mono<Void> refresh(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load);
}
