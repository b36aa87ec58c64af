package io.herdlab.lease;

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
 * Per-key structures are bounded: the per-key query counts stop growing at their bound (the
 * notices' own bound is {@code LeaseProtocolTest}'s).
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
