package io.herdlab.lease;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.herdlab.ClusterReplicas;
import io.herdlab.LocalRedisCluster;
import io.herdlab.PrivateRedis;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.cache.CacheKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults of the Redis Cluster in the middle of a herd on one hot key, on three replica processes
 * (lua; redisson for the killed master): the master of the key's slot killed (its replica promoted after the node timeout), a
 * manual failover, the slot migrated to another master. A PUT lands in the middle of each. What
 * must hold: failed requests are 503s with Retry-After, only while the fault lasts (a burst after
 * it is all 200s); at most one extra load of the key for the fault (the lease granted on a master
 * that then went away is not on its successor); and never the old row cached or served after the
 * PUT: the holder that read it before the PUT is refused by the version the PUT's tombstone
 * carries, a tombstone that was on the promoted replica before the PUT answered.
 */
class ClusterFaultsTest {

    static final int REQUESTS = 300;
    static final long HOT_ID = 42;

    enum Fault { KILL_MASTER, MANUAL_FAILOVER, SLOT_MIGRATION }

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = Replica.seededDatabase(ClusterFaultsTest.class, 100);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"lua, KILL_MASTER", "lua, MANUAL_FAILOVER", "lua, SLOT_MIGRATION", "redisson, KILL_MASTER"})
    void aFaultDuringTheHerdCostsAtMostOneLoadAndNeverAnOldRow(String preset, Fault fault) throws Exception {
        String prefix = TestDatabase.keyPrefix(ClusterFaultsTest.class);
        String key = new CacheKeys(prefix).value(HOT_ID);
        db.execute("UPDATE users SET name = 'User " + HOT_ID + "' WHERE id = " + HOT_ID);
        long before = db.userIndexScansAfterClose();
        long warmUpLoads;
        long allLoads;
        int putAttempts = 0;
        try (LocalRedisCluster cluster = LocalRedisCluster.start(ClusterFaultsTest.class);
             ClusterReplicas replicas = ClusterReplicas.start(3, preset + "-" + fault.name().toLowerCase(), cluster,
                     db, prefix, "--herd.mitigation.preset=" + preset, "--herd.db.query-delay=1s",
                     "--herd.mitigation.lease-time=2s", "--herd.mitigation.wait-timeout=20s")) {
            assertThat(ClusterHerdTest.statuses(replicas.burst(REQUESTS, 7))).containsOnly(200);
            warmUpLoads = replicas.count("db", "queries");
            replicas.first().adminPost("flush", "{}");
            replicas.all().forEach(r -> r.adminPost("reset", "{}"));

            CompletableFuture<List<HttpResponse<String>>> herd = CompletableFuture.supplyAsync(
                    () -> replicas.burst(REQUESTS, HOT_ID));
            LeaseFailureTest.awaitSlowQuery(db); // the leader holds the lease and has read the old row
            long faultAt = System.currentTimeMillis();
            int master = cluster.masterOf(key);
            switch (fault) {
                case KILL_MASTER -> cluster.kill(master);
                case MANUAL_FAILOVER -> cluster.failover(cluster.replicaOf(master));
                case SLOT_MIGRATION -> cluster.migrate(cluster.slot(key), master, cluster.otherMaster(master));
            }
            int put = 0;
            while (put != 200 && System.currentTimeMillis() < faultAt + 30_000) {
                // a PUT answered 503 (its tombstone not written) saved the row all the same: one UPDATE each
                putAttempts++;
                put = replicas.first().put(HOT_ID, "{\"name\":\"Renamed\",\"email\":\"renamed@herdlab.test\"}");
                if (put != 200) {
                    PrivateRedis.sleep(200);
                }
            }
            assertThat(put).as("the PUT during the fault went through").isEqualTo(200);
            long putAt = System.currentTimeMillis();
            List<HttpResponse<String>> answers = herd.get();
            long herdEnded = System.currentTimeMillis();
            cluster.awaitOk();

            long failed = answers.stream().filter(a -> a.statusCode() != 200).count();
            assertThat(answers).allSatisfy(a -> {
                assertThat(a.statusCode()).isIn(200, 503);
                if (a.statusCode() == 503) {
                    assertThat(a.headers().firstValue("Retry-After")).isPresent();
                }
            });
            long loads = replicas.count("db", "queries");
            // the herd's load, at most one more for the fault, and one of the PUT's new version
            assertThat(loads).as("loads of the hot key through " + fault + " " + preset).isBetween(1L, 3L);

            List<HttpResponse<String>> after = replicas.burst(REQUESTS, HOT_ID);
            assertThat(ClusterHerdTest.statuses(after)).as("none failed after the fault").containsOnly(200);
            assertThat(after).allSatisfy(a -> assertThat(a.body()).contains("Renamed"));
            String cached = cluster.cli("-c", "-p", Integer.toString(cluster.live().get(0)), "GET", key).trim();
            assertThat(cached).as("no old row cached after the PUT").contains("Renamed");
            allLoads = replicas.count("db", "queries");
            System.out.printf("cluster fault %s %s: %d of %d requests failed (503 + Retry-After), %d loads of the hot"
                    + " key (PUT included), PUT answered 200 %d ms after the fault at attempt %d, herd over %d ms after"
                    + " it%n", preset, fault, failed, REQUESTS, loads, putAt - faultAt, putAttempts,
                    herdEnded - faultAt);
        }
        // every load herdlab counted, and each PUT's UPDATE: PostgreSQL saw nothing else
        assertThat(db.userIndexScansAfterClose() - before).as("PostgreSQL's reads through " + fault + " " + preset)
                .isEqualTo(warmUpLoads + allLoads + putAttempts);
    }
}
