package io.herdlab.users;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The baseline really melts down: after a synchronized expiry, a burst of concurrent requests
 * over a few hot keys goes almost entirely to PostgreSQL, repeating the same queries and
 * queueing on the small pool.
 */
class HerdBurstTest {

    static final int REQUESTS = 1200;
    static final int HOT_KEYS = 20;

    static TestDatabase db;
    static Replica replica;

    @BeforeAll
    static void start() {
        db = TestDatabase.create(HerdBurstTest.class);
        replica = Replica.start("burst-1", db, TestDatabase.keyPrefix(HerdBurstTest.class),
                "--herd.mitigation.preset=baseline", "--herd.db.query-delay=50ms");
        replica.adminPost("seed", Map.of("users", 1000));
    }

    @AfterAll
    static void stop() {
        replica.adminPost("flush", Map.of());
        replica.close();
        db.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void synchronizedExpiryStampedesTheDatabase() throws InterruptedException {
        Map<String, Object> warm = replica.adminPost("warm", Map.of("users", 1000, "ttlSeconds", 2));
        long expiresAt = ((Number) warm.get("expiresAtEpochMs")).longValue();
        // before the expiry: every key is a hit
        assertThat(replica.client().get().uri("/users/1").retrieve().toBodilessEntity()
                .block(Duration.ofSeconds(5)).getStatusCode().value()).isEqualTo(200);
        Thread.sleep(Math.max(0, expiresAt - System.currentTimeMillis()) + 200);
        replica.adminPost("reset", Map.of());
        long scansBefore = db.userIndexScans();

        List<Integer> statuses = Flux.fromStream(IntStream.range(0, REQUESTS).boxed())
                .flatMap(i -> replica.client().get().uri("/users/" + (1 + i % HOT_KEYS))
                        .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())), REQUESTS)
                .collectList()
                .block(Duration.ofSeconds(120));

        Map<String, Object> snapshot = replica.snapshot();
        Map<String, Object> dbStats = (Map<String, Object>) snapshot.get("db");
        Map<String, Object> pool = (Map<String, Object>) snapshot.get("pool");
        Map<String, Object> latency = (Map<String, Object>) snapshot.get("latency");
        long queries = ((Number) dbStats.get("queries")).longValue();
        long duplicates = ((Number) dbStats.get("duplicateQueries")).longValue();
        long pgScans = db.userIndexScans() - scansBefore;
        System.out.printf("baseline burst: %d requests over %d keys -> %d DB queries (%d by pg_stat_user_tables),"
                        + " %d duplicates, peak pool pending %s, P99 %s ms%n", REQUESTS, HOT_KEYS, queries, pgScans,
                duplicates, pool.get("peakPending"), latency.get("p99Ms"));

        assertThat(statuses).hasSize(REQUESTS).containsOnly(200);
        assertThat(queries).as("most requests reached the database").isGreaterThan(REQUESTS / 2);
        assertThat(pgScans).as("PostgreSQL's own count agrees").isBetween(queries, queries + 5);
        assertThat(duplicates).as("the same keys were fetched again and again").isGreaterThan(REQUESTS / 2 - HOT_KEYS);
        assertThat(((Number) pool.get("peakPending")).intValue()).as("requests queued on the pool").isGreaterThan(0);
        assertThat(((Number) pool.get("peakAcquired")).intValue()).isEqualTo(10);
    }
}
