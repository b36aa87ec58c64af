package io.herdlab.lab.report;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.herdlab.lab.analysis.BurstCheck;
import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.analysis.LeaseCost;
import io.herdlab.lab.data.Prometheus;

/** One experiment in words: the progress line after it, and its paragraph in the report. */
public final class Prose {

    private Prose() {
    }

    public static String oneLine(ExperimentResult r) {
        return String.format(Locale.ROOT, "done: spike %s; %d requests, %d errors, %d DB queries (peak %d/s), queries "
                + "per key max %d, pool pending peak %d, server P99 warm %s, spike %s", Fmt.burst(r.burst()),
                r.traffic().requests(), r.traffic().errors(), r.server().dbQueries(), r.server().dbPeakPerSecond(),
                r.keys().maxPerKey(), r.server().poolPendingPeak(), Fmt.ms(r.latency().serverWarm()[2]),
                Fmt.ms(r.latency().spikeP99()));
    }

    /**
     * The Redis commands a miss cost: those the replicas sent (less one read per look-up answered
     * from the cache), with the per-command breakdown, and Redis's own count, which includes the
     * commands run inside scripts.
     */
    static String redisCost(LeaseCost c) {
        StringBuilder d = new StringBuilder();
        if (c.sentKnown()) {
            d.append(String.format(Locale.ROOT, "The replicas sent %d Redis commands: %s per miss (every command sent, "
                    + "less one read per look-up answered from the cache, over the %d misses)", c.sent(),
                    Fmt.ratio(c.sentPerMiss()), c.misses()));
            if (c.misses() > 0 && !c.sentPerCommandPerMiss().isEmpty()) {
                d.append("; per miss ").append(perCommand(c.sentPerCommandPerMiss()))
                        .append(String.format(Locale.ROOT, ", less %.2f for the hits", c.hitsPerMiss()));
            }
            d.append(". ");
        }
        else {
            d.append("Redis commands the replicas sent: n/a (these replicas do not count them: no `")
                    .append(Prometheus.REDIS_COMMANDS).append("`). ");
        }
        d.append(String.format(Locale.ROOT, "Redis itself served %d commands, %s (INFO commandstats, Redis-side: the "
                + "commands run inside scripts included%s). ", c.redisServed(), c.misses() == 0 ? "with no miss to divide by"
                : Fmt.ratio(c.redisServedPerMiss()) + " per miss: " + perCommand(c.redisServedPerCommandPerMiss()),
                c.redisIsOwn() ? "" : "; a shared Redis: other clients' commands count too"));
        return d.toString();
    }

    private static String perCommand(Map<String, Double> perMiss) {
        return perMiss.entrySet().stream().map(e -> e.getKey() + " " + Fmt.ratio(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    static String details(ExperimentResult r) {
        StringBuilder d = new StringBuilder();
        BurstCheck b = r.burst();
        if (b.ran()) {
            d.append(String.format(Locale.ROOT, "The spike stage wrote %d of %d requests, the first %s after the planned "
                    + "instant; 50 %% had left within %s of the first, 99 %% within %s, all within %s: %s. ",
                    b.sent(), b.planned(), Fmt.ms(b.lateMs()), Fmt.ms(b.spreadP50Ms()), Fmt.ms(b.spreadP99Ms()),
                    Fmt.ms(b.spreadMaxMs()), b.isBurst() ? "a burst" : "**not a burst** (" + b.why()
                            + "), so this run's spike figures are not a herd and are not compared"));
        }
        d.append(String.format(Locale.ROOT, "Artillery sent %d requests (warm and tail), the spike %d; %d errors%s; the "
                + "replicas counted %d look-ups and %d misses. ", r.traffic().artilleryRequests(),
                r.traffic().spikeRequests(), r.traffic().errors(),
                r.traffic().errorKinds().isEmpty() ? "" : " " + r.traffic().errorKinds(), r.server().lookups(),
                r.server().misses()));
        d.append(String.format(Locale.ROOT, "%d DB queries for %d keys (mean %.2f, max %d for id %d); %d cluster-wide "
                + "duplicates, %d counted by the replicas (same key again within their window). ", r.server().dbQueries(),
                r.keys().keysQueried(), r.keys().meanPerKey(), r.keys().maxPerKey(), r.keys().hottestKey(),
                r.keys().clusterDuplicates(), r.server().replicaDuplicates()));
        d.append(String.format(Locale.ROOT, "Peaks: %d active connections in pg_stat_activity (%d open), pool acquired "
                + "%d of %d, %d waiting for a connection in one replica (%d summed over replicas at a 1-s poll). ",
                r.server().pgActiveMax(), r.server().pgConnectionsMax(), r.server().poolAcquiredPeak(),
                r.server().poolMaxSize(), r.server().poolPendingPeak(), r.server().poolPendingSum()));
        if (r.server().followers() > 0 || r.server().coalesceTimeouts() > 0) {
            d.append(String.format(Locale.ROOT, "Coalescing: %d followers served by a leader (wake-up P50 %s, P99 %s), "
                    + "%d timed out. ", r.server().followers(), Fmt.ms(r.lease().wakeUpP50Ms()),
                    Fmt.ms(r.lease().wakeUpP99Ms()), r.server().coalesceTimeouts()));
        }
        d.append(redisCost(r.lease()));
        d.append("Duplicates: ").append(r.duplicates().brief()).append('.').append(r.duplicates().caveat()).append(' ');
        d.append(String.format(Locale.ROOT, "Server latency P50/P95/P99 warm %s, during the spike's %d s %s; the spike's "
                + "own requests, client-side: %s, max %s.", Fmt.triple(r.latency().serverWarm()),
                r.latency().spikeSeconds(), Fmt.triple(r.latency().serverSpike()), Fmt.triple(r.latency().clientSpike()),
                Fmt.ms(r.latency().clientSpikeMaxMs())));
        if (!Double.isNaN(r.server().loadAverageMax())) {
            d.append(String.format(Locale.ROOT, " Machine load average (1 min) up to %.1f on %d cores during the run.",
                    r.server().loadAverageMax(), Runtime.getRuntime().availableProcessors()));
        }
        if (r.data().artilleryExit() != 0) {
            d.append(" Artillery exited with ").append(r.data().artilleryExit()).append('.');
        }
        return d.toString();
    }
}
