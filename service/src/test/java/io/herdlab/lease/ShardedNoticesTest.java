package io.herdlab.lease;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import io.herdlab.Burst;
import io.herdlab.ClusterBackends;
import io.herdlab.LocalRedisCluster;
import io.herdlab.PrivateRedis;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.cache.CacheKeys;
import io.herdlab.cache.RedisConnections;
import io.herdlab.cache.RedisSettings;
import io.herdlab.metrics.RedisCommandCounter;
import io.lettuce.core.SetArgs;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease's notices on a Redis Cluster: published with {@code SPUBLISH} on the channel of the
 * key's own slot (never a cluster-wide {@code PUBLISH}), heard by every replica, and heard again
 * after the subscription's connection dropped and after a failover moved the slot to another master. A follower that hears the holder's fill
 * answers at once; one that does not waits for its backstop (the lease time, 10 s here), so the
 * burst's duration tells which happened.
 */
class ShardedNoticesTest {

    static final String LEASE_TIME = "10s";

    static ClusterBackends backends;
    static LocalRedisCluster cluster;
    static TestDatabase db;
    static String prefix;
    static final List<Replica> replicas = new ArrayList<>();

    @BeforeAll
    static void start() {
        backends = ClusterBackends.start(ShardedNoticesTest.class, 100, null);
        cluster = backends.cluster();
        db = backends.db();
        prefix = TestDatabase.keyPrefix(ShardedNoticesTest.class);
        for (int i = 1; i <= 2; i++) {
            replicas.add(Replica.start("sharded-" + i, db.r2dbcUrl(), backends.seedUrl(), prefix,
                    "--spring.data.redis.cluster.nodes=" + cluster.nodes(), "--herd.mitigation.preset=lua",
                    "--herd.db.query-delay=1s", "--herd.mitigation.lease-time=" + LEASE_TIME,
                    "--herd.mitigation.wait-timeout=30s"));
        }
    }

    @AfterAll
    static void stop() {
        replicas.forEach(Replica::close);
        if (backends != null) {
            backends.close();
        }
    }

    @Test
    void noticesGoOutOnTheKeysShardAndWakeEveryReplica() {
        long id = 42;
        assertThat(replicas.get(0).bean(RedisConnections.class).masters().collectList().block(Duration.ofSeconds(10)))
                .as("the admin sees every master").hasSize(3);
        int owner = cluster.masterOf(new CacheKeys(prefix).value(id));
        assertThat(subscribers(owner, id)).as("both replicas subscribed on the slot's master").isEqualTo(2);

        long took = burst(id);

        System.out.printf("sharded notices: 100 GETs of one key over 2 replicas in %d ms%n", took);
        assertThat(took).as("followers woke on the fill notice, not the %s backstop", LEASE_TIME).isLessThan(6_000);
        Map<?, ?> cache = replicas.get(0).admin().get().uri("/actuator/herd/cache").retrieve().bodyToMono(Map.class)
                .block(Duration.ofSeconds(30));
        assertThat((List<?>) cache.get("keysPerMaster")).as("keys counted on every master").hasSize(3);
        assertThat(((Number) cache.get("keys")).longValue()).as("the hot key cached").isPositive();
        assertThat(calls(owner, "spublish")).as("notices published on the key's shard").isPositive();
        for (int port : cluster.live()) {
            assertThat(calls(port, "publish")).as("no cluster-wide PUBLISH on " + port).isZero();
        }
    }

    @Test
    void afterAFailoverTheNoticesFollowTheSlotToItsNewMaster() {
        long id = 43;
        String key = new CacheKeys(prefix).value(id);
        int oldMaster = cluster.masterOf(key);
        int newMaster = cluster.replicaOf(oldMaster);

        cluster.failover(newMaster);
        long deadline = System.currentTimeMillis() + 30_000;
        while (cluster.masterOf(key) != newMaster && System.currentTimeMillis() < deadline) {
            PrivateRedis.sleep(100);
        }
        cluster.awaitOk();
        while (subscribers(newMaster, id) < 2 && System.currentTimeMillis() < deadline) {
            PrivateRedis.sleep(100);
        }
        assertThat(subscribers(newMaster, id)).as("both replicas subscribed again on the promoted master")
                .isEqualTo(2);

        long took = burst(id);
        System.out.printf("sharded notices after a failover: 100 GETs of one key over 2 replicas in %d ms%n", took);
        assertThat(took).as("followers woke on the fill notice after the failover").isLessThan(6_000);
    }

    @Test
    void afterTheSubscriptionsConnectionDropsItIsSubscribedAgain() {
        long id = 44;
        int master = cluster.masterOf(new CacheKeys(prefix).value(id));
        assertThat(subscribers(master, id)).isEqualTo(2);

        // every pub/sub connection on that master dropped, as a network blip or a restart would
        cluster.cli("-p", Integer.toString(master), "CLIENT", "KILL", "TYPE", "pubsub");
        long deadline = System.currentTimeMillis() + 30_000;
        while (subscribers(master, id) < 2 && System.currentTimeMillis() < deadline) {
            PrivateRedis.sleep(100);
        }
        assertThat(subscribers(master, id)).as("both replicas subscribed again after the reconnect").isEqualTo(2);

        long took = burst(id);
        System.out.printf("sharded notices after a reconnect: 100 GETs of one key over 2 replicas in %d ms%n", took);
        assertThat(took).as("followers woke on the fill notice after the reconnect").isLessThan(6_000);
    }

    @Test
    void leasesOnManySlotsAreRenewedOneCallPerSlot() {
        RedisSettings settings = new RedisSettings(null, "localhost", 6379, 0, null, null, Duration.ofSeconds(5),
                Duration.ofSeconds(2), null, new RedisSettings.Ssl(false),
                new RedisSettings.Cluster(List.of(cluster.nodes().split(",")), 5));
        ClientResources resources = ClientResources.create();
        try (RedisConnections redis = RedisConnections.connect(settings, resources,
                new RedisCommandCounter(new SimpleMeterRegistry()))) {
            LeaseScripts scripts = new LeaseScripts(redis.reactive(), new CacheKeys(prefix), Duration.ofSeconds(10),
                    true);
            List<Lease> leases = LongStream.rangeClosed(101, 105)
                    .mapToObj(id -> new Lease(id, "token-" + id, "", 0)).toList();
            for (Lease lease : leases.subList(0, 4)) {
                redis.sync().set(scripts.leaseKey(lease.id()), lease.token(), SetArgs.Builder.px(3_000));
            }
            assertThat(leases.stream().map(l -> cluster.slot(scripts.leaseKey(l.id()))).distinct())
                    .as("five slots").hasSize(5);

            assertThat(scripts.renew(leases).block(Duration.ofSeconds(10)))
                    .as("held, in order; the last was never taken").containsExactly(true, true, true, true, false);
            assertThat(redis.sync().pttl(scripts.leaseKey(101))).as("extended to the lease time").isGreaterThan(5_000);
        }
        finally {
            resources.shutdown();
        }
    }

    /** A cold burst of 100 GETs of {@code id} over both replicas; all answered 200; how long it took (ms). */
    private static long burst(long id) {
        replicas.get(0).adminPost("flush", Map.of());
        long start = System.currentTimeMillis();
        assertThat(Burst.get(replicas, 100, i -> id)).containsOnly(200);
        return System.currentTimeMillis() - start;
    }

    /** Subscribers of {@code id}'s notice channel on the node at {@code port} ({@code PUBSUB SHARDNUMSUB}). */
    private static int subscribers(int port, long id) {
        String[] reply = cluster.cli("-p", Integer.toString(port), "PUBSUB", "SHARDNUMSUB",
                new CacheKeys(prefix).fillsChannel(id)).trim().split("\n");
        return Integer.parseInt(reply[reply.length - 1].trim());
    }

    /** Calls of {@code command} the node at {@code port} has served (INFO commandstats; 0 if none). */
    private static long calls(int port, String command) {
        for (String line : cluster.cli("-p", Integer.toString(port), "INFO", "commandstats").split("\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }
}
