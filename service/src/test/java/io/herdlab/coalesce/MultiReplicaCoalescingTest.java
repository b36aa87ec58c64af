package io.herdlab.coalesce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.herdlab.Burst;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The central comparison: three replicas sharing one Redis and one PostgreSQL, a synchronized
 * expiry, and a burst on one hot key spread over the three. How many times does PostgreSQL
 * load that key under each coalescing strategy?
 */
class MultiReplicaCoalescingTest {

    static final int REQUESTS = 300;
    static final long HOT_ID = 42;

    static TestDatabase db;
    static final Map<String, Long> table = new LinkedHashMap<>();

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create(MultiReplicaCoalescingTest.class);
    }

    @AfterAll
    static void dropDatabaseAndPrintTable() {
        System.out.println("DB queries for one hot key, " + REQUESTS + " requests over 3 replicas:");
        table.forEach((preset, queries) -> System.out.printf("  %-9s %5d%n", preset, queries));
        db.close();
    }

    /** Runs the scenario under a preset; returns the DB queries for the hot key, summed over replicas. */
    static long herd(String preset) throws InterruptedException {
        String prefix = TestDatabase.keyPrefix(MultiReplicaCoalescingTest.class);
        List<Replica> replicas = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                replicas.add(Replica.start(preset + "-" + i, db, prefix, "--herd.mitigation.preset=" + preset,
                        // a slow load keeps the herd window open while the whole burst arrives
                        "--herd.db.query-delay=1s", "--herd.mitigation.wait-timeout=30s"));
            }
            Replica first = replicas.get(0);
            first.adminPost("seed", Map.of("users", 100));
            // opens the clients' connections while the key is still cached
            first.adminPost("warm", Map.of("users", 100, "ttlSeconds", 60));
            assertThat(Burst.get(replicas, REQUESTS, i -> HOT_ID)).containsOnly(200);

            // synchronized expiry: jitter off for this test, so every preset expires at the same instant
            first.adminPost("flush", Map.of());
            replicas.forEach(r -> r.adminPost("reset", Map.of()));
            List<Integer> statuses = Burst.get(replicas, REQUESTS, i -> HOT_ID);

            assertThat(statuses).as("no failed request under " + preset).containsOnly(200);
            long queries = replicas.stream().mapToLong(r -> r.count("db", "queries")).sum();
            for (Replica replica : replicas) {
                if (replica.bean(Coalescer.class) instanceof LocalSingleFlight local) {
                    assertThat(local.inFlight()).as("single-flight map empty after the burst").isZero();
                }
            }
            if (!preset.equals("baseline") && !preset.equals("local")) {
                // the followers woke on the leader's fill notice: the wake-up histogram says how fast
                String metrics = replicas.stream().map(r -> r.admin().get().uri("/actuator/prometheus").retrieve()
                        .bodyToMono(String.class).block(java.time.Duration.ofSeconds(10))).reduce("", String::concat);
                assertThat(metrics).contains("herd_coalesce_wakeup_seconds_count{").contains("outcome=\"acquired\"");
            }
            table.put(preset, queries);
            return queries;
        }
        finally {
            if (!replicas.isEmpty()) {
                replicas.get(0).adminPost("flush", Map.of());
            }
            replicas.forEach(Replica::close);
        }
    }

    @Test
    void baselineSendsAlmostEveryRequestToTheDatabase() throws InterruptedException {
        assertThat(herd("baseline")).isGreaterThan(REQUESTS / 2);
    }

    @Test
    void localSingleFlightLoadsOncePerReplica() throws InterruptedException {
        assertThat(herd("local")).isBetween(1L, 3L);
    }

    @Test
    void luaLeaseLoadsOnceForTheCluster() throws InterruptedException {
        assertThat(herd("lua")).isEqualTo(1);
    }

    @Test
    void tieredLeaseLoadsOnceForTheCluster() throws InterruptedException {
        assertThat(herd("tiered")).isEqualTo(1);
    }

    @Test
    void redissonLeaseLoadsOnceForTheCluster() throws InterruptedException {
        assertThat(herd("redisson")).isEqualTo(1);
    }

    @Test
    void fullStackLoadsOnceForTheCluster() throws InterruptedException {
        assertThat(herd("full")).isEqualTo(1);
    }
}
