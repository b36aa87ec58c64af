package io.herdlab.lab.report;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.herdlab.lab.analysis.ClusterComparison;
import io.herdlab.lab.analysis.Deferral;
import io.herdlab.lab.analysis.Duplicates;
import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.analysis.LeaseCost;
import io.herdlab.lab.analysis.Scaling;

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
                + "| spike P99 | Redis commands sent per miss | Redis-side commands per miss (inside scripts included) "
                + "| backstops fired | forwards per miss (owner) | owner fallbacks | membership changes (owner) "
                + "| follower wake-up P50 / P99 | spike on the wire |\n"
                + "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        scaling.curves().forEach((preset, points) -> points.forEach(p -> t.append(String.format(Locale.ROOT,
                "| %s | %d | %.2f | %d | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |%n", preset.id(), p.replicas(),
                p.hotKeyReadsPerExpiry(), p.clusterDuplicates(), Fmt.ms(p.spikeP99Ms()), Fmt.sentPerMiss(p.lease()),
                Fmt.ratio(p.redisServedPerMiss()), Fmt.count(p.lease().backstops()),
                Fmt.ratio(p.lease().forwardsPerMiss()), Fmt.count(p.lease().ownerFallbacks()),
                Fmt.count(p.lease().membershipChanges()), Fmt.ms(p.wakeUpP50Ms()),
                Fmt.ms(p.wakeUpP99Ms()), p.burst() ? "burst" : "**not a burst**"))));
        return t.toString();
    }

    /**
     * The cluster set: per preset its run on one Redis node and its run on the Redis Cluster, and how the
     * Redis commands fell on the masters (each master's share, the hot key's marked).
     */
    static String cluster(ClusterComparison c) {
        StringBuilder t = new StringBuilder("| preset | Redis | DB reads per hot key per expiry | cluster duplicates "
                + "| spike P99 | Redis commands sent per miss | Redis-side commands per miss | Redis-side commands per "
                + "shard (share) | hot key's shard's share | busiest shard ÷ even share | spike on the wire |\n"
                + "|---|---|--:|--:|--:|--:|--:|---|--:|--:|---|\n");
        c.pairs().forEach((preset, pair) -> {
            for (ClusterComparison.Side side : java.util.Arrays.asList(pair.node(), pair.cluster())) {
                if (side == null) {
                    continue;
                }
                t.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %d | %s | %s | %s | %s | %s | %s | %s |%n",
                        preset.id(), side == pair.node() ? "one node" : "cluster, " + side.shards().size() + " masters",
                        side.hotKeyReadsPerExpiry(), side.clusterDuplicates(), Fmt.ms(side.spikeP99Ms()),
                        Fmt.sentPerMiss(side.lease()), Fmt.ratio(side.lease().redisServedPerMiss()), perShard(side),
                        side.hotShard().map(h -> Fmt.percent(h.share())).orElse(Fmt.NA), Fmt.ratio(side.imbalance()),
                        side.burst() ? "burst" : "**not a burst**"));
            }
        });
        return t.toString();
    }

    /** {@code :30001 52,310 (41.0%, hot) · …}, busiest first; n/a where the shards were not recorded. */
    private static String perShard(ClusterComparison.Side side) {
        if (side.shards().isEmpty()) {
            return Fmt.NA;
        }
        return String.join(" · ", side.shards().stream().map(s -> String.format(Locale.ROOT, "%s %,d (%s%s)",
                s.node().substring(s.node().lastIndexOf(':')), s.calls(), Fmt.percent(s.share()),
                s.hot() && side.shards().size() > 1 ? ", hot" : "")).toList());
    }

    /** The scaling set's rows, labelled coalescer and replica count, with what {@code part} takes of each. */
    static <T> Map<String, T> scalingRows(Scaling scaling, Function<Scaling.Point, T> part) {
        Map<String, T> rows = new LinkedHashMap<>();
        scaling.curves().forEach((preset, points) -> points.forEach(p ->
                rows.put(preset.id() + " · " + p.replicas() + (p.replicas() == 1 ? " replica" : " replicas"),
                        part.apply(p))));
        return rows;
    }

    /**
     * Cluster-wide duplicate loads by cause, one row each (an experiment, or a point of the scaling
     * set): under a lease attributed to the key's lease events, under owner routing to its per-key
     * loads (the other design's causes are –), without either the design.
     */
    static String duplicates(Map<String, Duplicates> rows) {
        StringBuilder t = new StringBuilder("| | duplicate loads");
        for (Duplicates.Cause cause : Duplicates.Cause.values()) {
            t.append(" | ").append(cause.label);
        }
        t.append(" | unexplained | note |\n|---|--:").append("|--:".repeat(Duplicates.Cause.values().length + 1))
                .append("|---|\n");
        rows.forEach((label, d) -> {
            t.append("| ").append(label).append(" | ").append(d.total());
            boolean attributed = d.noAttribution() == null;
            boolean owner = d.coordination() == Duplicates.Coordination.OWNER;
            for (Duplicates.Cause cause : Duplicates.Cause.values()) {
                t.append(" | ").append(attributed && cause.owner == owner ? Long.toString(d.count(cause)) : "–");
            }
            t.append(" | ").append(attributed ? Long.toString(d.unexplained()) : "–").append(" | ");
            if (!attributed) {
                t.append(d.total() == 0 ? "" : d.noAttribution());
            }
            else if (d.unexplained() > 0) {
                t.append("unexplained: ids ").append(d.unexplainedIds());
            }
            t.append(" |\n");
        });
        return t.toString();
    }

    /** Lease outcomes, one row each (an experiment, or a point of the scaling set); n/a where not recorded. */
    static String outcomes(Map<String, LeaseCost> rows) {
        Set<String> columns = new LinkedHashSet<>(LeaseCost.OUTCOMES);
        rows.values().stream().filter(c -> c.outcomes() != null).forEach(c -> columns.addAll(c.outcomes().keySet()));
        StringBuilder t = new StringBuilder("| |");
        columns.forEach(c -> t.append(' ').append(c).append(" |"));
        t.append("\n|---|").append("--:|".repeat(columns.size())).append('\n');
        rows.forEach((label, c) -> {
            t.append("| ").append(label).append(" |");
            columns.forEach(o -> t.append(' ').append(c.outcomes() == null ? Fmt.NA
                    : Long.toString(c.outcomes().getOrDefault(o, 0L))).append(" |"));
            t.append('\n');
        });
        return t.toString();
    }
}
