package io.herdlab.lease;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import io.herdlab.Mitigation;
import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.CacheKeys;
import io.herdlab.cache.RedisScript;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.coalesce.LocalSingleFlight;
import io.herdlab.coalesce.RecordedEvents;
import io.herdlab.contract.Preset;
import io.herdlab.guard.UnavailableException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import static io.herdlab.metrics.CoalesceScope.LOCAL;
import static io.herdlab.metrics.CoalesceScope.LUA;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease protocol's every path on virtual time, against {@link InMemoryLeaseStore}: no Redis,
 * no replica process, a few milliseconds per test. Each "replica" is a {@link LeaseCoalescer}
 * with its own notices, sharing the store.
 */
class LeaseProtocolTest {

    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration WAIT = Duration.ofSeconds(20);
    static final long ID = 7;

    final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(time.now(TimeUnit.MILLISECONDS));
        }
    };
    final Mitigation mitigation = new Mitigation(Preset.LUA, Duration.ZERO, Mitigation.CoalescerKind.LUA,
            WAIT, LEASE, false, Duration.ZERO, false, 1.0, Duration.ZERO, false, 0);
    final UserCache cache = new UserCache(unreachableRedis(), new CacheKeys("test:"), Duration.ofSeconds(60),
            mitigation, clock, Duration.ofSeconds(60), new RedisScript("return 1"));
    final InMemoryLeaseStore store = new InMemoryLeaseStore(time, cache, LEASE);
    final RecordedEvents events = new RecordedEvents();
    volatile boolean redisReachable = true;

    /** The database: counts loads, each taking {@code loadTime} unless a test says otherwise. */
    final AtomicInteger loads = new AtomicInteger();
    Duration loadTime = Duration.ofMillis(200);
    Function<Integer, Mono<CacheEntry>> database = n -> Mono.delay(loadTime, time)
            .thenReturn(CacheEntry.found("{\"id\":" + ID + "}", 1, loadTime.toMillis()));
    final Supplier<Mono<CacheEntry>> load = () -> database.apply(loads.incrementAndGet());

    final List<Object> answers = new ArrayList<>();

    @AfterEach
    void stopTime() {
        time.dispose();
    }

    LeaseCoalescer replica() {
        return new LeaseCoalescer(LUA, store, cache, store.subscribe(), LEASE, WAIT, () -> redisReachable,
                new LeaseThreads(time, time), events);
    }

    /** What {@code ReadThrough} does: the look-up, then the load when it found nothing to serve. */
    static Mono<CacheEntry> read(Coalescer coalescer, Supplier<Mono<CacheEntry>> load) {
        return coalescer.lookup(ID).flatMap(lookup -> lookup.entry() != null
                ? Mono.just(lookup.entry()) : coalescer.load(ID, lookup, load));
    }

    /** Starts {@code n} reads now; their answers (entries or errors) land in {@link #answers}. */
    List<Disposable> start(Coalescer coalescer, int n) {
        List<Disposable> reads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            reads.add(read(coalescer, load).subscribe(answers::add, answers::add));
        }
        return reads;
    }

    /** Starts one read of each key {@code first}..{@code last} now. */
    void startKeys(Coalescer coalescer, long first, long last) {
        for (long id = first; id <= last; id++) {
            long key = id;
            coalescer.lookup(key).flatMap(lookup -> coalescer.load(key, lookup, load))
                    .subscribe(answers::add, answers::add);
        }
    }

    void advance(Duration by) {
        time.advanceTimeBy(by);
    }

    long found() {
        return answers.stream().filter(a -> a instanceof CacheEntry e && e.exists()).count();
    }

    @Test
    void aHerdOnTwoReplicasLoadsOnceWithOneCallPerReaderAndOneFill() {
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        start(a, 10);
        start(b, 10);
        advance(Duration.ofSeconds(1));

        assertThat(found()).isEqualTo(20);
        assertThat(loads).hasValue(1);
        // every reader: its read and its claim; the leader also the fill; each follower is woken by its notice
        assertThat(store.calls("lookup")).isEqualTo(20);
        assertThat(store.calls("claim")).isEqualTo(20);
        assertThat(store.calls("fill")).isEqualTo(1);
        assertThat(store.calls("renew") + store.calls("release") + store.calls("acquire")).isZero();
        assertThat(events.count(LUA, "lease-backstop")).isZero();
        assertThat(events.count(LUA, "woke")).isEqualTo(19);
        assertThat(a.waitingKeys() + b.waitingKeys()).isZero();
    }

    @Test
    void tieredAsksRedisOnlyForTheFirstReaderOfEachReplica() {
        Coalescer a = new LocalSingleFlight(replica(), WAIT, events, time);
        Coalescer b = new LocalSingleFlight(replica(), WAIT, events, time);
        start(a, 1);
        start(b, 1);
        advance(Duration.ofMillis(10)); // the first reader of each replica has its answer from Redis
        start(a, 10);
        start(b, 10);
        advance(Duration.ofSeconds(1));

        assertThat(found()).isEqualTo(22);
        assertThat(loads).hasValue(1);
        assertThat(store.calls("lookup") + store.calls("claim")).isEqualTo(4);
        assertThat(store.calls("fill")).isEqualTo(1);
        assertThat(events.count(LOCAL, "follower")).isEqualTo(20);
    }

    @Test
    void tieredAsksForTheLeaseOncePerReplicaEvenWhenAllItsReadersMissAtOnce() {
        Coalescer a = new LocalSingleFlight(replica(), WAIT, events, time);
        Coalescer b = new LocalSingleFlight(replica(), WAIT, events, time);
        start(a, 10); // all ten read before any answer: ten misses
        start(b, 10);
        advance(Duration.ofSeconds(1));

        assertThat(found()).isEqualTo(20);
        assertThat(loads).hasValue(1);
        assertThat(store.calls("lookup")).isEqualTo(20);
        // the misses of each replica share its local flight: one claim each, the leader's and one follower's
        assertThat(store.calls("claim")).isEqualTo(2);
        assertThat(store.calls("fill")).isEqualTo(1);
        assertThat(events.count(LOCAL, "follower")).isEqualTo(18);
    }

    @Test
    void aLoadLongerThanTheLeaseIsRenewedAndItsFollowersWaitOnWithoutABackstop() {
        loadTime = Duration.ofSeconds(10);
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        start(a, 1);
        advance(Duration.ofMillis(10));
        start(b, 5);
        advance(Duration.ofSeconds(12));

        assertThat(found()).isEqualTo(6);
        assertThat(loads).hasValue(1);
        assertThat(events.count(LUA, "lease-extended")).isBetween(9L, 10L); // every second for ten seconds
        assertThat(events.count(LUA, "lease-lost") + events.count(LUA, "lease-fenced")).isZero();
        // each renewal's notice moves the followers' backstop to the lease's new end
        assertThat(events.count(LUA, "lease-backstop")).isZero();
        assertThat(store.calls("lookup")).isEqualTo(6);
    }

    @Test
    void aRenewalNoticeThatNeverComesLeavesTheBackstopInPlace() {
        loadTime = Duration.ofSeconds(10);
        store.pubSubDelay = Duration.ofMinutes(1); // the notices are lost on the way
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        start(a, 1);
        advance(Duration.ofMillis(10));
        start(b, 1);
        advance(Duration.ofSeconds(14));

        assertThat(found()).isEqualTo(2);
        assertThat(loads).hasValue(1);
        // the follower asks again about every 3 s (the lease's time left, renewed each time), and
        // the ask after the fill finds the value
        assertThat(events.count(LUA, "lease-backstop")).isEqualTo(4);
        assertThat(events.count(LUA, "lease-takeover")).isZero();
    }

    @Test
    void aRenewalSlowerThanItsIntervalDoesNotHoldBackTheNextAndTheLeaseHolds() {
        loadTime = Duration.ofSeconds(10);
        store.renewTime = Duration.ofMillis(1500); // Redis answers each renewal after 1.5 s; ticks come every 1 s
        LeaseCoalescer a = replica();
        start(a, 1);
        advance(Duration.ofSeconds(12));

        assertThat(found()).isEqualTo(1);
        assertThat(events.count(LUA, "lease-extended")).isBetween(8L, 10L); // one per tick, none waited for
        assertThat(events.count(LUA, "lease-lost") + events.count(LUA, "lease-fenced")).isZero();
        assertThat(store.cached(ID)).isNotNull();
    }

    @Test
    void renewalsWhoseRepliesAreReadLateStillReachRedisEveryInterval() {
        store.replyLag = Duration.ofMillis(2500); // Redis applies each call at once; this replica reads its reply 2.5 s on
        loadTime = Duration.ofSeconds(8);
        LeaseCoalescer a = replica();
        start(a, 1);
        advance(Duration.ofSeconds(20));

        assertThat(found()).isEqualTo(1);
        assertThat(events.count(LUA, "lease-lost") + events.count(LUA, "lease-fenced")).isZero();
        assertThat(store.cached(ID)).isNotNull();
    }

    @Test
    void aLeaseWhoseReplyWasReadLateIsRenewedAtOnce() {
        store.replyLag = Duration.ofMillis(2500); // Redis granted the 3 s lease 2.5 s before the leader read it
        loadTime = Duration.ofSeconds(2);
        LeaseCoalescer a = replica();
        start(a, 1);
        advance(Duration.ofSeconds(10));

        assertThat(found()).isEqualTo(1);
        assertThat(events.count(LUA, "lease-lost") + events.count(LUA, "lease-fenced")).isZero();
        assertThat(store.calls("renew")).as("renewed as soon as the reply was read").isPositive();
        assertThat(store.cached(ID)).isNotNull();
    }

    @Test
    void theLeasesOfManyLoadsAreRenewedTogetherInOneCallPerTick() {
        loadTime = Duration.ofMillis(3500); // past the 3 s lease: each lease is renewed at 1, 2 and 3 s
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        startKeys(a, 1, 150);
        advance(Duration.ofMillis(10));
        startKeys(b, 1, 150); // a follower of each key on another replica
        advance(Duration.ofSeconds(5));

        assertThat(found()).isEqualTo(300);
        assertThat(loads).hasValue(150);
        assertThat(events.count(LUA, "lease-extended")).isEqualTo(450);
        // three ticks with leases due, each in calls of at most 100 leases: 6 calls, not 450
        assertThat(store.renewCalls).containsExactly(100, 50, 100, 50, 100, 50);
        // each call's one notice moved the backstop of every follower it named
        assertThat(events.count(LUA, "lease-backstop")).isZero();
        assertThat(a.heldLeases()).isZero();
    }

    @Test
    void aLeaseLostAmongOthersLeavesTheirRenewalsAndOnlyItsFillIsFenced() {
        loadTime = Duration.ofMillis(3500);
        LeaseCoalescer a = replica();
        startKeys(a, 1, 3);
        advance(Duration.ofMillis(1500)); // all three renewed once, at 1 s
        store.expire(2); // key 2's lease is gone (it ran out in a pause, or Redis lost it)
        advance(Duration.ofSeconds(3));

        assertThat(found()).as("the holder still answers its callers").isEqualTo(3);
        assertThat(store.renewCalls).as("the lost lease is renewed no more").containsExactly(3, 3, 2);
        assertThat(events.count(LUA, "lease-lost")).isEqualTo(1);
        assertThat(events.count(LUA, "lease-fenced")).isEqualTo(1);
        assertThat(events.count(LUA, "lease-extended")).isEqualTo(7);
        assertThat(store.cached(1)).isNotNull();
        assertThat(store.cached(2)).as("its fill was fenced").isNull();
        assertThat(store.cached(3)).isNotNull();
    }

    @Test
    void aLeaseLostWhileLoadingFencesTheFillAndTheNewHolderFills() {
        loadTime = Duration.ofSeconds(2);
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        start(a, 1);
        advance(Duration.ofMillis(500));
        store.expire(ID); // the holder's lease is gone (Redis failed over, or it expired in a pause)
        start(b, 1); // a new reader takes it
        advance(Duration.ofSeconds(5));

        assertThat(found()).isEqualTo(2);
        assertThat(loads).hasValue(2);
        // seen twice by the first holder: its next renewal finds the lease gone, its fill finds another's
        assertThat(events.count(LUA, "lease-lost")).isEqualTo(2);
        assertThat(store.calls("fill")).isEqualTo(2);
    }

    @Test
    void aHolderThatVanishesIsTakenOverWhenItsLeaseRunsOut() {
        store.takeAndVanish(ID);
        LeaseCoalescer a = replica();
        start(a, 3);
        advance(LEASE.minusMillis(100));
        assertThat(answers).isEmpty();
        advance(Duration.ofSeconds(2));

        assertThat(found()).isEqualTo(3);
        assertThat(loads).hasValue(1);
        assertThat(events.count(LUA, "lease-backstop")).isEqualTo(3);
        assertThat(events.count(LUA, "lease-takeover")).isEqualTo(1);
    }

    @Test
    void aFollowerNeverWaitsPastItsBound() {
        loadTime = Duration.ofMinutes(5);
        LeaseCoalescer a = replica();
        start(a, 1);
        advance(Duration.ofMillis(10));
        start(a, 1);
        advance(WAIT.plusSeconds(1));

        assertThat(answers).hasSize(2).allMatch(UnavailableException.class::isInstance);
        assertThat(events.count(LUA, "timeout")).isEqualTo(2);
        assertThat(loads).hasValue(1);
    }

    @Test
    void aLeaderWhoseCallerLeavesStillLoadsAndFills() {
        LeaseCoalescer a = replica();
        List<Disposable> leader = start(a, 1);
        advance(Duration.ofMillis(10));
        start(a, 2);
        advance(Duration.ofMillis(50));
        leader.get(0).dispose();
        advance(Duration.ofSeconds(1));

        assertThat(found()).isEqualTo(2);
        assertThat(loads).hasValue(1);
        assertThat(store.cached(ID)).isNotNull();
        assertThat(events.count(LUA, "lease-caller-left")).isEqualTo(1);
    }

    @Test
    void aFollowerThatLeavesDoesNotDisturbTheOthers() {
        LeaseCoalescer a = replica();
        start(a, 1);
        advance(Duration.ofMillis(10));
        List<Disposable> followers = start(a, 3);
        advance(Duration.ofMillis(50));
        followers.get(1).dispose();
        advance(Duration.ofSeconds(1));

        assertThat(found()).isEqualTo(3);
        assertThat(loads).hasValue(1);
        assertThat(a.waitingKeys()).isZero();
    }

    @Test
    void noSuchUserReachesEveryFollowerAsAbsent() {
        database = n -> Mono.delay(loadTime, time).thenReturn(CacheEntry.notFound(200));
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        start(a, 3);
        start(b, 3);
        advance(Duration.ofSeconds(1));

        assertThat(answers).hasSize(6).allMatch(x -> x instanceof CacheEntry e && !e.exists());
        assertThat(loads).hasValue(1);
    }

    @Test
    void aFailedLoadFailsTheFollowersAtOnce() {
        database = n -> Mono.delay(loadTime, time).then(Mono.error(new IllegalStateException("database down")));
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        start(a, 1);
        advance(Duration.ofMillis(10));
        start(b, 3);
        advance(Duration.ofMillis(300)); // well before any backstop or wait bound

        assertThat(answers).hasSize(4);
        assertThat(answers.stream().filter(UnavailableException.class::isInstance)).hasSize(3);
        assertThat(loads).hasValue(1);
        assertThat(events.count(LUA, "lease-released")).isEqualTo(1);
    }

    @Test
    void aLocalRejectionHandsTheLeaseToAnotherReplica() {
        database = n -> n == 1
                ? Mono.delay(Duration.ofMillis(50), time)
                        .then(Mono.error(UnavailableException.rejected("bulkhead full", Duration.ofSeconds(1), null)))
                : Mono.delay(loadTime, time).thenReturn(CacheEntry.found("{}", 1, 200));
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        start(a, 1);
        advance(Duration.ofMillis(1));
        start(b, 3);
        advance(Duration.ofSeconds(1));

        assertThat(found()).isEqualTo(3); // the rejected leader's own caller gets the rejection
        assertThat(answers).hasSize(4);
        assertThat(loads).hasValue(2);
        assertThat(events.count(LUA, "lease-takeover")).isEqualTo(1);
        assertThat(events.count(LUA, "lease-backstop")).isZero();
    }

    @Test
    void withRedisOutOfReachEveryCallerLoadsDirectly() {
        redisReachable = false;
        store.down = new RedisConnectionException("Connection refused");
        LeaseCoalescer a = replica();
        start(a, 3);
        advance(Duration.ofSeconds(1));

        assertThat(found()).isEqualTo(3);
        assertThat(loads).hasValue(3);
        assertThat(events.count(LUA, "lease-direct")).isEqualTo(3);
    }

    @Test
    void aSlowRedisMakesCallersWaitForANoticeNotLoad() {
        LeaseCoalescer a = replica();
        start(a, 1);
        advance(Duration.ofMillis(10));
        store.down = new io.lettuce.core.RedisCommandTimeoutException("Command timed out");
        start(a, 2);
        advance(Duration.ofMillis(50));
        store.down = null;
        advance(Duration.ofSeconds(1));

        assertThat(found()).isEqualTo(3);
        assertThat(loads).hasValue(1);
        assertThat(events.count(LUA, "lease-error")).isEqualTo(2);
    }

    @Test
    void aNoticeThatOvertakesTheBusyReplyStillAnswers() {
        LeaseCoalescer a = replica();
        LeaseCoalescer b = replica();
        start(a, 1);
        advance(Duration.ofMillis(10));
        store.claimReplyLag = Duration.ofMillis(500); // b reads its "busy" after the holder's fill and its notice
        start(b, 1);
        advance(Duration.ofSeconds(1)); // b's backstop would come about 3 s after it read its reply

        assertThat(found()).isEqualTo(2);
        assertThat(loads).hasValue(1);
        assertThat(events.count(LUA, "lease-backstop")).isZero();
    }

    @Test
    void noticesAboutOtherKeysOrOldNoticesAreNotAnswers() {
        Notices notices = new Notices(() -> time.now(TimeUnit.MILLISECONDS));
        notices.dispatch(Notices.encode(Notices.Kind.FILLED, ID, 0, "holder-1", "V|0|0|1|{}"));
        advance(Duration.ofMillis(10));
        long askedAt = time.now(TimeUnit.MILLISECONDS);
        assertThat(notices.recent(ID, "holder-1", askedAt)).as("came before the ask").isNull();
        assertThat(notices.recent(ID, "", 0)).isNotNull();
        assertThat(notices.recent(ID, "holder-2", 0)).as("another holder's").isNull();
        advance(Duration.ofMillis(Notices.RECENT_MS));
        assertThat(notices.recent(ID, "holder-1", 0)).as("too old").isNull();
        notices.dispatch("garbage"); // ignored, not thrown
        assertThat(notices.remembered()).isEqualTo(1);
    }

    @Test
    void aMillionNoticesAboutKeysNobodyWaitsOnKeepOnlyABoundedFew() {
        Notices notices = new Notices(() -> time.now(TimeUnit.MILLISECONDS));
        for (int i = 0; i < 1_000_000; i++) {
            notices.dispatch(Notices.encode(Notices.Kind.FAILED, 1_000_000L + i, 0, "holder", ""));
        }
        assertThat(notices.waiting()).isZero();
        assertThat(notices.remembered()).isLessThanOrEqualTo(Notices.MAX_RECENT + Notices.SWEEP_EVERY);
    }

    /** A Lettuce API whose every call fails: the tests' cache never reaches Redis (fills are the store's). */
    static RedisReactiveCommands<String, String> unreachableRedis() {
        return (RedisReactiveCommands<String, String>) Proxy.newProxyInstance(LeaseProtocolTest.class.getClassLoader(),
                new Class<?>[] {RedisReactiveCommands.class}, (proxy, method, args) -> {
                    Throwable error = new RedisConnectionException("no Redis in this test");
                    return method.getReturnType() == Flux.class ? Flux.error(error) : Mono.error(error);
                });
    }
}
