package io.herdlab.lab.harness;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.herdlab.lab.LabCommand;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.data.AdminClient;
import io.herdlab.lab.data.WakeUp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** make bench's table from recorded runs: medians, ratios to the floor's round, the bursts' median round and ratio to local, the markers. */
class BenchTableTest {

    @Test
    void mediansRatiosAndTheBurstGoIntoTheTableAndBetweenTheDocumentsMarkers(@TempDir Path out) throws Exception {
        Path runs = Files.createDirectories(out.resolve("runs"));
        // two rounds: the floor at 10,000 and 20,000 req/s, lua at 9,000 and 16,000 (ratios 0.9 and 0.8)
        wrk(runs.resolve("hit-floor-1.json"), 100_000, 2000, 4000);
        wrk(runs.resolve("hit-floor-2.json"), 200_000, 1000, 2000);
        wrk(runs.resolve("hit-lua-1.json"), 90_000, 2000, 5000);
        wrk(runs.resolve("hit-lua-2.json"), 160_000, 1000, 3000);
        // three cold-burst rounds of lua and of local: lua's server P99 531, 400 and 900 ms against local's 500,
        // 400 and 450 (ratios 1.06, 1.00, 2.00: median 1.06); lua's median round is its first (531 ms)
        double[][] p99 = {{530.5, 400, 900}, {500, 400, 450}};
        String[] presets = {"lua", "local"};
        for (int p = 0; p < 2; p++) {
            for (int round = 1; round <= 3; round++) {
                AdminClient.JSON.writeValue(runs.resolve("burst-" + presets[p] + "-" + round + ".json").toFile(),
                        burst(presets[p], p99[p][round - 1], round == 3 && p == 0 ? 2 : 1));
            }
        }
        wrk(runs.resolve("hit-local-1.json"), 90_000, 2000, 5000);
        wrk(runs.resolve("hit-local-2.json"), 160_000, 1000, 3000);
        Path doc = out.resolve("performance.md");
        Files.writeString(doc, "# intro\n" + BenchTable.BEGIN + "\nold\n" + BenchTable.END + "\nafter\n");

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        BenchTable.run(LabOptions.Option.parse("--out=" + out, "--doc=" + doc, "--presets=lua,local", "--cores=2",
                "--started=2026-12-02T10:00:00Z", "--load-before=0.5", "--load-after=1.5", "--settings=ROUNDS=2"),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        JsonNode results = AdminClient.JSON.readTree(out.resolve("results.json").toFile());
        JsonNode lua = results.path("hit").path("lua");
        assertThat(lua.path("rps").asDouble()).isCloseTo(12_500, within(1e-6));
        assertThat(lua.path("rpsRatio").asDouble()).isCloseTo(0.85, within(1e-9));
        assertThat(lua.path("p99Ratio").asDouble()).isCloseTo((1.25 + 1.5) / 2, within(1e-9));
        assertThat(results.path("hit").path("floor").path("rpsRatio").asDouble()).isEqualTo(1.0);
        JsonNode luaBurst = results.path("burst").path("lua");
        assertThat(luaBurst.path("median").path("serverP99Ms").asDouble()).isEqualTo(530.5);
        assertThat(luaBurst.path("median").path("reads").asLong()).isEqualTo(1);
        assertThat(luaBurst.path("rounds")).hasSize(3);
        assertThat(luaBurst.path("serverP99Ratio").asDouble()).isCloseTo(530.5 / 500, within(1e-9));
        assertThat(results.path("burst").path("local").path("serverP99Ratio").asDouble()).isEqualTo(1.0);

        String table = Files.readString(out.resolve("table.md"));
        assertThat(table).startsWith("Run 2026-12-02T10:00:00Z on 2 cores, load average 0.5 at start and 1.5 at the end;")
                .contains("| floor | 15,000 | 1.00 |", "| lua | 12,500 | 0.85 |", "| 9,000, 16,000 |",
                        "| lua | 2000/2000 | 800 | 1200 | 1300 | 531 | 1.06 | 1 | 1 | 1999 | 12.3 | 97.5 |"
                                + " 531 (1), 400 (1), 900 (2) |",
                        "| local | 2000/2000 | 800 | 1200 | 1300 | 450 | 1.00 | 1 |", "median server P99 of 3",
                        "Quantiles: ", "interpolation inside the histogram's bucket");
        assertThat(Files.readString(doc)).isEqualTo("# intro\n" + BenchTable.BEGIN + "\n" + table + BenchTable.END
                + "\nafter\n");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains(table, "written into " + doc);
    }

    @Test
    void theHarnessCommandsRefuseABadCommandLineWithTheirUsage() {
        assertThat(LabCommand.run(new String[] {"burst", "--preset=Not A Preset"})).isEqualTo(2);
        assertThat(LabCommand.run(new String[] {"serve", "--presets=lua"})).isEqualTo(2);
        assertThat(LabCommand.run(new String[] {"burst", "--preset=lua", "--colour=red"})).isEqualTo(2);
    }

    /** One cold burst of 2,000 requests with this server P99 and this many PostgreSQL reads. */
    private static ColdBurst.Result burst(String preset, double serverP99Ms, long reads) {
        var client = new BurstClient.Summary(2000, 2000, Map.of("200", 2000), 1500, 800, 1200, 1300, 1310);
        return new ColdBurst.Result(preset, 1, 400, client, 150, serverP99Ms, 2000, reads, 1, 0,
                new ColdBurst.WakeUps(WakeUp.FILL_TO_ANSWER, 1999, 12.25, 97.5), ColdBurst.QUANTILES);
    }

    /** A wrk run of 10 s as scripts/bench/wrk-report.lua writes it. */
    private static void wrk(Path file, long requests, long p50Us, long p99Us) throws Exception {
        Files.writeString(file, String.format("{\"requests\":%d,\"durationUs\":10000000,\"socketErrors\":0,\"non2xx\":0,"
                + "\"p50Us\":%d,\"p99Us\":%d,\"p999Us\":%d,\"maxUs\":%d}%n", requests, p50Us, p99Us, 2 * p99Us, 3 * p99Us));
    }
}
