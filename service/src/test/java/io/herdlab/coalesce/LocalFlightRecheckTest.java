package io.herdlab.coalesce;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache.Lookup;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A caller whose look-up missed just before the previous flight filled the key, and that reaches
 * the local flight just after it ended, finds the value instead of loading it again (the race
 * that made {@code local} read a hot key twice in one replica's burst now and then).
 */
class LocalFlightRecheckTest {

    @Test
    void aFlightThatBeginsAfterTheFillLoadsNothing() {
        try (TestDatabase db = TestDatabase.create(LocalFlightRecheckTest.class);
                Replica replica = Replica.start("recheck", db, TestDatabase.keyPrefix(LocalFlightRecheckTest.class),
                        "--herd.mitigation.preset=local", "--herd.db.query-delay=0")) {
            replica.adminPost("seed", Map.of("users", 10));
            assertThat(replica.getUser(3).getStatusCode().value()).isEqualTo(200); // loaded and filled
            Coalescer local = replica.bean(Coalescer.class);
            AtomicInteger loads = new AtomicInteger();

            // the look-up this caller made before the fill said "miss"
            CacheEntry entry = local.load(3, Lookup.miss(), () -> {
                loads.incrementAndGet();
                return Mono.error(new AssertionError("loaded a key that is cached"));
            }).block(Duration.ofSeconds(10));

            assertThat(loads).hasValue(0);
            assertThat(entry).isNotNull();
            assertThat(entry.json()).contains("\"id\":3");
            replica.adminPost("flush", Map.of());
        }
    }
}
