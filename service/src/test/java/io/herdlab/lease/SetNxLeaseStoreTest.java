package io.herdlab.lease;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.herdlab.Mitigation;
import io.herdlab.PrivateRedis;
import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.CacheKeys;
import io.herdlab.contract.Preset;
import io.herdlab.cache.RedisScript;
import io.herdlab.cache.UserCache;
import io.herdlab.metrics.HerdMetrics.CacheResult;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lookup.lua} on a real (private) redis-server: the read hands out the lease, the next
 * read is told who holds it and for how long, and a read whose reply comes too late gives back
 * the lease Redis granted it, which nobody would otherwise use until it ran out.
 */
class SetNxLeaseStoreTest {

    static final Duration LEASE = Duration.ofSeconds(5);
    static PrivateRedis server;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;
    static RedisCommands<String, String> direct;

    final CacheKeys keys = new CacheKeys("lua-lease-test-" + UUID.randomUUID() + ":");
    final Mitigation mitigation = new Mitigation(Preset.LUA, Duration.ZERO, Mitigation.CoalescerKind.LUA,
            Duration.ofSeconds(10), LEASE, false, Duration.ZERO, false, 1.0, Duration.ZERO, false, 0);
    final LeaseScripts scripts = new LeaseScripts(connection.reactive(), keys, LEASE);
    final UserCache cache = new UserCache(connection.reactive(), keys, Duration.ofSeconds(60), mitigation,
            Clock.systemUTC(), Duration.ofSeconds(60), new RedisScript("return 1"));
    final SetNxLeaseStore store = new SetNxLeaseStore(scripts, cache, Clock.systemUTC(),
            () -> Schedulers.parallel().now(TimeUnit.MILLISECONDS));

    @BeforeAll
    static void startRedis() {
        server = PrivateRedis.start(null);
        client = RedisClient.create(server.url(0));
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(300)))
                .build());
        connection = client.connect();
        direct = client.connect().sync();
    }

    @AfterAll
    static void stopRedis() {
        client.shutdown();
        server.close();
    }

    @Test
    void aMissHandsOutTheLeaseAndTheNextReadIsToldWhoHoldsItAndForHowLong() {
        assertThat(store.lookup(1).block().result()).as("the plain read").isEqualTo(CacheResult.MISS);
        LeaseClaim first = store.claim(1).block();
        assertThat(first).isInstanceOf(LeaseClaim.Won.class);
        String token = ((LeaseClaim.Won) first).lease().token();

        LeaseClaim.Busy busy = (LeaseClaim.Busy) store.claim(1).block();
        assertThat(busy.holder()).isEqualTo(token);
        assertThat(busy.remainingMs()).isBetween(1L, LEASE.toMillis());
    }

    @Test
    void aHitIsOneGetAndNoScript() {
        LeaseClaim.Won won = (LeaseClaim.Won) store.claim(3).block();
        store.fill(won.lease(), cache.prepare(CacheEntry.found("{\"id\":3}", 1, 5)), false).block();
        long scripts = calls("evalsha");
        long gets = calls("get");

        UserCache.Lookup hit = store.lookup(3).block();

        assertThat(hit.result()).isEqualTo(CacheResult.HIT);
        assertThat(calls("evalsha")).as("no script for a hit").isEqualTo(scripts);
        assertThat(calls("get")).isEqualTo(gets + 1);
    }

    @Test
    void oneRenewalCallExtendsEveryLeaseStillHeldAndNamesThemInOneNotice() throws InterruptedException {
        List<String> notices = subscribe();
        Lease four = ((LeaseClaim.Won) store.claim(4).block()).lease();
        Lease five = ((LeaseClaim.Won) store.claim(5).block()).lease();
        Lease six = ((LeaseClaim.Won) store.claim(6).block()).lease();
        direct.del(scripts.leaseKey(5)); // five's lease is gone
        direct.pexpire(scripts.leaseKey(4), 1_000);
        direct.pexpire(scripts.leaseKey(6), 1_000);
        long scriptsBefore = calls("evalsha");

        assertThat(store.renew(List.of(four, five, six)).block()).containsExactly(true, false, true);

        assertThat(calls("evalsha")).as("one call for all three").isEqualTo(scriptsBefore + 1);
        assertThat(direct.pttl(scripts.leaseKey(4))).isGreaterThan(1_000);
        assertThat(direct.pttl(scripts.leaseKey(6))).isGreaterThan(1_000);
        assertThat(direct.exists(scripts.leaseKey(5))).as("a renewal never takes a lease").isZero();
        String notice = awaitNotice(notices, "E|");
        Notices.Notice[] decoded = new Notices(() -> 0).decode(notice).toArray(Notices.Notice[]::new);
        assertThat(decoded).extracting(Notices.Notice::id).containsExactly(4L, 6L);
        assertThat(decoded).extracting(Notices.Notice::holder).containsExactly(four.token(), six.token());
        assertThat(decoded).extracting(Notices.Notice::payload).containsOnly(Long.toString(LEASE.toMillis()));
    }

    /** The fills channel's messages from now on. */
    List<String> subscribe() {
        List<String> notices = new CopyOnWriteArrayList<>();
        StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                notices.add(message);
            }
        });
        pubSub.sync().subscribe(keys.fillsChannel());
        return notices;
    }

    /** The first message starting with {@code prefix}, waited for up to 3 s (pub/sub has its own connection). */
    static String awaitNotice(List<String> notices, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < deadline) {
            for (String notice : notices) {
                if (notice.startsWith(prefix)) {
                    return notice;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no notice starting with " + prefix + " in " + notices);
    }

    /** How many times Redis ran {@code command} (INFO commandstats; commands inside scripts included). */
    static long calls(String command) {
        String stats = direct.info("commandstats");
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                .matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void aReadWhoseReplyComesTooLateGivesBackTheLeaseRedisGrantedIt() throws InterruptedException {
        String leaseKey = scripts.leaseKey(2);
        store.preload().block(); // so that the frozen look-up is the script itself, not a NOSCRIPT refusal
        List<String> notices = subscribe();
        server.freeze(); // SIGSTOP: the look-up waits in the socket, the client gives up after 300 ms
        try {
            StepVerifier.create(store.claim(2))
                    .expectError(RedisCommandTimeoutException.class)
                    .verify(Duration.ofSeconds(5));
        }
        finally {
            server.thaw(); // Redis now runs the look-up (granting the lease), then the hand-back sent after it
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        // the notice comes on its own connection, possibly a moment after the key is gone
        while ((direct.exists(leaseKey) == 1 || notices.stream().noneMatch(n -> n.startsWith("R|2|")))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(direct.exists(leaseKey)).as("the orphaned lease was handed back").isZero();
        assertThat(notices).as("granted, then handed back with a notice: its followers ask again")
                .anyMatch(n -> n.startsWith("R|2|"));
        assertThat(store.claim(2).block()).as("the next reader gets the lease at once").isInstanceOf(LeaseClaim.Won.class);
    }
}
