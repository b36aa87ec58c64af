package io.herdlab.lab.data;

import java.util.List;
import java.util.Map;

import io.herdlab.lab.analysis.Histograms;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The lab's readers of Redis INFO and Prometheus text, and the histogram arithmetic, on known input. */
class ProbesTest {

    @Test
    void commandStatsBecomeCallsPerCommandAndTheLabsOwnAreLeftOut() {
        Map<String, Long> before = RedisProbe.parseCommandStats("""
                # Commandstats\r
                cmdstat_get:calls=10,usec=20,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r
                cmdstat_info:calls=1,usec=5,usec_per_call=5.00\r
                """);
        Map<String, Long> after = RedisProbe.parseCommandStats("""
                # Commandstats
                cmdstat_get:calls=110,usec=20,usec_per_call=2.00
                cmdstat_set:calls=40,usec=20
                cmdstat_evalsha:calls=40,usec=20
                cmdstat_client|setname:calls=3,usec=1
                cmdstat_info:calls=2,usec=5
                """);
        assertThat(RedisProbe.delta(before, after)).containsExactly(Map.entry("client|setname", 3L),
                Map.entry("evalsha", 40L), Map.entry("get", 100L), Map.entry("set", 40L));
    }

    @Test
    void wakeUpIsTheDifferenceOfTheCumulativeBucketsOverModesAndReplicas() {
        String before = """
                # TYPE herd_coalesce_wait_seconds histogram
                herd_coalesce_wait_seconds_bucket{mode="lua",replica="replica-1",le="0.001"} 1
                herd_coalesce_wait_seconds_bucket{mode="lua",replica="replica-1",le="0.01"} 1
                herd_coalesce_wait_seconds_bucket{mode="lua",replica="replica-1",le="0.1"} 1
                herd_coalesce_wait_seconds_bucket{mode="lua",replica="replica-1",le="+Inf"} 1
                herd_coalesce_wait_seconds_count{mode="lua",replica="replica-1"} 1
                herd_db_query_seconds_bucket{replica="replica-1",le="0.1"} 500
                """;
        String after1 = before.replace("} 1", "} 1").replace("le=\"0.01\"} 1", "le=\"0.01\"} 51")
                .replace("le=\"0.1\"} 1", "le=\"0.1\"} 100").replace("le=\"+Inf\"} 1", "le=\"+Inf\"} 101");
        String after2 = """
                herd_coalesce_wait_seconds_bucket{mode="local",replica="replica-2",le="0.001"} 0
                herd_coalesce_wait_seconds_bucket{mode="local",replica="replica-2",le="0.01"} 0
                herd_coalesce_wait_seconds_bucket{mode="local",replica="replica-2",le="0.1"} 0
                herd_coalesce_wait_seconds_bucket{mode="local",replica="replica-2",le="+Inf"} 0
                """;
        RunData.Histogram h = WakeUp.between(List.of(before, ""), List.of(after1, after2));
        assertThat(h.bounds()).containsExactly(0.001, 0.01, 0.1, Double.POSITIVE_INFINITY);
        assertThat(h.counts()).containsExactly(0, 50, 99, 100);
        // half of the 100 waits fell in (1 ms, 10 ms]: the median is at its upper end
        assertThat(Histograms.cumulativePercentile(h, 0.5)).isCloseTo(0.01, within(1e-9));
        assertThat(Histograms.cumulativePercentile(h, 0.99)).isCloseTo(0.1, within(1e-9));
        assertThat(Histograms.cumulativePercentile(RunData.Histogram.EMPTY, 0.5)).isNaN();
    }

    @Test
    void commandsSentAndLeaseOutcomesAreTheGrowthOfTheCountersSummedOverReplicas() {
        String before1 = """
                # HELP herd_redis_commands_total
                # TYPE herd_redis_commands_total counter
                herd_redis_commands_total{client="lettuce",command="GET",replica="replica-1"} 400.0
                herd_redis_commands_total{client="lettuce",command="EVALSHA",replica="replica-1"} 10.0
                herd_redis_commands_total_created{client="lettuce",command="GET",replica="replica-1"} 1.7E9
                herd_lease_total{mode="lua",outcome="acquired",replica="replica-1"} 3.0
                """;
        String after1 = """
                herd_redis_commands_total{client="lettuce",command="GET",replica="replica-1"} 700.0
                herd_redis_commands_total{client="lettuce",command="EVALSHA",replica="replica-1"} 60.0
                herd_redis_commands_total{client="redisson",command="EVALSHA",replica="replica-1"} 5.0
                herd_redis_commands_total{client="lettuce",command="PING",replica="replica-1"} 0.0
                herd_lease_total{mode="lua",outcome="acquired",replica="replica-1"} 23.0
                herd_lease_total{mode="tiered",outcome="backstop",replica="replica-1"} 2.0
                """;
        String before2 = "herd_redis_commands_total{client=\"lettuce\",command=\"GET\",replica=\"replica-2\"} 1\n";
        String after2 = "herd_redis_commands_total{client=\"lettuce\",command=\"GET\",replica=\"replica-2\"} 101\n";

        assertThat(Prometheus.growth(List.of(before1, before2), List.of(after1, after2), Prometheus.REDIS_COMMANDS,
                "command", true)).containsExactly(Map.entry("EVALSHA", 55L), Map.entry("GET", 400L));
        // a replica without the lease counter has had no lease event: counted as none
        assertThat(Prometheus.growth(List.of(before1, before2), List.of(after1, after2), Prometheus.LEASE, "outcome",
                false)).containsExactly(Map.entry("acquired", 20L), Map.entry("backstop", 2L));
        // a replica that does not count the commands it sends: unknown, not 0
        assertThat(Prometheus.growth(List.of(before1, ""), List.of(after1, "# nothing here\n"),
                Prometheus.REDIS_COMMANDS, "command", true)).isNull();
        assertThat(Prometheus.sumBy("herd_other_total 3\n", Prometheus.LEASE, "outcome")).isNull();
    }
}
