package io.herdlab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.herdlab.RepositoryRoot;
import io.herdlab.TestDatabase;
import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.data.AdminClient;
import io.herdlab.lab.data.RecordedRun;
import io.herdlab.lab.report.Report;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end test: {@code lab --profile=quick} (2 replicas as separate JVMs, Artillery's warm
 * and tail, the spike stage's 1,000-request burst) against the machine's PostgreSQL and Redis,
 * then what the lab exists to show. Of the profile's three experiments it runs baseline (the herd)
 * and full (the fix, jittered as jitter is: the report's jitter section comes from it); the
 * profile's list is {@code LabOptionsTest}'s, a recorded jitter run {@code RecordedRunTest}'s.
 * The replicas run C1 only and stop without Netty's quiet period: they start on half the CPU, and
 * what is asserted is the pool's meltdown, not the JIT's. Installs Artillery from the lock file if
 * artillery/node_modules is missing (needs npm).
 *
 * <p>The spike must leave as a burst (send spread P99 ≤ 1 s) and the baseline's spike P99 must
 * reach 1.5 s and 5× the warm phase's. On a machine too loaded for the client to send the burst,
 * the test instead asserts that the report flags the spike as not a burst — the lab's promise is
 * to say so, not to compare it.
 */
class LabQuickProfileTest {

    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = TestDatabase.create(LabQuickProfileTest.class);
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    @Test
    @Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
    void quickProfileShowsTheHerdAndItsFix() throws Exception {
        Path out = Path.of("target", "lab-quick-test");
        // the replicas run the service module's jar, as make lab does (the reactor packages it first)
        Path serviceJar = RepositoryRoot.path(LabOptions.SERVICE_JAR);
        assertThat(serviceJar).as("the service jar: mvn package builds it").isRegularFile();
        LabOptions options = LabOptions.parse(
                "--profile=quick",
                "--experiments=baseline,full",
                "--replica-jvm=-Xmx512m,-XX:+UseSerialGC,-XX:TieredStopAtLevel=1",
                "--postgres=jdbc:postgresql://" + TestDatabase.HOST + ":" + TestDatabase.PORT + "/" + db.name(),
                "--redis=" + TestDatabase.REDIS_URL,
                "--key-prefix=" + TestDatabase.keyPrefix(LabQuickProfileTest.class),
                "--jar=" + serviceJar,
                "--artillery=" + RepositoryRoot.path("artillery"),
                "--out=" + out);

        Report report = new Lab(options, System.out, false).run();

        Path dir = report.dir();
        Map<String, JsonNode> byPreset = summaries(dir);
        assertThat(byPreset.keySet()).containsExactlyInAnyOrder("baseline", "full");
        byPreset.forEach((preset, s) -> assertThat(s.path("ok").asBoolean())
                .as(preset + " ran: " + s.path("failure").asString("")).isTrue());
        JsonNode baseline = byPreset.get("baseline");
        JsonNode full = byPreset.get("full");
        String md = Files.readString(dir.resolve("report.md"));
        // the spike's delivery is measured client-side in every run
        JsonNode burst = baseline.path("burst");
        assertThat(burst.path("planned").asInt()).isEqualTo(1000);
        assertThat(burst.path("spreadP99Ms").asDouble()).isGreaterThanOrEqualTo(0);
        // the herd: the expiry emptied the cache and the pools ran out of connections
        JsonNode server = baseline.path("server");
        assertThat(server.path("hitRatioAfterExpiry").asDouble()).isLessThan(0.5);
        assertThat(server.path("poolAcquiredPeak").asInt()).isEqualTo(server.path("poolMaxSize").asInt());
        // the fix: fewer DB loads
        assertThat(full.path("server").path("dbQueries").asLong()).isLessThan(server.path("dbQueries").asLong());
        if (baseline.path("spikeIsBurst").asBoolean()) {
            assertThat(burst.path("spreadP99Ms").asDouble()).isLessThanOrEqualTo(1000);
            assertThat(md).contains("burst: 1000/1000");
            // the meltdown: 1,000 distinct misses over 2 × 10 connections at 50 ms drain in about 2.5 s
            double spikeP99 = baseline.path("latency").path("serverSpike").get(2).asDouble();
            double warmP99 = baseline.path("latency").path("serverWarm").get(2).asDouble();
            assertThat(spikeP99).isGreaterThanOrEqualTo(1500).isGreaterThanOrEqualTo(5 * warmP99);
            if (full.path("spikeIsBurst").asBoolean()) {
                assertThat(full.path("latency").path("serverSpike").get(2).asDouble()).isLessThan(spikeP99);
            }
        }
        else {
            assertThat(md).contains("**NOT A BURST**", "did not arrive as a burst");
        }
        assertThat(md).contains("baseline", "jitter", "P99", "pg_stat_activity", "deferred past the run");
        assertThat(dir.resolve("report.html")).isRegularFile();
        try (Stream<Path> charts = Files.list(dir.resolve("charts"))) {
            assertThat(charts.filter(p -> p.toString().endsWith(".png")).count()).isGreaterThanOrEqualTo(4);
        }
        assertThat(dir.resolve("baseline-uniform/samples.csv")).isRegularFile();
        assertThat(dir.resolve("baseline-uniform/artillery.json")).isRegularFile();
        assertThat(dir.resolve("baseline-uniform/spike.csv")).isRegularFile();
        // the figures come again from the recorded files alone
        assertThat(ExperimentResult.of(RecordedRun.read(dir.resolve("baseline-uniform"))).burst().planned())
                .isEqualTo(1000);
    }

    private static Map<String, JsonNode> summaries(Path dir) throws IOException {
        JsonNode all = AdminClient.JSON.readTree(dir.resolve("summary.json").toFile());
        List<JsonNode> rows = all.valueStream().toList();
        return rows.stream().collect(Collectors.toMap(r -> r.path("preset").asString(), r -> r));
    }
}
