package io.herdlab.cache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.cache.RedisConnections;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A read that started before a PUT finishes after it. Every preset that coalesces refuses to
 * cache the old row (versioned fills against the PUT's tombstone, fencing for the leases);
 * {@code baseline} and {@code jitter} keep the lab guide's naive cache-aside, race included.
 */
class WriteRaceTest {

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = Replica.seededDatabase(WriteRaceTest.class, 100);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    /** Runs the race under {@code preset}; returns what the cache holds for the user afterwards. */
    static String race(String preset, long id) throws Exception {
        String prefix = TestDatabase.keyPrefix(WriteRaceTest.class);
        try (Replica replica = Replica.start("race-" + preset, db, prefix, "--herd.mitigation.preset=" + preset,
                "--herd.db.query-delay=2s", "--herd.mitigation.stale-while-revalidate=false")) {
            RedisClusterCommands<String, String> redis = replica.bean(RedisConnections.class).sync();
            CompletableFuture<ResponseEntity<String>> slowRead = replica.client().get().uri("/users/" + id)
                    .exchangeToMono(r -> r.toEntity(String.class)).toFuture();
            Thread.sleep(500);
            ResponseEntity<String> put = replica.client().put().uri("/users/" + id)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"name\":\"Renamed " + preset + "\",\"email\":\"renamed@herdlab.test\"}")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(10));
            assertThat(put.getStatusCode().value()).isEqualTo(200);
            assertThat(slowRead.get().getBody()).as("the slow read saw the row as it was")
                    .contains("\"name\":\"User " + id + "\"");
            return redis.get(prefix + "{user:" + id + "}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "lua", "redisson", "full"})
    void aFillThatStartedBeforeAnUpdateNeverLeavesTheOldRowCached(String preset) throws Exception {
        long id = 10 + preset.length();
        String cached = race(preset, id);
        assertThat(cached).as("what " + preset + " caches after the PUT").satisfiesAnyOf(
                value -> assertThat(value).isNull(),
                value -> assertThat(value).startsWith("T|"),
                value -> assertThat(value).contains("Renamed " + preset));
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline", "jitter"})
    void theNaiveCacheAsideCachesTheOldRowAfterTheUpdate(String preset) throws Exception {
        long id = 30 + preset.length();
        assertThat(race(preset, id)).as("the lab guide's race, kept on purpose under " + preset)
                .contains("\"name\":\"User " + id + "\"");
    }
}
