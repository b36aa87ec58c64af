package io.herdlab.guard;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import io.herdlab.PrivateRedis;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import redis.embedded.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/** When a dependency goes away: Redis down (serve from PostgreSQL), PostgreSQL down (breaker). */
class GuardTest {

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create(GuardTest.class);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Test
    void withRedisDownRequestsAreAnsweredFromPostgresAndRecoverWhenItReturns() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // a Redis of this test's own, so it can be stopped and started again
        RedisServer redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        try (Replica replica = Replica.start("redis-down", db.r2dbcUrl(), "redis://127.0.0.1:" + port,
                "guard:", "--herd.mitigation.preset=full", "--herd.db.query-delay=10ms")) {
            replica.adminPost("seed", Map.of("users", 100));
            assertThat(replica.getUser(1).getStatusCode().value()).isEqualTo(200);
            assertThat(replica.getUser(1).getStatusCode().value()).isEqualTo(200);
            assertThat(replica.count("cache", "hits")).isEqualTo(1);

            redis.stop();
            replica.adminPost("reset", Map.of());
            for (long id = 1; id <= 20; id++) {
                ResponseEntity<String> response = replica.getUser(id);
                assertThat(response.getStatusCode().value()).as("user %d with Redis down", id).isEqualTo(200);
                assertThat(response.getBody()).contains("\"id\":" + id);
            }
            assertThat(replica.count("cache", "errors")).isEqualTo(20);
            assertThat(replica.count("db", "queries")).isEqualTo(20);

            redis.start();
            long hits = 0;
            for (int i = 0; i < 60 && hits == 0; i++) {
                Thread.sleep(500);
                replica.getUser(2);
                hits = replica.count("cache", "hits");
            }
            assertThat(hits).as("cache hits again once Redis is back").isPositive();
        }
        finally {
            redis.stop();
        }
    }

    /**
     * A Redis that hangs (SIGSTOP: connections open, nothing answered) is bounded by the
     * client's command timeout: a look-up or fill that gets no answer is a miss or an uncached
     * value, never a request that hangs with it.
     */
    @Test
    void aFrozenRedisCostsARequestItsCommandTimeoutNotItsAnswer() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(null);
             Replica replica = Replica.start("redis-frozen", db.r2dbcUrl(), redis.url(0), "frozen:",
                     "--herd.mitigation.preset=baseline", "--spring.data.redis.timeout=300ms")) {
            replica.adminPost("seed", Map.of("users", 100));
            assertThat(replica.getUser(3).getStatusCode().value()).isEqualTo(200);
            redis.freeze();
            replica.adminPost("reset", Map.of());
            long start = System.nanoTime();
            ResponseEntity<String> response = replica.getUser(3);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(response.getStatusCode().value()).isEqualTo(200);
            assertThat(response.getBody()).contains("\"id\":3");
            // the look-up and the fill each waited out 300 ms; far below any hang
            assertThat(millis).as("answered from PostgreSQL after the timeouts").isBetween(550L, 5_000L);
            assertThat(replica.count("cache", "errors")).isEqualTo(1);
            assertThat(replica.count("db", "queries")).isEqualTo(1);
            redis.thaw();
        }
    }

    @Test
    void aFailingDatabaseOpensTheBreakerAndRequestsFailFast() {
        try (Replica replica = Replica.start("db-down", "r2dbc:postgresql://127.0.0.1:1/none", TestDatabase.REDIS_URL,
                TestDatabase.keyPrefix(GuardTest.class), "--herd.mitigation.preset=full",
                "--spring.sql.init.mode=never", "--spring.r2dbc.pool.initial-size=0",
                "--spring.r2dbc.pool.max-acquire-time=2s")) {
            String last = null;
            for (long id = 1; id <= 30; id++) {
                ResponseEntity<String> response = replica.getUser(id);
                assertThat(response.getStatusCode().value()).isEqualTo(503);
                assertThat(response.getHeaders().getFirst("Retry-After")).isNotNull();
                last = response.getBody();
            }
            assertThat(last).contains("circuit breaker is open");
            assertThat(replica.snapshot()).containsEntry("breaker", "open");
            String prometheus = replica.admin().get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class)
                    .block(Duration.ofSeconds(10));
            assertThat(prometheus).contains("herd_breaker_state{replica=\"db-down\"} 1.0");
        }
    }
}
