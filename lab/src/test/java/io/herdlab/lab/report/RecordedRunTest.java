package io.herdlab.lab.report;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.herdlab.contract.Preset;
import io.herdlab.lab.Experiment;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.analysis.BurstCheck;
import io.herdlab.lab.analysis.Deferral;
import io.herdlab.lab.analysis.Duplicates;
import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.analysis.KeyLoad;
import io.herdlab.lab.analysis.LeaseCost;
import io.herdlab.lab.analysis.Scaling;
import io.herdlab.lab.analysis.ServerLoad;
import io.herdlab.lab.data.AdminClient;
import io.herdlab.lab.data.RecordedRun;
import io.herdlab.lab.data.RunData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The figures, computed from runs recorded by {@code lab --profile=quick} and kept in
 * src/test/resources/lab/recorded/ (2 replicas, 1,000-request spike, keys expiring at t = 15 s;
 * replica logs and the CSV tables left out, artillery.json cut to its counters). Those three
 * predate the commands-sent counter and the lease events: they are the "n/a" runs.
 * {@code scaling-tiered-2r} and {@code scaling-local-2r} are small hand-made runs in today's format
 * (commands sent, lease outcomes, {@code lease-events.json}), 20-request spikes, with figures
 * chosen so each attribution rule shows.
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
        assertThat(cost.redisServedPerMiss()).isCloseTo((double) (server.lookups() + server.misses()) / server.misses(),
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
        assertThat(lua.lease().redisServedPerCommandPerMiss()).containsKeys("set", "del", "publish");
        assertThat(lua.lease().redisServedPerMiss()).isGreaterThan(
                ExperimentResult.of(recorded("baseline-uniform")).lease().redisServedPerMiss());

        Scaling scaling = Scaling.of(List.of(lua, ExperimentResult.failed(lua.experiment(), "x")));
        assertThat(scaling.curves()).containsOnlyKeys(Preset.LUA);
        assertThat(scaling.at(Preset.LUA, 2)).hasValueSatisfying(p -> {
            assertThat(p.hotKeyReadsPerExpiry()).isEqualTo(1.0);
            assertThat(p.burst()).isTrue();
        });
    }

    @Test
    void commandsSentPerMissAreEveryCommandTheReplicasSentLessOnePerHitOverTheMisses() throws Exception {
        ExperimentResult tiered = ExperimentResult.of(recorded("scaling-tiered-2r"));
        LeaseCost cost = tiered.lease();
        assertThat(cost.misses()).isEqualTo(70);
        assertThat(cost.hits()).isEqualTo(560).isEqualTo(tiered.server().lookups() - tiered.server().misses());
        assertThat(cost.sentKnown()).isTrue();
        assertThat(cost.sent()).isEqualTo(640 + 95);
        assertThat(cost.sentPerMiss()).isEqualTo((735 - 560) / 70.0);
        // the breakdown is per command before the hits' reads are taken off; hitsPerMiss is what they take off
        assertThat(cost.sentPerCommandPerMiss()).containsExactly(Map.entry("GET", 640 / 70.0),
                Map.entry("EVALSHA", 95 / 70.0));
        assertThat(cost.sentPerCommandPerMiss().values().stream().mapToDouble(Double::doubleValue).sum()
                - cost.hitsPerMiss()).isCloseTo(cost.sentPerMiss(), within(1e-9));
        // Redis's own count includes what the scripts ran inside: higher, and kept apart
        assertThat(cost.redisServed()).isEqualTo(1060);
        assertThat(cost.redisServedPerMiss()).isGreaterThan(cost.sentPerMiss());

        String details = Prose.details(tiered);
        assertThat(details).contains("The replicas sent 735 Redis commands: 2.50 per miss",
                "per miss GET 9.14, EVALSHA 1.36, less 8.00 for the hits",
                "Redis itself served 1060 commands, 15.14 per miss", "commands run inside scripts included");
    }

    @Test
    void theLeaseOutcomesAreRecordedWithTheRunInTheReportsOrder() throws Exception {
        LeaseCost cost = ExperimentResult.of(recorded("scaling-tiered-2r")).lease();
        assertThat(cost.outcomes().keySet()).containsExactlyElementsOf(LeaseCost.OUTCOMES);
        assertThat(cost.outcomes()).containsEntry("acquired", 42L).containsEntry("busy", 12L)
                .containsEntry("fenced", 2L).containsEntry("backstop", 1L).containsEntry("caller-left", 2L)
                .containsEntry("error", 0L);
        assertThat(cost.backstops()).isEqualTo(1);
        // local takes no lease: recorded, and all zero
        LeaseCost local = ExperimentResult.of(recorded("scaling-local-2r")).lease();
        assertThat(local.outcomes()).allSatisfy((outcome, n) -> assertThat(n).isZero());
        assertThat(local.backstops()).isZero();
    }

    @Test
    void everyDuplicateUnderALeaseIsExplainedByOneOfItsKeysEventsOrNamedUnexplained() throws Exception {
        RunData d = recorded("scaling-tiered-2r");
        assertThat(d.leased()).isTrue();
        Duplicates dup = Duplicates.of(d);
        assertThat(dup.coordination()).isEqualTo(Duplicates.Coordination.LEASE);
        assertThat(dup.total()).isEqualTo(KeyLoad.of(d).clusterDuplicates()).isEqualTo(8);
        // id 1: 3 loads, lost + backstop; id 7: 3 loads, one fenced, one unexplained; id 3: released before takeover
        assertThat(dup.byCause()).containsExactly(Map.entry(Duplicates.Cause.LEASE_LOST, 2L),
                Map.entry(Duplicates.Cause.REFUSED, 1L), Map.entry(Duplicates.Cause.RELEASED, 1L),
                Map.entry(Duplicates.Cause.DIRECT, 1L), Map.entry(Duplicates.Cause.TAKEOVER, 1L));
        assertThat(dup.unexplained()).isEqualTo(2);
        assertThat(dup.unexplainedKeys()).containsExactly(5L, 7L);
        assertThat(dup.byCause().values().stream().mapToLong(Long::longValue).sum() + dup.unexplained())
                .isEqualTo(dup.total());
        assertThat(dup.brief()).isEqualTo("8 duplicate loads: 2 lease lost while loading, 1 fill refused (a newer "
                + "version was cached), 1 holder gave the lease up (local rejection or failed load), 1 Redis "
                + "unreachable, 1 a follower took over after its wait ran out, 2 **unexplained** (ids 5, 7)");

        Duplicates local = Duplicates.of(recorded("scaling-local-2r"));
        assertThat(local.coordination()).isEqualTo(Duplicates.Coordination.NONE);
        assertThat(local.total()).isEqualTo(10);
        assertThat(local.byCause()).isEmpty();
        assertThat(local.brief()).isEqualTo("10 duplicate loads, no cluster-wide coordination: single-flight loads a "
                + "key once per replica, by design");
        assertThat(Duplicates.of(recorded("baseline-uniform")).brief()).contains("53 duplicate loads",
                "every request that misses loads, by design");
    }

    @Test
    void eachEventExplainsAtMostOneDuplicateAndAtMostTenKeysAreNamed() throws Exception {
        RunData d = recorded("scaling-tiered-2r");
        Map<Long, Integer> keys = new TreeMap<>();
        Map<Long, Map<String, Long>> events = new TreeMap<>();
        // id 1: 5 loads, 4 duplicates, 9 events: lost and fenced first (1 + 1), then refused (1), then one takeover
        keys.put(1L, 5);
        events.put(1L, Map.of("takeover", 3L, "fenced", 1L, "lost", 1L, "refused", 1L, "backstop", 2L));
        // ids 100..111: loaded twice, nothing recorded; 111 and 110 three times
        for (long id = 100; id <= 111; id++) {
            keys.put(id, id >= 110 ? 3 : 2);
        }
        Duplicates dup = Duplicates.of(new RunData(d.experiment(), d.settings(), d.timeline(), d.replicaIds(),
                d.samples(), d.latencyBySecond(), d.bucketBoundsMs(), d.latencyMaxMs(), keys, d.artilleryCounters(),
                d.artilleryResponses(), d.spike(), d.redisCalls(), d.redisSent(), d.leaseOutcomes(), d.ownerForwards(), events,
                d.wakeUp(), d.cachedAtEnd(), d.artilleryExit()));
        assertThat(dup.count(Duplicates.Cause.LEASE_LOST)).isEqualTo(2);
        assertThat(dup.count(Duplicates.Cause.REFUSED)).isEqualTo(1);
        assertThat(dup.count(Duplicates.Cause.TAKEOVER)).isEqualTo(1);
        assertThat(dup.unexplained()).isEqualTo(10 + 2 * 2);
        assertThat(dup.unexplainedKeyCount()).isEqualTo(12);
        assertThat(dup.unexplainedKeys()).hasSize(Duplicates.KEYS_NAMED).startsWith(110L, 111L, 100L);
        assertThat(dup.unexplainedIds()).endsWith(", … (12 keys)");
    }

    @Test
    void underOwnerRoutingADuplicateIsAttributedToTheLoadsTheReplicasNotedPerKey() throws Exception {
        RunData d = recorded("scaling-tiered-2r");
        Map<Long, Integer> keys = new TreeMap<>(Map.of(1L, 3, 2L, 2, 3L, 2, 4L, 1));
        Map<Long, Map<String, Long>> events = new TreeMap<>();
        events.put(1L, Map.of("moved", 1L, "fallback", 1L)); // dropped under load, and a forward past its bound
        events.put(2L, Map.of("not-owner", 1L, "lost", 3L)); // views disagreed; a lease's tag is not owner's cause
        events.put(4L, Map.of("moved", 1L)); // moved, but loaded once: explains nothing
        RunData.Settings owner = new RunData.Settings(d.settings().users(), d.settings().cacheTtlMs(),
                d.settings().jitterMaxMs(), d.settings().queryDelayMs(), d.settings().poolSize(),
                d.settings().spikeRequests(), d.settings().redisIsOwn(), "owner");
        java.util.function.Function<Map<String, Long>, RunData> run = forwards -> new RunData(d.experiment(), owner,
                d.timeline(), d.replicaIds(), d.samples(), d.latencyBySecond(), d.bucketBoundsMs(), d.latencyMaxMs(),
                keys, d.artilleryCounters(), d.artilleryResponses(), d.spike(), d.redisCalls(), d.redisSent(),
                d.leaseOutcomes(), forwards, events, d.wakeUp(), d.cachedAtEnd(), d.artilleryExit());
        Map<String, Long> counted = Map.of("forwards", 40L, "fallbacks", 1L, "membership-silent", 2L,
                "membership-back", 2L, "membership-refused", 0L, "membership-added", 0L, "membership-removed", 0L);
        Duplicates dup = Duplicates.of(run.apply(counted));
        assertThat(dup.coordination()).isEqualTo(Duplicates.Coordination.OWNER);
        assertThat(dup.total()).isEqualTo(4);
        assertThat(dup.byCause()).containsExactly(Map.entry(Duplicates.Cause.FALLBACK, 1L),
                Map.entry(Duplicates.Cause.MEMBER_DROPPED, 1L), Map.entry(Duplicates.Cause.VIEWS_DISAGREE, 1L));
        assertThat(dup.unexplainedKeys()).containsExactly(3L);
        assertThat(dup.brief()).isEqualTo("4 duplicate loads: 1 owner: a forward fell back to a local load, 1 owner: "
                + "a member dropped (under load, or dead) moved the key, 1 owner: members' views disagreed (a forwarded "
                + "read loaded by a non-owner), 1 **unexplained** (ids 3)");
        assertThat(Table.duplicates(Map.of("owner", dup))).contains("| owner | 4 | – | – | – | – | – | 1 | 1 | 1 | 1 |");
        LeaseCost cost = ExperimentResult.of(run.apply(counted)).lease();
        assertThat(cost.membershipChanges()).isEqualTo(4);
        assertThat(cost.membersDropped()).isEqualTo(2);

        // replicas from before the membership counters: no attribution, and the counts are n/a
        Duplicates old = Duplicates.of(run.apply(Map.of("forwards", 40L, "fallbacks", 1L)));
        assertThat(old.coordination()).isEqualTo(Duplicates.Coordination.NONE);
        assertThat(old.brief()).contains("kept no per-key owner events");
        assertThat(ExperimentResult.of(run.apply(Map.of("forwards", 40L, "fallbacks", 1L))).lease().membershipChanges())
                .isEqualTo(-1);
    }

    @Test
    void runsRecordedBeforeTheCountersSayNotApplicableNeverZero() throws Exception {
        ExperimentResult lua = ExperimentResult.of(recorded("scaling-lua-2r"));
        assertThat(lua.data().redisSent()).isNull();
        assertThat(lua.data().leaseOutcomes()).isNull();
        assertThat(lua.data().leaseEvents()).isNull();
        assertThat(lua.data().coalescer()).as("from the preset: the run predates the recorded coalescer")
                .isEqualTo("lua");
        assertThat(lua.lease().sentKnown()).isFalse();
        assertThat(lua.lease().sentPerMiss()).isNaN();
        assertThat(Fmt.sentPerMiss(lua.lease())).isEqualTo("n/a");
        assertThat(lua.lease().backstops()).isEqualTo(-1);
        assertThat(Fmt.count(lua.lease().backstops())).isEqualTo("n/a");
        assertThat(Prose.details(lua)).contains("Redis commands the replicas sent: n/a");
        assertThat(Table.outcomes(Map.of("lua", lua.lease()))).contains("| lua | n/a | n/a |");
        assertThat(Table.scaling(Scaling.of(List.of(lua)))).contains("| lua | 2 | 1.00 | 0 |", "| n/a |");

        // a lease whose events were not recorded: its duplicates are said to be unattributed, not explained
        RunData old = recorded("scaling-lua-2r");
        Map<Long, Integer> twice = new TreeMap<>(old.queriesPerKey());
        twice.put(1L, 2);
        Duplicates unrecorded = Duplicates.of(new RunData(old.experiment(), old.settings(), old.timeline(),
                old.replicaIds(), old.samples(), old.latencyBySecond(), old.bucketBoundsMs(), old.latencyMaxMs(), twice,
                old.artilleryCounters(), old.artilleryResponses(), old.spike(), old.redisCalls(), null, null, null, null,
                old.wakeUp(), old.cachedAtEnd(), old.artilleryExit()));
        assertThat(unrecorded.coordination()).isEqualTo(Duplicates.Coordination.UNRECORDED);
        assertThat(unrecorded.brief()).isEqualTo("1 duplicate load, n/a: the replicas recorded no lease events per key "
                + "(a run from before /actuator/herd/lease-events)");
        assertThat(Table.duplicates(Map.of("lua", unrecorded))).contains("| lua | 1 | – | – | – | – | – | – | – | – | – | n/a");
    }

    @Test
    void whatARunRecordsIsWrittenAndReadBackWithItsLeaseEvents(@TempDir Path out) throws Exception {
        RunData d = recorded("scaling-tiered-2r");
        RecordedRun.write(out, d);
        RunData back = RecordedRun.read(out);
        assertThat(back.redisSent()).isEqualTo(d.redisSent());
        assertThat(back.leaseOutcomes()).isEqualTo(d.leaseOutcomes());
        assertThat(back.leaseEvents()).isEqualTo(d.leaseEvents()).containsKey(7L);
        assertThat(back.settings().coalescer()).isEqualTo("tiered");

        RunData old = recorded("scaling-lua-2r");
        Path oldOut = out.resolve("old");
        RecordedRun.write(oldOut, old);
        assertThat(oldOut.resolve(RecordedRun.LEASE_EVENTS)).doesNotExist();
        assertThat(RecordedRun.read(oldOut).redisSent()).isNull();
    }

    @Test
    void theScalingReportComparesLocalLuaAndTieredAndExplainsEveryDuplicate(@TempDir Path out) throws Exception {
        List<ExperimentResult> results = List.of(ExperimentResult.of(recorded("scaling-local-2r")),
                ExperimentResult.of(recorded("scaling-lua-2r")), ExperimentResult.of(recorded("scaling-tiered-2r")));
        LabOptions options = LabOptions.parse("--profile=quick", "--experiments=scaling", "--scaling-replicas=2");
        Report.write(out, options, results);
        String md = Files.readString(out.resolve("report.md"));

        // a scaling-only report still says what happened
        String happened = md.substring(md.indexOf("## What happened"), md.indexOf("## Single-flight or lease"));
        assertThat(happened).contains("Only the scaling set ran", "**tiered** (2 replicas): DB reads per hot key per "
                + "expiry 1.80, cluster duplicates 8", "Redis commands sent per miss 2.50", "**lua** (2 replicas)",
                "Redis commands sent per miss n/a");
        String answer = md.substring(md.indexOf("## Single-flight or lease"), md.indexOf("| coalescer |"));
        assertThat(answer).contains("The lease starts to pay at **2 replicas**", "At 2 replicas: **local** 2.00 reads",
                "**lua** 1.00 reads", "**tiered** 1.80 reads per hot key", "2.50 commands sent per miss, 1 backstop fired",
                "2 **unexplained** (ids 5, 7)", "no cluster-wide coordination",
                "the lua lease costs n/a Redis commands sent per miss against 1.63",
                "When a replica dies mid-spike (the fault suites, not this run): single-flight has nothing to lose",
                "its lease expires after the lease time", "at most one extra read per survivor",
                "its keys move to new owners");
        assertThat(md).contains("| Redis commands sent per miss | Redis-side commands per miss (inside scripts included) "
                + "| backstops fired |", "| tiered | 2 | 1.80 | 8 |", "| 2.50 | 15.14 | 1 |", "| lua | 2 | 1.00 | 0 |",
                "### Every duplicate load, explained", "| tiered · 2 replicas | 8 | 2 | 1 | 1 | 1 | 1 | – | – | – | 2 | unexplained: "
                        + "ids 5, 7 |", "| local · 2 replicas | 10 | – |", "### Lease outcomes", "| caller-left |",
                "| tiered · 2 replicas | 42 | 12 | 5 | 1 | 2 | 1 | 1 | 1 | 1 | 1 | 0 | 2 |",
                "| lua · 2 replicas | n/a |", "Duplicate loads, explained:", "lease-events.json, artillery.json",
                "Lease outcomes (lua): n/a, this run did not record them.", "Lease outcomes (tiered):");
        assertThat(md).doesNotContain("NaN");
        assertThat(out.resolve("charts/scaling-redis-per-miss.png")).isRegularFile();
        tools.jackson.databind.JsonNode summary = AdminClient.JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get(2).path("duplicates").path("unexplained").asLong()).isEqualTo(2);
        assertThat(summary.get(2).path("lease").path("sent").asLong()).isEqualTo(735);
        assertThat(summary.get(1).path("lease").path("sent").isNull()).isTrue();
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
        // recorded before the counters: n/a, never 0; without a lease the duplicates are the design
        assertThat(md).contains("Redis commands the replicas sent: n/a", "| lua | 2 | 1.00 | 0 | ",
                "Duplicates: 53 duplicate loads, no cluster-wide coordination: every request that misses loads, by design");
        assertThat(out.resolve("charts/scaling-hot-key-reads.png")).isRegularFile();
        assertThat(out.resolve("charts/baseline-uniform-latency.png")).isRegularFile();
        tools.jackson.databind.JsonNode summary = AdminClient.JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get(0).path("experiment").asString()).isEqualTo("baseline-uniform");
        assertThat(summary.get(0).path("spikeIsBurst").asBoolean()).isTrue();
    }
}
