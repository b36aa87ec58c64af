package io.herdlab.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.herdlab.contract.HerdSnapshot.Coalesce;
import io.herdlab.contract.LeaseOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HerdMetrics#lease(String, LeaseOutcome, long)}: every outcome is counted as {@code herd.lease};
 * those that can explain a duplicate load are also kept per key, bounded, until the reset.
 */
class LeaseEventsTest {

    final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void theOutcomesThatExplainADuplicateAreKeptPerKeyTheOthersOnlyCounted() {
        HerdMetrics metrics = new HerdMetrics(registry, Duration.ofSeconds(5), 1000, Clock.systemUTC());
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.ACQUIRED, 42);
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.LOST, 42);
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.LOST, 42);
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.BACKSTOP, 42);
        metrics.lease(CoalesceScope.REDISSON, LeaseOutcome.FENCED, 7);
        for (LeaseOutcome outcome : new LeaseOutcome[] {LeaseOutcome.REFUSED, LeaseOutcome.RELEASED,
                LeaseOutcome.TAKEOVER, LeaseOutcome.DIRECT}) {
            metrics.lease(CoalesceScope.REDISSON, outcome, 9);
        }
        for (LeaseOutcome outcome : new LeaseOutcome[] {LeaseOutcome.BUSY, LeaseOutcome.EXTENDED, LeaseOutcome.ERROR,
                LeaseOutcome.CALLER_LEFT}) {
            metrics.lease(CoalesceScope.LUA, outcome, 5);
        }

        assertThat(metrics.leaseEventsPerKey()).containsExactly(
                Map.entry(7L, Map.of("fenced", 1L)),
                Map.entry(9L, Map.of("refused", 1L, "released", 1L, "takeover", 1L, "direct", 1L)),
                Map.entry(42L, Map.of("lost", 2L, "backstop", 1L)));
        assertThat(counter("lua", "lost")).isEqualTo(2);
        assertThat(counter("lua", "acquired")).isEqualTo(1);
        assertThat(counter("lua", "caller-left")).as("counted, not kept per key").isEqualTo(1);
        assertThat(counter("redisson", "fenced")).isEqualTo(1);
        assertThat(metrics.coalesceSnapshot()).extracting(Coalesce::leaseLost, Coalesce::fenced, Coalesce::callerLeft,
                Coalesce::leaseBackstops, Coalesce::leaseTakeovers, Coalesce::leaseEventsUntracked)
                .containsExactly(2L, 1L, 1L, 1L, 1L, 0L);
    }

    @Test
    void atMostTheTrackedKeysAreRememberedAndTheResetClearsThem() {
        HerdMetrics metrics = new HerdMetrics(registry, Duration.ofSeconds(5), 2, Clock.systemUTC());
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.LOST, 1);
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.REFUSED, 2);
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.LOST, 3);
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.RELEASED, 1);
        // an outcome that is not kept per key does not take a slot
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.ACQUIRED, 4);

        assertThat(metrics.leaseEventsPerKey()).containsOnlyKeys(1L, 2L);
        assertThat(metrics.leaseEventsPerKey().get(1L)).containsExactly(Map.entry("lost", 1L), Map.entry("released", 1L));
        assertThat(metrics.coalesceSnapshot().leaseEventsUntracked()).isEqualTo(1L);
        assertThat(counter("lua", "lost")).as("the counter counts the untracked key too").isEqualTo(2);

        metrics.reset();
        assertThat(metrics.leaseEventsPerKey()).isEmpty();
        assertThat(metrics.coalesceSnapshot().leaseEventsUntracked()).isZero();
        metrics.lease(CoalesceScope.LUA, LeaseOutcome.BACKSTOP, 3);
        assertThat(metrics.leaseEventsPerKey()).containsExactly(Map.entry(3L, Map.of("backstop", 1L)));
        assertThat(counter("lua", "lost")).as("Prometheus counters never reset").isEqualTo(2);
    }

    private double counter(String mode, String outcome) {
        return registry.get("herd.lease").tags("mode", mode, "outcome", outcome).counter().count();
    }
}
