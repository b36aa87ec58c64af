package io.herdlab.lab;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.herdlab.contract.Preset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The figures, computed from runs recorded by {@code lab --profile=quick} and kept in
 * src/test/resources/lab/recorded/ (2 replicas, 1,000-request spike, keys expiring at t = 15 s;
 * replica logs and the CSV tables left out, artillery.json cut to its counters).
 */
class RecordedRunTest {

    private static RunData recorded(String id) throws IOException, URISyntaxException {
        return RecordedRun.read(Path.of(RecordedRunTest.class.getResource("/lab/recorded/" + id).toURI()));
    }

    @Test
    void theBaselineSpikeWasABurstAndMeltedDown() throws Exception {
        RunData d = recorded("baseline-uniform");
        ExperimentResult r = ExperimentResult.of(d);

        assertThat(r.burst().planned()).isEqualTo(1000).isEqualTo(d.spike().size());
        assertThat(r.burst().sent()).isEqualTo(1000);
        assertThat(r.burst().isBurst()).isTrue();
        assertThat(r.burst().spreadP99Ms()).isLessThan(BurstCheck.MAX_SPREAD_MS)
                .isLessThanOrEqualTo(r.burst().spreadMaxMs());
        // the meltdown the issue asks the quick profile for: ≥ 1.5 s and ≥ 5× the warm phase's P99
        assertThat(r.latency().spikeP99()).isGreaterThanOrEqualTo(1500);
        assertThat(r.latency().spikeOverWarm()).isGreaterThanOrEqualTo(5);
        assertThat(r.server().hitRatioWarm()).isGreaterThan(0.99);
        assertThat(r.server().hitRatioAfterExpiry()).isLessThan(0.5);
        assertThat(r.server().poolAcquiredPeak()).isEqualTo(r.server().poolMaxSize()).isEqualTo(10);
        assertThat(r.server().poolPendingPeak()).isGreaterThan(100);
        // PostgreSQL cannot execute more than 2 replicas × 10 connections / 50 ms a second (plus the 1-s poll's jitter)
        assertThat(r.server().dbPeakPerSecond()).isPositive().isLessThanOrEqualTo(2 * 400);
    }

    @Test
    void keyFiguresAreTheSumsOverTheRecordedPerKeyCounts() throws Exception {
        RunData d = recorded("baseline-uniform");
        KeyLoad k = KeyLoad.of(d);
        long duplicates = d.queriesPerKey().values().stream().mapToLong(n -> n - 1).sum();
        assertThat(k.clusterDuplicates()).isEqualTo(duplicates);
        assertThat(k.keysQueried()).isEqualTo(d.queriesPerKey().size());
        assertThat(k.perKeyHistogram().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(k.keysQueried());
        assertThat(k.expiries()).isEqualTo(1);
        // every request of a baseline miss is a load: the replicas' total matches the per-key counts
        assertThat(ServerLoad.of(d).dbQueries()).isEqualTo(d.queriesPerKey().values().stream().mapToLong(n -> n).sum());
    }

    @Test
    void theBaselineCostsAGetPerRequestAndASetPerMissInRedis() throws Exception {
        RunData d = recorded("baseline-uniform");
        ServerLoad server = ServerLoad.of(d);
        LeaseCost cost = LeaseCost.of(d, server);
        assertThat(d.redisCalls()).containsOnlyKeys("get", "set");
        assertThat(d.redisCalls().get("set")).isEqualTo(server.misses());
        // Redis is read a moment after the counters' reset: a few warm-phase GETs fall in between
        assertThat(d.redisCalls().get("get")).isBetween(server.lookups() - 20, server.lookups());
        assertThat(cost.callsPerMiss()).isCloseTo((double) (server.lookups() + server.misses()) / server.misses(),
                within(0.02));
        assertThat(cost.wakeUps()).isZero();
        assertThat(cost.wakeUpP99Ms()).isNaN();
    }

    @Test
    void jitterDefersMostReloadsPastTheRunInsteadOfRemovingThem() throws Exception {
        RunData d = recorded("jitter-uniform");
        Deferral j = Deferral.of(d);
        assertThat(j.jittered()).isTrue();
        assertThat(j.jitterMaxMs()).isEqualTo(600_000);
        assertThat(j.projectedReloadsPerSecond()).isCloseTo(10_000 / 600.0, within(1e-9));
        assertThat(j.runEndedFirst()).isTrue();
        assertThat(j.windowEndT()).isCloseTo(15 + 600, within(0.01));
        // a ~30 s run sees about 5 % of a 600 s window: most keys still hold their warm value
        assertThat(j.deferredShare()).isGreaterThan(0.9);
        assertThat(j.reloaded() + j.deferred() + j.expiredUnrequested()).isEqualTo(10_000);
        assertThat(j.reloaded()).isEqualTo(d.queriesPerKey().size());
    }

    @Test
    void theLeaseLoadsTheHotKeysOnceAndItsFollowersWakeUp() throws Exception {
        ExperimentResult lua = ExperimentResult.of(recorded("scaling-lua-2r"));
        assertThat(lua.experiment()).isEqualTo(new Experiment(Preset.LUA, "zipf", 2, true));
        assertThat(lua.deferral().jittered()).isFalse();
        assertThat(lua.keys().hotKeyReadsPerExpiry()).isEqualTo(1.0);
        assertThat(lua.lease().wakeUps()).isPositive();
        assertThat(lua.lease().wakeUpP50Ms()).isPositive().isLessThanOrEqualTo(lua.lease().wakeUpP99Ms());
        // the lease: SET NX to take it, DEL to give it back, PUBLISH to wake the followers
        assertThat(lua.lease().perCommandPerMiss()).containsKeys("set", "del", "publish");
        assertThat(lua.lease().callsPerMiss()).isGreaterThan(
                ExperimentResult.of(recorded("baseline-uniform")).lease().callsPerMiss());

        Scaling scaling = Scaling.of(List.of(lua, ExperimentResult.failed(lua.experiment(), "x")));
        assertThat(scaling.curves()).containsOnlyKeys(Preset.LUA);
        assertThat(scaling.at(Preset.LUA, 2)).hasValueSatisfying(p -> {
            assertThat(p.hotKeyReadsPerExpiry()).isEqualTo(1.0);
            assertThat(p.burst()).isTrue();
        });
    }

    @Test
    void theReportRendersTheRecordedRunsWithTheirChartsAndSummary(@TempDir Path out) throws Exception {
        List<ExperimentResult> results = List.of(ExperimentResult.of(recorded("baseline-uniform")),
                ExperimentResult.of(recorded("jitter-uniform")), ExperimentResult.of(recorded("scaling-lua-2r")));
        LabOptions options = LabOptions.parse("--profile=quick", "--experiments=baseline,jitter,scaling",
                "--scaling-replicas=2");
        Report.write(out, options, results);

        String md = Files.readString(out.resolve("report.md"));
        assertThat(md).contains("burst: 1000/1000", "Jitter defers the reloads, it does not remove them",
                "deferred past the run", "The run ended first", "Single-flight or lease", "wake-up");
        assertThat(md).doesNotContain("NaN", "NOT A BURST");
        assertThat(out.resolve("charts/scaling-hot-key-reads.png")).isRegularFile();
        assertThat(out.resolve("charts/baseline-uniform-latency.png")).isRegularFile();
        tools.jackson.databind.JsonNode summary = AdminClient.JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get(0).path("experiment").asString()).isEqualTo("baseline-uniform");
        assertThat(summary.get(0).path("spikeIsBurst").asBoolean()).isTrue();
    }
}
