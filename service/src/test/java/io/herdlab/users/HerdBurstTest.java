package io.herdlab.users;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import io.herdlab.Burst;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The baseline really melts down: after a synchronized expiry, a burst of concurrent requests
 * over a few hot keys goes almost entirely to PostgreSQL, repeating the same queries and
 * queueing on the small pool.
 */
class HerdBurstTest {

    static final int REQUESTS = 1200;
    static final int HOT_KEYS = 100;

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create(HerdBurstTest.class);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void synchronizedExpiryStampedesTheDatabase() throws InterruptedException {
        String prefix = TestDatabase.keyPrefix(HerdBurstTest.class);
        Replica replica = Replica.start("burst-1", db, prefix, "--herd.mitigation.preset=baseline",
                "--herd.db.query-delay=200ms");
        long queries;
        try {
            // seeded over a connection of the test's own: its statistics are flushed when it closes
            db.execute("INSERT INTO users (id, name, email) SELECT g, 'User ' || g, 'user' || g || '@herdlab.test'"
                    + " FROM generate_series(1, 1000) g");
            long scansBefore = stableIndexScans();

            // opens the client's connections while every key is a hit, so that the burst after
            // the expiry arrives all at once
            replica.adminPost("warm", Map.of("users", 1000, "ttlSeconds", 600));
            assertThat(burst(replica)).containsOnly(200);
            long openingQueries = replica.count("db", "queries");
            Map<String, Object> warm = replica.adminPost("warm", Map.of("users", 1000, "ttlSeconds", 3));
            long expiresAt = ((Number) warm.get("expiresAtEpochMs")).longValue();
            replica.adminPost("reset", Map.of());
            for (int id = 1; id <= 5; id++) {
                replica.client().get().uri("/users/" + id).retrieve().toBodilessEntity().block(Duration.ofSeconds(5));
            }
            assertThat(replica.count("cache", "hits")).as("before the expiry every key is a hit").isEqualTo(5);
            Thread.sleep(Math.max(0, expiresAt - System.currentTimeMillis()) + 200);
            replica.adminPost("reset", Map.of());

            List<Integer> statuses = burst(replica);

            Map<String, Object> snapshot = replica.snapshot();
            Map<String, Object> dbStats = (Map<String, Object>) snapshot.get("db");
            Map<String, Object> pool = (Map<String, Object>) snapshot.get("pool");
            Map<String, Object> latency = (Map<String, Object>) snapshot.get("latency");
            queries = ((Number) dbStats.get("queries")).longValue();
            long duplicates = ((Number) dbStats.get("duplicateQueries")).longValue();
            System.out.printf("baseline burst: %d requests over %d keys -> %d DB queries, %d duplicates,"
                            + " peak pool pending %s, P99 %s ms%n", REQUESTS, HOT_KEYS, queries, duplicates,
                    pool.get("peakPending"), latency.get("p99Ms"));

            assertThat(statuses).hasSize(REQUESTS).containsOnly(200);
            assertThat(queries).as("most requests reached the database").isGreaterThan(REQUESTS / 2);
            assertThat(duplicates).as("the same keys were fetched again and again")
                    .isGreaterThan(REQUESTS / 2 - HOT_KEYS);
            assertThat(((Number) pool.get("peakPending")).intValue()).as("requests queued on the pool")
                    .isGreaterThan(0);
            assertThat(((Number) pool.get("peakAcquired")).intValue()).isEqualTo(10);
            replica.close();
            // PostgreSQL's own count: one index scan per look-up, plus one for each warm
            long pgScans = stableIndexScans() - scansBefore - openingQueries;
            System.out.printf("pg_stat_user_tables.idx_scan on users grew by %d during the herd%n", pgScans);
            assertThat(pgScans).as("PostgreSQL saw the same look-ups").isBetween(queries, queries + 3);
        }
        finally {
            replica.close();
        }
    }

    /** The hot keys in a random (seeded) order, as real traffic would ask for them. */
    private static List<Integer> burst(Replica replica) {
        Random random = new Random(7);
        long[] ids = IntStream.range(0, REQUESTS).mapToLong(i -> 1 + random.nextInt(HOT_KEYS)).toArray();
        return Burst.get(List.of(replica), REQUESTS, i -> ids[i]);
    }

    /** idx_scan on users once it stops moving: backends flush their statistics lazily. */
    private static long stableIndexScans() throws InterruptedException {
        long last = db.userIndexScans();
        for (int i = 0; i < 40; i++) {
            Thread.sleep(500);
            long now = db.userIndexScans();
            if (now == last && i >= 2) {
                return now;
            }
            last = now;
        }
        return last;
    }
}
