package io.herdlab.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.cache.RedisConnections;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Jittered TTLs, stale-while-revalidate, XFetch early refresh and negative caching. */
class CacheMitigationsTest {

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create(CacheMitigationsTest.class);
        try (Replica seeder = Replica.start("seeder", db, TestDatabase.keyPrefix(CacheMitigationsTest.class))) {
            seeder.adminPost("seed", Map.of("users", 1000));
        }
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Test
    void jitterSpreadsWarmedExpiriesUniformlyOverTheWindow() {
        String prefix = TestDatabase.keyPrefix(CacheMitigationsTest.class);
        try (Replica replica = Replica.start("jitter", db, prefix, "--herd.mitigation.preset=jitter")) {
            RedisClusterCommands<String, String> redis = replica.bean(RedisConnections.class).sync();
            replica.adminPost("warm", Map.of("users", 1000, "ttlSeconds", 60));
            int[] bins = new int[10]; // ten one-minute bins over the 10-minute jitter window
            List<Long> ttls = new ArrayList<>();
            for (int id = 1; id <= 1000; id++) {
                long ttl = redis.pttl(prefix + "{user:" + id + "}");
                ttls.add(ttl);
                long extra = ttl - 60_000;
                bins[(int) Math.min(9, Math.max(0, extra / 60_000))]++;
            }
            assertThat(ttls).allSatisfy(ttl -> assertThat(ttl).isBetween(50_000L, 60_000L + 600_000L));
            // 100 expected per bin; ±50 is more than 5 standard deviations
            for (int bin : bins) {
                assertThat(bin).isBetween(50, 150);
            }
            replica.adminPost("flush", Map.of());
        }
    }

    @Test
    void staleValuesAreServedWhileOneRefreshRuns() throws InterruptedException {
        String prefix = TestDatabase.keyPrefix(CacheMitigationsTest.class);
        try (Replica replica = Replica.start("swr", db, prefix, "--herd.mitigation.preset=full",
                "--herd.cache.ttl=2s", "--herd.mitigation.jitter-max=0s", "--herd.db.query-delay=300ms")) {
            RedisClusterCommands<String, String> redis = replica.bean(RedisConnections.class).sync();
            assertThat(replica.getUser(3).getStatusCode().value()).isEqualTo(200);
            assertThat(redis.pttl(prefix + "{user:3}")).as("kept 30 s past the soft expiry").isGreaterThan(29_000);
            Thread.sleep(2_200);
            replica.adminPost("reset", Map.of());

            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(replica.getUser(3).getBody()).contains("\"id\":3");
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("stale answers did not wait for the 300 ms load").isLessThan(300);
            assertThat(replica.count("cache", "stale")).isEqualTo(5);
            assertThat(replica.count("cache", "staleRefreshes")).isEqualTo(1);

            Thread.sleep(700);
            assertThat(replica.count("db", "queries")).as("one refresh for five stale reads").isEqualTo(1);
            replica.getUser(3);
            assertThat(replica.count("cache", "hits")).as("fresh again after the refresh").isEqualTo(1);
            replica.adminPost("flush", Map.of());
        }
    }

    @Test
    void xfetchRefreshesAHotKeyBeforeItExpires() throws InterruptedException {
        String prefix = TestDatabase.keyPrefix(CacheMitigationsTest.class);
        // a huge beta makes an early refresh near certain on every hit: δ·β ≫ the 60 s TTL
        try (Replica replica = Replica.start("xfetch", db, prefix, "--herd.mitigation.preset=local",
                "--herd.mitigation.early-refresh=true", "--herd.mitigation.beta=100000",
                "--herd.mitigation.jitter-max=0s", "--herd.db.query-delay=20ms")) {
            replica.getUser(4);
            replica.adminPost("reset", Map.of());
            for (int i = 0; i < 5; i++) {
                assertThat(replica.getUser(4).getStatusCode().value()).isEqualTo(200);
                Thread.sleep(200);
            }
            assertThat(replica.count("cache", "hits")).isEqualTo(5);
            assertThat(replica.count("cache", "earlyRefreshes")).isPositive();
            assertThat(replica.count("db", "queries")).isEqualTo(replica.count("cache", "earlyRefreshes"));
            replica.adminPost("flush", Map.of());
        }
        try (Replica calm = Replica.start("xfetch-calm", db, prefix, "--herd.mitigation.preset=local",
                "--herd.mitigation.early-refresh=true", "--herd.db.query-delay=20ms")) {
            calm.getUser(5);
            calm.adminPost("reset", Map.of());
            for (int i = 0; i < 20; i++) {
                calm.getUser(5);
            }
            assertThat(calm.count("cache", "earlyRefreshes")).as("β=1: nowhere near expiry, no refresh").isZero();
            calm.adminPost("flush", Map.of());
        }
    }

    @Test
    void unknownIdsAreRememberedBriefly() {
        String prefix = TestDatabase.keyPrefix(CacheMitigationsTest.class);
        try (Replica replica = Replica.start("negative", db, prefix, "--herd.mitigation.preset=full")) {
            RedisClusterCommands<String, String> redis = replica.bean(RedisConnections.class).sync();
            for (int i = 0; i < 5; i++) {
                assertThat(replica.getUser(777_777).getStatusCode().value()).isEqualTo(404);
            }
            assertThat(replica.count("db", "queries")).isEqualTo(1);
            assertThat(replica.count("cache", "negative")).isEqualTo(4);
            assertThat(redis.pttl(prefix + "{user:777777}")).isBetween(1L, 10_000L);
            replica.adminPost("flush", Map.of());
        }
        try (Replica baseline = Replica.start("no-negative", db, prefix, "--herd.mitigation.preset=baseline")) {
            baseline.getUser(777_778);
            baseline.getUser(777_778);
            assertThat(baseline.count("db", "queries")).as("baseline caches no negatives").isEqualTo(2);
        }
    }
}
