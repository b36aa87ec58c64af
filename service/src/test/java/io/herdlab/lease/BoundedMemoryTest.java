package io.herdlab.lease;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.herdlab.Burst;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-key structures are bounded: fill notices about a million keys nobody here waits on leave
 * a replica's heap flat, and the per-key query counts stop growing at their bound.
 */
class BoundedMemoryTest {

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create(BoundedMemoryTest.class);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aMillionNoticesAboutKeysNobodyWaitsOnLeaveTheHeapFlat() throws Exception {
        String prefix = TestDatabase.keyPrefix(BoundedMemoryTest.class);
        try (Replica idle = Replica.start("idle", db, prefix, "--herd.mitigation.preset=lua")) {
            LeaseCoalescer lease = (LeaseCoalescer) idle.bean(io.herdlab.coalesce.Coalescer.class);
            long before = usedHeapAfterGc();
            RedisClient client = RedisClient.create(TestDatabase.REDIS_URL);
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisAsyncCommands<String, String> redis = connection.async();
                String channel = prefix + "fills";
                for (int batch = 0; batch < 100; batch++) {
                    List<RedisFuture<Long>> sent = new ArrayList<>(10_000);
                    for (int i = 0; i < 10_000; i++) {
                        long id = 1_000_000L + batch * 10_000L + i;
                        sent.add(redis.publish(channel, Notices.encode(Notices.Kind.FAILED, id, 0, "", "")));
                    }
                    assertThat(LettuceFutures.awaitAll(30, TimeUnit.SECONDS, sent.toArray(RedisFuture[]::new)))
                            .isTrue();
                }
            }
            finally {
                client.shutdown();
            }
            Thread.sleep(2_000); // the replica's subscription drains what is still in flight
            long after = usedHeapAfterGc();
            assertThat(lease.waitingKeys()).isZero();
            assertThat(after - before).as("heap growth after a million notices, bytes").isLessThan(32L << 20);
        }
    }

    @Test
    void perKeyQueryCountsStopAtTheirBound() {
        String prefix = TestDatabase.keyPrefix(BoundedMemoryTest.class);
        try (Replica replica = Replica.start("bounded", db, prefix, "--herd.mitigation.preset=baseline",
                "--herd.db.query-delay=0", "--herd.metrics.max-tracked-keys=500")) {
            assertThat(Burst.get(List.of(replica), 2_000, i -> 5_000_000L + i)).containsOnly(404);
            Map<String, Object> snapshot = replica.snapshot();
            @SuppressWarnings("unchecked")
            Map<String, Object> dbSection = (Map<String, Object>) snapshot.get("db");
            assertThat(((Number) dbSection.get("keysQueried")).longValue()).isEqualTo(500);
            assertThat(((Number) dbSection.get("untrackedQueries")).longValue()).isEqualTo(1_500);
            assertThat(((Number) dbSection.get("queries")).longValue()).isEqualTo(2_000);
        }
    }
}
