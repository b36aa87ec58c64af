package io.herdlab.lab;

import java.util.List;
import java.util.Locale;

/** The report's Markdown tables, one row per experiment; numbers formatted by {@link Fmt}. */
final class Table {

    private Table() {
    }

    /** The main table. */
    static String results(List<ExperimentResult> results) {
        StringBuilder t = new StringBuilder("| experiment | spike on the wire | requests | errors | DB queries "
                + "| DB peak /s | queries per key, mean / max | cluster duplicates | pg active max | pool acquired peak "
                + "| pool pending peak (1 replica / sum) | hit ratio warm → after expiry | server P50 / P95 / P99 warm "
                + "| server P50 / P95 / P99 spike | client P99 spike |\n");
        t.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (ExperimentResult r : results) {
            if (!r.ok()) {
                t.append("| ").append(r.experiment()).append(" | failed: ")
                        .append(r.failure().lines().findFirst().orElse("").replace("|", "\\|"))
                        .append(" |  |  |  |  |  |  |  |  |  |  |  |  |  |\n");
                continue;
            }
            t.append("| ").append(r.experiment())
                    .append(" | ").append(Fmt.burst(r.burst()))
                    .append(" | ").append(r.traffic().requests())
                    .append(" | ").append(r.traffic().errors())
                    .append(" | ").append(r.server().dbQueries())
                    .append(" | ").append(r.server().dbPeakPerSecond())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f / %d", r.keys().meanPerKey(), r.keys().maxPerKey()))
                    .append(" | ").append(r.keys().clusterDuplicates())
                    .append(" | ").append(r.server().pgActiveMax())
                    .append(" | ").append(r.server().poolAcquiredPeak()).append("/").append(r.server().poolMaxSize())
                    .append(" | ").append(r.server().poolPendingPeak()).append(" / ").append(r.server().poolPendingSum())
                    .append(" | ").append(Fmt.percent(r.server().hitRatioWarm())).append(" → ")
                    .append(Fmt.percent(r.server().hitRatioAfterExpiry()))
                    .append(" | ").append(Fmt.triple(r.latency().serverWarm()))
                    .append(" | ").append(Fmt.triple(r.latency().serverSpike()))
                    .append(" | ").append(Fmt.ms(r.latency().clientSpike()[2]))
                    .append(" |\n");
        }
        return t.toString();
    }

    /** Jitter's reloads: those that happened, those deferred past the run, and the rate they will come at. */
    static String deferral(List<ExperimentResult> jittered) {
        StringBuilder t = new StringBuilder("| experiment | jitter window | keys warmed | reloaded in the run "
                + "| deferred past the run | expired, not yet requested | DB peak /s | projected reloads /s over the window "
                + "| run ended at | window closes at |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (ExperimentResult r : jittered) {
            Deferral d = r.deferral();
            t.append(String.format(Locale.ROOT,
                    "| %s | %s | %d | %d | %d (%s) | %d | %d | %.1f | t = %.0f s | t = %.0f s%s |%n",
                    r.experiment(), Fmt.ms(d.jitterMaxMs()), d.keysWarmed(), d.reloaded(), d.deferred(),
                    Fmt.percent(d.deferredShare()), d.expiredUnrequested(), r.server().dbPeakPerSecond(),
                    d.projectedReloadsPerSecond(), d.runEndT(), d.windowEndT(),
                    d.runEndedFirst() ? " (after the run)" : ""));
        }
        return t.toString();
    }

    /** The scaling set, one row per coalescer and replica count. */
    static String scaling(Scaling scaling) {
        StringBuilder t = new StringBuilder("| coalescer | replicas | DB reads per hot key per expiry | cluster duplicates "
                + "| spike P99 | Redis commands per miss | follower wake-up P50 / P99 | spike on the wire |\n"
                + "|---|--:|--:|--:|--:|--:|--:|---|\n");
        scaling.curves().forEach((preset, points) -> points.forEach(p -> t.append(String.format(Locale.ROOT,
                "| %s | %d | %.2f | %d | %s | %.2f | %s / %s | %s |%n", preset.id(), p.replicas(), p.hotKeyReadsPerExpiry(),
                p.clusterDuplicates(), Fmt.ms(p.spikeP99Ms()), p.redisCallsPerMiss(), Fmt.ms(p.wakeUpP50Ms()),
                Fmt.ms(p.wakeUpP99Ms()), p.burst() ? "burst" : "**not a burst**"))));
        return t.toString();
    }
}
