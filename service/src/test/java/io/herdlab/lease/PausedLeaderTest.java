package io.herdlab.lease;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.herdlab.ProcessReplica;
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

import static io.herdlab.lease.LeaseFailureTest.awaitSlowQuery;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lease holder frozen mid-load ({@code SIGSTOP}) for longer than its lease, while another
 * replica loads the key and a PUT lands; resumed ({@code SIGCONT}), its fill of the old row
 * must be fenced: the cache never holds it.
 */
class PausedLeaderTest {

    static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = Replica.seededDatabase(PausedLeaderTest.class, 100);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lua", "redisson"})
    void aResumedLeaderNeverCachesTheRowItReadBeforeTheUpdate(String preset) throws Exception {
        long id = preset.equals("lua") ? 5 : 6;
        String prefix = TestDatabase.keyPrefix(PausedLeaderTest.class);
        String[] args = {"--herd.mitigation.preset=" + preset, "--herd.db.query-delay=2s",
                "--herd.mitigation.lease-time=2s"};
        long before = db.userIndexScansAfterClose();
        try (ProcessReplica paused = ProcessReplica.start("paused-" + preset, db.r2dbcUrl(), TestDatabase.REDIS_URL,
                prefix, args);
             Replica other = Replica.start("other-" + preset, db, prefix, args)) {
            RedisClusterCommands<String, String> redis = other.bean(RedisConnections.class).sync();
            String valueKey = prefix + "{user:" + id + "}";

            CompletableFuture<HttpResponse<String>> frozen = paused.getAsync("/users/" + id);
            awaitSlowQuery(db);
            paused.pause(); // holds the lease, its query runs on in PostgreSQL
            Thread.sleep(2_000 + 1_000); // past the lease time: nobody renews it
            assertThat(redis.exists(prefix + "{user:" + id + "}:lease")).as("the frozen holder's lease expired")
                    .isZero();

            ResponseEntity<String> loaded = other.client().get().uri("/users/" + id)
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(30));
            assertThat(loaded.getStatusCode().value()).isEqualTo(200);
            ResponseEntity<String> put = other.client().put().uri("/users/" + id)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"name\":\"Renamed\",\"email\":\"renamed@herdlab.test\"}")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(30));
            assertThat(put.getStatusCode().value()).isEqualTo(200);

            paused.resume();
            HttpResponse<String> late = frozen.get();
            assertThat(late.statusCode()).as("the frozen request answers with what it read").isEqualTo(200);
            assertThat(late.body()).contains("\"name\":\"User " + id + "\"");

            String cached = redis.get(valueKey);
            assertThat(cached).as("the resumed holder's old row was fenced off")
                    .satisfiesAnyOf(v -> assertThat(v).startsWith("T|"), v -> assertThat(v).contains("Renamed"));
            // its fill was refused; its renewal, ticking again on SIGCONT, may also have found the lease gone
            assertThat(paused.count("coalesce", "fenced") + paused.count("coalesce", "leaseLost")
                    + paused.count("coalesce", "refused")).isBetween(1L, 2L);
            ResponseEntity<String> after = other.client().get().uri("/users/" + id)
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(30));
            assertThat(after.getBody()).contains("Renamed");
        }
        // the frozen holder's read, the other replica's takeover, the UPDATE's own look-up, the read after it
        assertThat(db.userIndexScansAfterClose() - before).isEqualTo(4);
    }
}
