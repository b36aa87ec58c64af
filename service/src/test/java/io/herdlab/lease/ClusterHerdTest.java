package io.herdlab.lease;

import java.net.http.HttpResponse;
import java.util.List;

import io.herdlab.ClusterBackends;
import io.herdlab.ClusterReplicas;
import io.herdlab.LocalRedisCluster;
import io.herdlab.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The central comparison on a Redis Cluster (3 masters, 3 replicas): three replica processes, a
 * synchronized expiry, and a burst on one hot key spread over them. Under a lease PostgreSQL
 * reads the key once, as on one server: the value, the lease, the outcome key and the key's
 * notice channel share one slot, and the notice reaches the followers by sharded pub/sub.
 */
class ClusterHerdTest {

    static final int REQUESTS = 300;
    static final long HOT_ID = 42;

    static ClusterBackends backends;
    static LocalRedisCluster cluster;
    static TestDatabase db;

    @BeforeAll
    static void startCluster() {
        backends = ClusterBackends.start(ClusterHerdTest.class, 100, null);
        cluster = backends.cluster();
        db = backends.db();
    }

    @AfterAll
    static void stopCluster() {
        if (backends != null) {
            backends.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void threeReplicasOnAClusterLoadAHotKeyOnce(String preset) {
        String prefix = TestDatabase.keyPrefix(ClusterHerdTest.class);
        long before = db.userIndexScansAfterClose();
        long warmUpLoads;
        long hotLoads;
        try (ClusterReplicas replicas = ClusterReplicas.start(3, "cluster-" + preset, cluster, db, prefix,
                "--herd.mitigation.preset=" + preset,
                // a slow load keeps the herd window open while the whole burst arrives
                "--herd.db.query-delay=1s", "--herd.mitigation.wait-timeout=30s")) {
            // opens every connection (to every master) on another key first
            assertThat(statuses(replicas.burst(REQUESTS, 7))).containsOnly(200);
            warmUpLoads = replicas.count("db", "queries");

            // synchronized expiry: every key of this prefix gone at once, on every master
            replicas.first().adminPost("flush", "{}");
            assertThat(replicas.first().adminGet("/actuator/herd/cache")).contains("\"keys\":0");
            replicas.all().forEach(r -> r.adminPost("reset", "{}"));
            List<HttpResponse<String>> answers = replicas.burst(REQUESTS, HOT_ID);

            assertThat(statuses(answers)).as("no failed request under " + preset).containsOnly(200);
            assertThat(answers).allSatisfy(a -> assertThat(a.body()).contains("\"id\":" + HOT_ID));
            hotLoads = replicas.count("db", "queries");
            assertThat(hotLoads).as("herdlab's loads of the hot key under " + preset).isEqualTo(1);
        }
        assertThat(db.userIndexScansAfterClose() - before).as("PostgreSQL's reads under " + preset)
                .isEqualTo(warmUpLoads + hotLoads);
        System.out.printf("cluster %s: %d requests over 3 replicas, PostgreSQL reads of the hot key: %d%n", preset,
                REQUESTS, hotLoads);
    }

    static List<Integer> statuses(List<HttpResponse<String>> answers) {
        return answers.stream().map(HttpResponse::statusCode).toList();
    }
}
