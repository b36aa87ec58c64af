package io.herdlab.cache;

import java.util.Map;

import io.herdlab.ClusterBackends;
import io.herdlab.LocalRedisCluster;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis Cluster that asks for a password: {@code spring.data.redis.password} reaches both
 * clients in cluster mode, the cache's Lettuce (every node it learns, not only the seeds) and
 * the {@code redisson} lease, whose start-up check reads through Redisson what Lettuce wrote.
 */
class ClusterPasswordTest {

    static final String PASSWORD = "cluster-secret";

    static ClusterBackends backends;
    static LocalRedisCluster cluster;
    static TestDatabase db;

    @BeforeAll
    static void start() {
        backends = ClusterBackends.start(ClusterPasswordTest.class, 100, PASSWORD);
        cluster = backends.cluster();
        db = backends.db();
    }

    @AfterAll
    static void stop() {
        if (backends != null) {
            backends.close();
        }
    }

    @Test
    void bothClientsAuthenticateToEveryNode() {
        String prefix = TestDatabase.keyPrefix(ClusterPasswordTest.class);
        // one seed node only, without the password in it: the rest comes from the cluster and the property
        try (Replica replica = Replica.start("password", db.r2dbcUrl(), backends.seedUrl(), prefix,
                "--spring.data.redis.cluster.nodes=" + cluster.nodes().split(",")[0],
                "--spring.data.redis.password=" + PASSWORD, "--herd.mitigation.preset=redisson")) {
            replica.adminPost("warm", Map.of("users", 100, "ttlSeconds", 60));
            for (long id = 1; id <= 100; id++) {
                assertThat(replica.getUser(id).getStatusCode().value()).isEqualTo(200);
            }
            assertThat(replica.count("db", "queries")).as("every user served from the cache").isZero();
            replica.adminPost("flush", Map.of());
            assertThat(replica.getUser(42).getStatusCode().value()).as("a miss loads under the lease").isEqualTo(200);
            assertThat(replica.count("db", "queries")).isEqualTo(1);
            assertThat(cluster.cli("-c", "-p", Integer.toString(cluster.live().get(0)), "EXISTS",
                    new CacheKeys(prefix).value(42)).trim()).as("and fills the cluster").isEqualTo("1");
        }
    }
}
