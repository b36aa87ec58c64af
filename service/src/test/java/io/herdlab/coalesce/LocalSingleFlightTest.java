package io.herdlab.coalesce;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.guard.UnavailableException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static io.herdlab.metrics.CoalesceScope.LOCAL;
import static org.assertj.core.api.Assertions.assertThat;

/** The in-process single-flight contract, with a controllable loader in place of the database. */
class LocalSingleFlightTest {

    static final Lookup MISS = Lookup.miss();
    final RecordedEvents metrics = new RecordedEvents();
    /** Downstream that just runs the fetch (what NoCoalescer does, minus the cache fill). */
    final Coalescer direct = new Coalescer() {
        @Override
        public Mono<Lookup> lookup(long id) {
            return Mono.just(Lookup.miss());
        }

        @Override
        public Mono<CacheEntry> load(long id, Lookup lookup, Supplier<Mono<CacheEntry>> fetch) {
            return fetch.get();
        }

        @Override
        public Mono<Void> refresh(long id, Lookup lookup, Supplier<Mono<CacheEntry>> fetch) {
            return fetch.get().then();
        }
    };

    @Test
    void concurrentCallersShareOneLoad() {
        LocalSingleFlight flight = new LocalSingleFlight(direct, Duration.ofSeconds(5), metrics, Schedulers.parallel());
        AtomicInteger loads = new AtomicInteger();
        Sinks.One<CacheEntry> db = Sinks.one();
        Supplier<Mono<CacheEntry>> fetch = () -> {
            loads.incrementAndGet();
            return db.asMono();
        };
        List<Mono<CacheEntry>> callers = java.util.stream.IntStream.range(0, 50)
                .mapToObj(i -> flight.load(1, MISS, fetch).cache()).toList();
        callers.forEach(Mono::subscribe);
        db.tryEmitValue(CacheEntry.found("{\"id\":1}", 1, 3));

        StepVerifier.create(Flux.concat(callers)).expectNextCount(50).verifyComplete();
        assertThat(loads).hasValue(1);
        assertThat(flight.inFlight()).isZero();
        assertThat(metrics.count(LOCAL, "leader")).isEqualTo(1);
        assertThat(metrics.count(LOCAL, "follower")).isEqualTo(49);
    }

    @Test
    void theLeadersErrorReachesEveryFollowerAtOnce() {
        LocalSingleFlight flight = new LocalSingleFlight(direct, Duration.ofSeconds(30), metrics, Schedulers.parallel());
        Sinks.One<CacheEntry> db = Sinks.one();
        List<Mono<CacheEntry>> callers = java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> flight.load(2, MISS, db::asMono).cache()).toList();
        callers.forEach(c -> c.subscribe(v -> { }, e -> { }));
        db.tryEmitError(new UnavailableException("database down", Duration.ofSeconds(1)));

        for (Mono<CacheEntry> caller : callers) {
            StepVerifier.create(caller).expectErrorMessage("database down").verify(Duration.ofSeconds(1));
        }
        assertThat(flight.inFlight()).isZero();
    }

    @Test
    void aCancelledFollowerDoesNotCancelTheLeadersLoad() {
        LocalSingleFlight flight = new LocalSingleFlight(direct, Duration.ofSeconds(5), metrics, Schedulers.parallel());
        AtomicBoolean cancelled = new AtomicBoolean();
        Sinks.One<CacheEntry> db = Sinks.one();
        Mono<CacheEntry> load = db.asMono().doOnCancel(() -> cancelled.set(true));

        var leader = flight.load(3, MISS, () -> load).subscribe();
        var follower = flight.load(3, MISS, () -> load).subscribe();
        follower.dispose();
        leader.dispose(); // even the caller that started it may go away
        assertThat(cancelled).isFalse();
        assertThat(flight.inFlight()).isEqualTo(1);

        db.tryEmitValue(CacheEntry.found("{}", 1, 1));
        assertThat(cancelled).isFalse();
        assertThat(flight.inFlight()).isZero();
    }

    @Test
    void aFollowersWaitIsBounded() {
        LocalSingleFlight flight = new LocalSingleFlight(direct, Duration.ofMillis(200), metrics, Schedulers.parallel());
        flight.load(4, MISS, Mono::never).subscribe();
        StepVerifier.create(flight.load(4, MISS, Mono::never))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnavailableException.class)
                        .hasMessageContaining("timed out after 200 ms"))
                .verify(Duration.ofSeconds(2));
        assertThat(metrics.count(LOCAL, "timeout")).isEqualTo(1);
    }

    @Test
    void aFinishedLoadNeverRemovesANewerOneUnderTheSameKey() {
        LocalSingleFlight flight = new LocalSingleFlight(direct, Duration.ofSeconds(5), metrics, Schedulers.parallel());
        Sinks.One<CacheEntry> first = Sinks.one();
        flight.load(5, MISS, first::asMono).subscribe();
        first.tryEmitValue(CacheEntry.found("{\"v\":1}", 1, 1));
        assertThat(flight.inFlight()).isZero();

        Sinks.One<CacheEntry> second = Sinks.one();
        AtomicInteger secondLoads = new AtomicInteger();
        Mono<CacheEntry> next = flight.load(5, MISS, () -> {
            secondLoads.incrementAndGet();
            return second.asMono();
        }).cache();
        next.subscribe();
        assertThat(flight.inFlight()).isEqualTo(1);
        second.tryEmitValue(CacheEntry.found("{\"v\":2}", 2, 1));
        StepVerifier.create(next).expectNextMatches(e -> e.json().equals("{\"v\":2}")).verifyComplete();
        assertThat(secondLoads).hasValue(1);
    }

    @Test
    void aReaderNeverWaitsOnABackgroundRefreshWhichAnswersNobody() {
        LocalSingleFlight flight = new LocalSingleFlight(direct, Duration.ofSeconds(5), metrics, Schedulers.parallel());
        Sinks.One<CacheEntry> refreshing = Sinks.one();
        flight.refresh(1, MISS, refreshing::asMono).subscribe();
        CacheEntry loaded = CacheEntry.found("{\"id\":1}", 2, 3);

        StepVerifier.create(flight.load(1, MISS, () -> Mono.just(loaded)))
                .expectNext(loaded)
                .verifyComplete();
        refreshing.tryEmitEmpty();
        assertThat(flight.inFlight()).isZero();
    }
}
