package io.herdlab.lease;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.herdlab.PrivateRedis;
import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.lease.LeaseFailureTest.Outcome;
import io.lettuce.core.RedisClient;
import io.herdlab.cache.RedisConnections;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.herdlab.lease.LeaseFailureTest.awaitSlowQuery;
import static io.herdlab.lease.LeaseFailureTest.getAsync;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease under the conditions it exists for, each checked against PostgreSQL's own count of
 * user look-ups: a pool saturated by other keys for longer than the lease time, a client that
 * goes away while its request holds the lease, an unknown id, one replica's own bulkhead, a
 * locked table, a Redis killed and restarted, and a Redis URL with a password and a database
 * index.
 */
class LeaseUnderStressTest {

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = Replica.seededDatabase(LeaseUnderStressTest.class, 1000);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    /** Starts {@code n} replicas sharing a key prefix (and a Redis URL), runs the scenario, closes them. */
    static <T> T withReplicas(int n, String redisUrl, String preset, List<String> args,
            Function<List<Replica>, T> scenario) {
        String prefix = TestDatabase.keyPrefix(LeaseUnderStressTest.class);
        List<Replica> replicas = new ArrayList<>();
        try {
            List<String> all = new ArrayList<>(args);
            all.add("--herd.mitigation.preset=" + preset);
            for (int i = 0; i < n; i++) {
                replicas.add(Replica.start(preset + "-" + (char) ('a' + i), db.r2dbcUrl(), redisUrl, prefix,
                        all.toArray(String[]::new)));
            }
            return scenario.apply(replicas);
        }
        finally {
            replicas.forEach(Replica::close);
        }
    }

    /** A transaction holding an exclusive lock on the users table until it is rolled back or closed. */
    static Connection lockUsers() throws java.sql.SQLException {
        Connection lock = db.connect();
        lock.setAutoCommit(false);
        try (Statement sql = lock.createStatement()) {
            sql.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
        }
        return lock;
    }

    static List<Outcome> all(List<CompletableFuture<Outcome>> requests) {
        return requests.stream().map(CompletableFuture::join).toList();
    }

    static List<CompletableFuture<Outcome>> burst(List<Replica> replicas, int n, long id) {
        List<CompletableFuture<Outcome>> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(getAsync(replicas.get(i % replicas.size()), id));
        }
        return requests;
    }

    static long keyQueries(List<Replica> replicas, long id) {
        return replicas.stream().mapToLong(r -> {
            Map<?, ?> keys = r.admin().get().uri("/actuator/herd/keys").retrieve().bodyToMono(Map.class)
                    .block(Duration.ofSeconds(10));
            Object count = keys.get(Long.toString(id));
            return count == null ? 0 : ((Number) count).longValue();
        }).sum();
    }

    static long totalQueries(List<Replica> replicas) {
        return replicas.stream().mapToLong(r -> r.count("db", "queries")).sum();
    }

    /**
     * A renewal slower than the renewal interval (the holder's event loop or Redis busy under the
     * herd) must not end the renewals: Redis is paused for 2.5 intervals right after a
     * renewal (CLIENT PAUSE; Redis expires nothing meanwhile), so the next renewal is still waiting
     * when the one after it falls due; the lease
     * (three intervals) outlives the pause. The renewal loop is the same for both leases.
     */
    @Test
    void aRenewalSlowerThanItsIntervalKeepsTheLease() throws Exception {
        long hot = 21;
        long before = db.userIndexScansAfterClose();
        try (PrivateRedis redis = PrivateRedis.start(null)) {
            long queries = withReplicas(2, redis.url(0), "lua", List.of("--herd.db.query-delay=8s",
                    "--herd.mitigation.lease-time=3s", "--herd.mitigation.wait-timeout=20s"), replicas -> {
                RedisClient client = RedisClient.create(redis.url(0));
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    RedisCommands<String, String> commands = connection.sync();
                    CompletableFuture<Outcome> leader = getAsync(replicas.get(0), hot);
                    awaitSlowQuery(db);
                    List<String> leases = commands.keys("*{user:" + hot + "}:lease"); // a Redis of this test's own
                    assertThat(leases).hasSize(1);
                    String lease = leases.get(0);
                    // right after a renewal (the lease's PTTL jumps back up), pause Redis for 2.5 s
                    long previous = commands.pttl(lease);
                    boolean renewed = false;
                    for (int i = 0; i < 300 && !renewed; i++) {
                        Thread.sleep(10);
                        long ttl = commands.pttl(lease);
                        renewed = ttl > previous + 200;
                        previous = ttl;
                    }
                    assertThat(renewed).as("the holder renews its lease").isTrue();
                    commands.clientPause(2_500);
                    List<CompletableFuture<Outcome>> followers = burst(replicas.subList(1, 2), 10, hot);
                    assertThat(leader.join().status()).isEqualTo(200);
                    assertThat(all(followers)).allMatch(o -> o.status() == 200);
                    assertThat(replicas.get(0).count("coalesce", "leaseLost")).isZero();
                    assertThat(replicas.get(1).count("db", "queries")).as("loads on the followers' replica").isZero();
                    return totalQueries(replicas);
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
                finally {
                    client.shutdown();
                }
            });
            assertThat(queries).isEqualTo(1);
        }
        assertThat(db.userIndexScansAfterClose() - before).as("PostgreSQL's reads of the key").isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void aHotKeyBehindAPoolSaturatedForLongerThanTheLeaseIsReadOnce(String preset) {
        long hot = preset.equals("lua") ? 1 : 2;
        long before = db.userIndexScansAfterClose();
        long herdlabQueries = withReplicas(3, TestDatabase.REDIS_URL, preset,
                List.of("--spring.r2dbc.pool.max-size=2", "--spring.r2dbc.pool.initial-size=2",
                        "--herd.db.query-delay=2s"), replicas -> {
                    // 8 loads of other keys per replica: each pool of 2 is busy for 8 s, past the 5 s lease
                    List<CompletableFuture<Outcome>> others = new ArrayList<>();
                    for (int i = 0; i < 24; i++) {
                        others.add(getAsync(replicas.get(i % 3), 100 + hot * 100 + i));
                    }
                    List<Outcome> hotOutcomes = all(burst(replicas, 150, hot));
                    assertThat(hotOutcomes).as("every request for the hot key").allMatch(o -> o.status() == 200);
                    assertThat(all(others)).allMatch(o -> o.status() == 200);
                    assertThat(keyQueries(replicas, hot)).as("herdlab's loads of the hot key").isEqualTo(1);
                    assertThat(replicas.stream().mapToLong(r -> r.count("coalesce", "leaseExtended")).sum())
                            .as("the leader renewed its lease while it queued").isPositive();
                    return totalQueries(replicas);
                });
        assertThat(herdlabQueries).isEqualTo(25);
        assertThat(db.userIndexScansAfterClose() - before).as("PostgreSQL's look-ups").isEqualTo(herdlabQueries);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void aClientThatGoesAwayNeitherOrphansTheLeaseNorStopsTheFill(String preset) throws Exception {
        long id = preset.equals("lua") ? 20 : 21;
        long before = db.userIndexScansAfterClose();
        withReplicas(2, TestDatabase.REDIS_URL, preset, List.of("--herd.db.query-delay=3s"), replicas -> {
            Replica a = replicas.get(0);
            Replica b = replicas.get(1);
            try (Socket client = new Socket("127.0.0.1", a.port())) {
                OutputStream out = client.getOutputStream();
                out.write(("GET /users/" + id + " HTTP/1.1\r\nHost: herdlab\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                awaitSlowQuery(db);
            } // the client hangs up while its request holds the lease and the load runs
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
            long start = System.nanoTime();
            List<Outcome> followers = all(burst(List.of(b), 20, id));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(followers).allMatch(o -> o.status() == 200 && o.body().contains("\"id\":" + id));
            assertThat(waitedMs).as("followers woke on the detached leader's fill, not at the lease's expiry")
                    .isLessThan(3_500);
            assertThat(keyQueries(replicas, id)).isEqualTo(1);
            awaitCount(a, "callerLeft", 1);
            return null;
        });
        assertThat(db.userIndexScansAfterClose() - before).as("PostgreSQL's look-ups").isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void anUnknownIdIsReadOnceAndEveryFollowerGets404AtOnce(String preset) {
        long before = db.userIndexScansAfterClose();
        long[] warmUpLoads = {0};
        withReplicas(2, TestDatabase.REDIS_URL, preset, List.of("--herd.db.query-delay=3s"), replicas -> {
            all(burst(replicas, 200, 9_000_001)); // warms both replicas' code paths and connections
            warmUpLoads[0] = totalQueries(replicas);
            replicas.forEach(r -> r.adminPost("reset", Map.of()));
            CompletableFuture<Outcome> leader = getAsync(replicas.get(0), 9_000_000);
            try {
                awaitSlowQuery(db);
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
            List<Outcome> outcomes = new ArrayList<>(all(burst(replicas, 199, 9_000_000)));
            outcomes.add(leader.join());
            assertThat(totalQueries(replicas)).as("one load for the whole burst; %s",
                    replicas.stream().map(r -> r.snapshot().get("coalesce")).toList()).isEqualTo(1);
            assertThat(outcomes).as("negative caching is off under " + preset).allMatch(o -> o.status() == 404);
            assertThat(outcomes).as("followers answered with the leader, not after a load of their own")
                    .allMatch(o -> o.millis() < 3_000 + 1_500);
            return null;
        });
        assertThat(db.userIndexScansAfterClose() - before).as("PostgreSQL's look-ups").isEqualTo(warmUpLoads[0] + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void oneReplicasBulkheadRejectionStaysOnThatReplica(String preset) throws Exception {
        long busy = preset.equals("lua") ? 30 : 32;
        long hot = busy + 1;
        String prefix = TestDatabase.keyPrefix(LeaseUnderStressTest.class);
        String[] common = {"--herd.mitigation.preset=" + preset, "--herd.db.query-delay=2s"};
        try (Replica a = Replica.start("bulkhead-1", db, prefix, concat(common, "--herd.mitigation.bulkhead=1"));
             Replica b = Replica.start("roomy", db, prefix, common)) {
            CompletableFuture<Outcome> occupying = getAsync(a, busy);
            awaitSlowQuery(db);
            List<CompletableFuture<Outcome>> onA = burst(List.of(a), 5, hot);
            List<CompletableFuture<Outcome>> onB = burst(List.of(b), 40, hot);
            assertThat(all(onB)).as("the idle replica is not told the other's rejection is a failure")
                    .allMatch(o -> o.status() == 200);
            assertThat(all(onA)).allMatch(o -> o.status() == 200 || o.status() == 503);
            assertThat(occupying.join().status()).isEqualTo(200);
            assertThat(keyQueries(List.of(a, b), hot)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void aTableLockedForEightSecondsDuringABurstHoldsOneLoadAndEveryRequest(String preset) throws Exception {
        long hot = preset.equals("lua") ? 40 : 41;
        long before = db.userIndexScansAfterClose();
        withReplicas(3, TestDatabase.REDIS_URL, preset, List.of("--herd.db.query-delay=0"), replicas -> {
            try (Connection lock = lockUsers()) {
                List<CompletableFuture<Outcome>> requests = burst(replicas, 150, hot);
                Thread.sleep(8_000);
                lock.rollback();
                List<Outcome> outcomes = all(requests);
                assertThat(outcomes).allMatch(o -> o.status() == 200);
                assertThat(outcomes).as("nobody waits past the lock by more than a bound")
                        .allMatch(o -> o.millis() < 8_000 + 3_000);
                assertThat(totalQueries(replicas)).isEqualTo(1);
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
            return null;
        });
        assertThat(db.userIndexScansAfterClose() - before).as("PostgreSQL's look-ups").isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "full"})
    void aStatementPastItsDeadlineFailsFastAndFreesItsKey(String preset) throws Exception {
        long hot = preset.equals("lua") ? 50 : 51;
        withReplicas(2, TestDatabase.REDIS_URL, preset, List.of("--herd.db.query-delay=0",
                "--herd.db.statement-timeout=2s"), replicas -> {
            try (Connection lock = lockUsers()) {
                List<Outcome> outcomes = all(burst(replicas, 60, hot));
                assertThat(outcomes).as("the leader's deadline passed; its followers were told at once")
                        .allMatch(o -> o.status() == 503 && o.millis() < 2_000 + 1_500);
                assertThat(outcomes).anyMatch(o -> o.body().contains("did not answer within its deadline"))
                        .anyMatch(o -> o.body().contains("failed on the replica holding its lease"))
                        .noneMatch(o -> o.body().contains("canceling statement"));
                lock.rollback();
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
            RedisClient check = RedisClient.create(TestDatabase.REDIS_URL);
            try (StatefulRedisConnection<String, String> redis = check.connect()) {
                assertThat(redis.sync().keys("*{user:" + hot + "}:lease")).as("the key was freed").isEmpty();
            }
            finally {
                check.shutdown();
            }
            assertThat(getAsync(replicas.get(1), hot).join().status()).isEqualTo(200);
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void aRedisKilledAndRestartedSendsLoadsStraightToTheDatabaseThenCoalescesAgain(String preset) {
        try (PrivateRedis redis = PrivateRedis.start(null)) {
            withReplicas(2, redis.url(0), preset, List.of("--herd.db.query-delay=100ms"), replicas -> {
                assertThat(all(burst(replicas, 20, 60))).allMatch(o -> o.status() == 200);
                redis.kill();
                List<Outcome> down = all(burst(replicas, 20, 61));
                assertThat(down).as("Redis down: straight to the guarded database")
                        .allMatch(o -> o.status() == 200 && o.millis() < 1_500);
                redis.start();
                awaitReconnected(replicas);
                long queries = totalQueries(replicas);
                List<Outcome> back = all(burst(replicas, 100, 63));
                assertThat(back).allMatch(o -> o.status() == 200);
                assertThat(totalQueries(replicas) - queries).as("coalescing again after the restart").isEqualTo(1);
                return null;
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void aRedisUrlWithAPasswordAndADatabaseIndexServesBothClients(String preset) {
        long hot = preset.equals("lua") ? 70 : 71;
        long before = db.userIndexScansAfterClose();
        try (PrivateRedis redis = PrivateRedis.start("s3cret-pass")) {
            withReplicas(3, redis.url(7), preset, List.of("--herd.db.query-delay=500ms"), replicas -> {
                List<Outcome> outcomes = all(burst(replicas, 300, hot));
                assertThat(outcomes).allMatch(o -> o.status() == 200);
                assertThat(totalQueries(replicas)).isEqualTo(1);
                RedisClient check = RedisClient.create(redis.url(7));
                try (StatefulRedisConnection<String, String> conn = check.connect()) {
                    assertThat(conn.sync().keys("*{user:" + hot + "}")).as("the value lives in database 7").hasSize(1);
                }
                finally {
                    check.shutdown();
                }
                return null;
            });
        }
        assertThat(db.userIndexScansAfterClose() - before).as("PostgreSQL's look-ups").isEqualTo(1);
    }

    /**
     * Waits until every replica's Lettuce connection is back after a Redis restart, then a
     * little longer for Redisson's own reconnection (its ping runs every second).
     */
    static void awaitReconnected(List<Replica> replicas) {
        for (int i = 0; i < 100; i++) {
            if (replicas.stream().allMatch(r -> r.bean(RedisConnections.class).isOpen())) {
                break;
            }
            sleepQuietly(100);
        }
        sleepQuietly(3_000);
    }

    /** Waits up to 2 s for a counter the detached leader records once its work has ended. */
    static void awaitCount(Replica replica, String field, long expected) {
        for (int i = 0; i < 20 && replica.count("coalesce", field) < expected; i++) {
            sleepQuietly(100);
        }
        assertThat(replica.count("coalesce", field)).as(field).isEqualTo(expected);
    }

    static String[] concat(String[] a, String b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + 1);
        all[a.length] = b;
        return all;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
