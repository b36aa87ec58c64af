package io.herdlab.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code make bench}'s pipeline, run for real at a small size: the floor and one lease preset
 * under wrk, the cold burst on a fresh replica counted by PostgreSQL (both through the burst
 * harness in the lab's jar), the table written into a document between its markers. Figures are the bench's business; this checks their shape and
 * the one exact count (a lease lets PostgreSQL read the hot key once).
 */
class BenchScriptIT {

    @Test
    void aSmallRunMeasuresTheFloorAndAPresetAndWritesTheTableIntoTheDocument(@TempDir Path out) throws Exception {
        Path doc = out.resolve("performance.md");
        Files.writeString(doc, "# intro\n<!-- bench:begin -->\nthe previous table\n<!-- bench:end -->\n## findings\n");
        ProcessBuilder bench = new ProcessBuilder("bash", "scripts/bench.sh")
                .directory(RepositoryRoot.path().toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.resolve("bench.log").toFile());
        // the figures are not this test's business: the JVMs start C1 only, on half the CPU, and the cold
        // burst's key expires 14 s after its aligned warm instead of 20 (the statistics wait is 11 s)
        bench.environment().putAll(Map.of("PRESETS", "lua", "ROUNDS", "1", "DURATION", "2", "WARMUP", "1",
                "BURST", "200", "BURST_CONNECTIONS", "50", "COLD_TTL", "14",
                "BENCH_JVM", "-Xms512m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                "OUT", out.resolve("run").toString(), "DOC", doc.toString()));
        bench.environment().put("BURST_ROUNDS", "1");
        Process process = bench.start();
        boolean exited = process.waitFor(5, TimeUnit.MINUTES);
        String log = Files.readString(out.resolve("bench.log"));
        if (!exited) {
            process.destroyForcibly();
        }
        assertThat(exited && process.exitValue() == 0).as(log).isTrue();

        JsonNode results = JsonMapper.shared().readTree(out.resolve("run/results.json").toFile());
        for (String target : new String[] {"floor", "lua"}) {
            JsonNode hit = results.path("hit").path(target);
            assertThat(hit.path("rps").asDouble()).as(target + " req/s").isPositive();
            assertThat(hit.path("p99Ms").asDouble()).as(target + " P99").isPositive();
            assertThat(hit.path("errors").asInt()).as(target + " errors").isZero();
        }
        assertThat(results.path("hit").path("floor").path("rpsRatio").asDouble()).isEqualTo(1.0);
        JsonNode burst = results.path("burst").path("lua").path("median");
        assertThat(burst.path("client").path("ok").asInt()).as(burst.toString()).isEqualTo(200);
        assertThat(burst.path("reads").asInt()).as("PostgreSQL's reads of the hot key: " + burst).isEqualTo(1);
        assertThat(burst.path("herdQueries").asInt()).isEqualTo(1);
        assertThat(burst.path("wakeUp").path("count").asInt()).as("followers woken by the fill").isPositive();
        assertThat(burst.path("quantiles").asString()).as("how the quantiles are computed").contains("interpolation");

        String written = Files.readString(doc);
        assertThat(written).startsWith("# intro\n<!-- bench:begin -->\n").endsWith("<!-- bench:end -->\n## findings\n")
                .doesNotContain("the previous table").contains("| floor | ", "| lua | ", "Quantiles: ");
        assertThat(written).contains(Files.readString(out.resolve("run/table.md")));
    }
}
