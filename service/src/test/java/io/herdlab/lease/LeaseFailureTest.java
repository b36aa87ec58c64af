package io.herdlab.lease;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.cache.RedisConnections;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What happens when the one loader goes wrong: it fails, it hangs past its lease, it dies,
 * or a write lands while it is still loading the old row.
 */
class LeaseFailureTest {

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = Replica.seededDatabase(LeaseFailureTest.class, 100);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    /** A request in flight; its status and how long it took. */
    record Outcome(int status, long millis, String body) {
    }

    static CompletableFuture<Outcome> getAsync(Replica replica, long id) {
        long start = System.nanoTime();
        return replica.client().get().uri("/users/" + id)
                .exchangeToMono(r -> r.toEntity(String.class))
                .map(r -> new Outcome(r.getStatusCode().value(), (System.nanoTime() - start) / 1_000_000, r.getBody()))
                .toFuture();
    }

    /** Kills the backend running the slow user query: the leader's load fails mid-flight. */
    static int killSlowQueries() {
        return (int) db.queryLong("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()");
    }

    static void awaitSlowQuery() throws InterruptedException {
        awaitSlowQuery(db);
    }

    /** Waits until a user query with its simulated cost runs in {@code db}. */
    static void awaitSlowQuery(TestDatabase db) throws InterruptedException {
        db.awaitSlowQuery();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "lua", "redisson"})
    void theLeadersFailureReachesEveryFollowerLongBeforeTheirTimeout(String preset) throws Exception {
        String prefix = TestDatabase.keyPrefix(LeaseFailureTest.class);
        String[] args = {"--herd.mitigation.preset=" + preset, "--herd.db.query-delay=5s",
                "--herd.mitigation.wait-timeout=20s", "--herd.mitigation.lease-time=20s"};
        try (Replica a = Replica.start(preset + "-a", db, prefix, args);
             Replica b = Replica.start(preset + "-b", db, prefix, args)) {
            CompletableFuture<Outcome> leader = getAsync(a, 7);
            awaitSlowQuery();
            List<CompletableFuture<Outcome>> followers = new ArrayList<>();
            // in local mode only replica a's followers share a's load; b loads on its own
            List<Replica> followerReplicas = preset.equals("local") ? List.of(a) : List.of(a, b);
            for (int i = 0; i < 20; i++) {
                followers.add(getAsync(followerReplicas.get(i % followerReplicas.size()), 7));
            }
            awaitFollowers(List.of(a, b), 20);
            long killedAt = System.nanoTime();
            assertThat(killSlowQueries()).isPositive();

            assertThat(leader.get().status()).isEqualTo(503);
            for (CompletableFuture<Outcome> follower : followers) {
                Outcome outcome = follower.get();
                assertThat(outcome.status()).as("follower under " + preset + ": " + outcome).isEqualTo(503);
                assertThat(outcome.body()).contains("Service unavailable");
            }
            long afterKillMs = (System.nanoTime() - killedAt) / 1_000_000;
            assertThat(afterKillMs).as("followers failed fast, not at their 20 s timeout").isLessThan(5_000);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void aLeaderSlowerThanItsLeaseKeepsItAndLoadsOnce(String preset) throws Exception {
        String prefix = TestDatabase.keyPrefix(LeaseFailureTest.class);
        long id = preset.equals("lua") ? 8 : 12;
        String[] args = {"--herd.mitigation.preset=" + preset, "--herd.db.query-delay=3s",
                "--herd.mitigation.lease-time=1s", "--herd.mitigation.wait-timeout=8s"};
        long readsBefore = db.userIndexScansAfterClose();
        try (Replica a = Replica.start("slow-a", db, prefix, args);
             Replica b = Replica.start("slow-b", db, prefix, args)) {
            CompletableFuture<Outcome> leader = getAsync(a, id);
            awaitSlowQuery();
            List<CompletableFuture<Outcome>> followers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                followers.add(getAsync(b, id));
            }
            assertThat(leader.get().status()).isEqualTo(200);
            for (CompletableFuture<Outcome> follower : followers) {
                Outcome outcome = follower.get();
                assertThat(outcome.status()).as(outcome.toString()).isEqualTo(200);
                assertThat(outcome.body()).contains("\"id\":" + id);
            }
            // the 3 s load outlived the 1 s lease three times over: the holder renewed it, nobody took over.
            // (A follower whose poll finds the lease free just after the fill may still take it: its
            // re-check finds the value and hands it back, so b never queries the database.)
            assertThat(a.count("coalesce", "leaseExtended")).isGreaterThanOrEqualTo(2);
            assertThat(a.count("coalesce", "leaseLost")).isZero();
            assertThat(b.count("db", "queries")).as("loads on the followers' replica").isZero();
        }
        // the replicas' backends have exited and reported their statistics
        assertThat(db.userIndexScansAfterClose() - readsBefore).as("PostgreSQL's reads of the key").isEqualTo(1);
    }

    @Test
    void aLeaseHolderThatDiesFreesTheKeyWhenItsLeaseRunsOut() throws Exception {
        String prefix = TestDatabase.keyPrefix(LeaseFailureTest.class);
        String[] args = {"--herd.mitigation.preset=lua", "--herd.db.query-delay=3s",
                "--herd.mitigation.lease-time=1s", "--herd.mitigation.wait-timeout=10s"};
        Replica doomed = Replica.start("doomed", db, prefix, args);
        try (Replica survivor = Replica.start("survivor", db, prefix, args)) {
            RedisClusterCommands<String, String> redis = survivor.bean(RedisConnections.class).sync();
            getAsync(doomed, 9);
            awaitSlowQuery();
            assertThat(redis.exists(prefix + "{user:9}:lease")).isEqualTo(1);
            doomed.close(); // the holder is gone mid-load, its lease still in Redis
            Thread.sleep(1_200);
            assertThat(redis.exists(prefix + "{user:9}:lease")).as("the lease expired by itself").isZero();

            Outcome next = getAsync(survivor, 9).get();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).contains("\"id\":9");
        }
        finally {
            doomed.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void aWriteDuringASlowLoadIsNeverOverwrittenByTheOldRow(String preset) throws Exception {
        String prefix = TestDatabase.keyPrefix(LeaseFailureTest.class);
        long id = preset.equals("lua") ? 10 : 11;
        try (Replica replica = Replica.start("fence-" + preset, db, prefix, "--herd.mitigation.preset=" + preset,
                "--herd.db.query-delay=2s", "--herd.mitigation.lease-time=10s")) {
            RedisClusterCommands<String, String> redis = replica.bean(RedisConnections.class).sync();
            CompletableFuture<Outcome> slowRead = getAsync(replica, id);
            awaitSlowQuery();
            ResponseEntity<String> put = replica.client().put().uri("/users/" + id)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"name\":\"Updated " + preset + "\",\"email\":\"new@herdlab.test\"}")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(10));
            assertThat(put.getStatusCode().value()).isEqualTo(200);

            Outcome old = slowRead.get();
            assertThat(old.status()).isEqualTo(200);
            assertThat(old.body()).as("the slow read saw the row as it was").contains("\"name\":\"User " + id + "\"");
            String cached = redis.get(prefix + "{user:" + id + "}");
            assertThat(cached).as("the old row was not written back").satisfiesAnyOf(
                    value -> assertThat(value).isNull(),
                    value -> assertThat(value).startsWith("T|"),
                    value -> assertThat(value).contains("Updated " + preset));
            assertThat(replica.count("coalesce", "refused") + replica.count("coalesce", "fenced")).isEqualTo(1);
            assertThat(getAsync(replica, id).get().body()).contains("Updated " + preset);
        }
    }

    /** Waits until the replicas count {@code n} followers: every one of them is waiting. */
    static void awaitFollowers(List<Replica> replicas, long n) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            long followers = replicas.stream().mapToLong(r -> r.count("coalesce", "followers")).sum();
            if (followers >= n) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the followers never all arrived");
    }
}
