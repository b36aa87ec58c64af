package io.herdlab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.herdlab.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end test: {@code lab --profile=quick} (2 replicas as separate JVMs, Artillery's
 * 1,000-request burst, baseline, jitter and full) against the machine's PostgreSQL and Redis,
 * then the ordering the lab exists to show. Installs Artillery from the lock file if
 * artillery/node_modules is missing (needs npm).
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
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        LabOptions options = LabOptions.parse(
                "--profile=quick",
                "--postgres=jdbc:postgresql://" + TestDatabase.HOST + ":" + TestDatabase.PORT + "/" + db.name(),
                "--redis=" + TestDatabase.REDIS_URL,
                "--key-prefix=" + TestDatabase.keyPrefix(LabQuickProfileTest.class),
                "--classpath=" + classpath,
                "--out=" + out);

        Report report = new Lab(options, System.out, false).run();

        Path dir = report.dir();
        Map<String, JsonNode> byPreset = summaries(dir);
        assertThat(byPreset.keySet()).containsExactlyInAnyOrder("baseline", "jitter", "full");
        byPreset.forEach((preset, s) -> assertThat(s.path("ok").asBoolean())
                .as(preset + " ran: " + s.path("failure").asString("")).isTrue());
        JsonNode baseline = byPreset.get("baseline");
        JsonNode full = byPreset.get("full");
        // the herd: the expiry emptied the cache and the pools ran out of connections
        assertThat(baseline.path("hitRatioDuring").asDouble()).isLessThan(0.5);
        assertThat(baseline.path("poolAcquiredPeak").asInt()).isEqualTo(baseline.path("poolMaxSize").asInt());
        // the fix: fewer DB queries per key of the key space, a lower P99 during the spike
        assertThat(full.path("dbQueries").asLong()).isLessThan(baseline.path("dbQueries").asLong());
        assertThat(full.path("serverP50P95P99DuringMs").get(2).asDouble())
                .isLessThan(baseline.path("serverP50P95P99DuringMs").get(2).asDouble());

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("baseline", "jitter", "P99", "pg_stat_activity");
        assertThat(dir.resolve("report.html")).isRegularFile();
        try (Stream<Path> charts = Files.list(dir.resolve("charts"))) {
            assertThat(charts.filter(p -> p.toString().endsWith(".png")).count()).isGreaterThanOrEqualTo(4);
        }
        assertThat(dir.resolve("baseline-uniform/samples.csv")).isRegularFile();
        assertThat(dir.resolve("baseline-uniform/artillery.json")).isRegularFile();
    }

    private static Map<String, JsonNode> summaries(Path dir) throws IOException {
        JsonNode all = AdminClient.JSON.readTree(dir.resolve("summary.json").toFile());
        List<JsonNode> rows = all.valueStream().toList();
        return rows.stream().collect(Collectors.toMap(r -> r.path("preset").asString(), r -> r));
    }
}
