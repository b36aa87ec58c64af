package io.herdlab.lab.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.herdlab.lab.data.RunData;
import io.herdlab.lab.data.Sample;

/**
 * What the once-a-second polls saw: the replicas' counters at the end, the peaks of the pools
 * and of pg_stat_activity, the DB query rate, and the hit ratio before and after the expiry.
 *
 * @param lookups          cache look-ups the replicas counted (every request)
 * @param poolPendingPeak  the most requests waiting for a connection in one replica (sampled every 10 ms)
 * @param poolPendingSum   the most waiting summed over the replicas, at a 1-s poll
 * @param dbQueries        loads the replicas started (counted when queued for a connection)
 * @param dbPeakPerSecond  the most user look-ups PostgreSQL executed between two polls, per second
 */
public record ServerLoad(long lookups, long misses, long dbQueries, long replicaDuplicates, long dbPeakPerSecond,
        double hitRatioWarm, double hitRatioAfterExpiry, int pgActiveMax, int pgConnectionsMax, int poolAcquiredPeak,
        int poolMaxSize, int poolPendingPeak, int poolPendingSum, long followers, long coalesceTimeouts,
        double loadAverageMax) {

    /**
     * Per poll, cumulative since the reset: served from cache, misses and DB loads started, all
     * replicas; user look-ups PostgreSQL executed since its own counter began (-1 where unknown).
     */
    record Totals(double t, long served, long misses, long queries, long reads) {
    }

    public static ServerLoad of(RunData d) {
        List<Sample> samples = samples(d);
        List<Totals> totals = totals(d);
        long dbPeak = 0;
        for (int i = 1; i < totals.size(); i++) {
            if (totals.get(i).reads() >= 0 && totals.get(i - 1).reads() >= 0) {
                double dt = Math.max(0.001, totals.get(i).t() - totals.get(i - 1).t());
                dbPeak = Math.max(dbPeak, Math.round((totals.get(i).reads() - totals.get(i - 1).reads()) / dt));
            }
        }
        int pgActive = 0;
        int pgAll = 0;
        int pendingSum = 0;
        double load = Double.NaN;
        for (Sample s : samples) {
            int active = 0;
            int all = 0;
            int pending = 0;
            for (int r = 0; r < d.replicaIds().size(); r++) {
                String id = d.replicaIds().get(r);
                active += s.pg(id, "active");
                Map<String, Integer> states = s.pgActivity().get(id);
                all += states == null ? 0 : states.values().stream().mapToInt(Integer::intValue).sum();
                Sample.ReplicaSample rs = s.replicas().get(r);
                pending += rs == null ? 0 : rs.poolPending();
            }
            pgActive = Math.max(pgActive, active);
            pgAll = Math.max(pgAll, all);
            pendingSum = Math.max(pendingSum, pending);
            if (!Double.isNaN(s.loadAverage())) {
                load = Double.isNaN(load) ? s.loadAverage() : Math.max(load, s.loadAverage());
            }
        }
        long lookups = 0;
        long misses = 0;
        long queries = 0;
        long duplicates = 0;
        int acquiredPeak = 0;
        int maxSize = 0;
        int pendingPeak = 0;
        long followers = 0;
        long timeouts = 0;
        for (Sample.ReplicaSample rs : lastOfEachReplica(d)) {
            lookups += rs.served() + rs.misses();
            misses += rs.misses();
            queries += rs.dbQueries();
            duplicates += rs.duplicateQueries();
            acquiredPeak = Math.max(acquiredPeak, rs.poolPeakAcquired());
            maxSize = Math.max(maxSize, rs.poolMaxSize());
            pendingPeak = Math.max(pendingPeak, rs.poolPeakPending());
            followers += rs.followers();
            timeouts += rs.coalesceTimeouts();
        }
        double expiryT = d.timeline().t(d.timeline().expiryMs());
        return new ServerLoad(lookups, misses, queries, duplicates, dbPeak,
                hitRatio(totals, Latencies.WARM_SKIP_MS / 1000.0, expiryT), hitRatio(totals, expiryT, Double.MAX_VALUE),
                pgActive, pgAll, acquiredPeak, maxSize, pendingPeak, pendingSum, followers, timeouts, load);
    }

    /** The polls from the start of the warm phase on. */
    static List<Sample> samples(RunData d) {
        return d.samples().stream().filter(s -> s.epochMs() >= d.timeline().warmStartMs()).toList();
    }

    /** Cluster totals per poll; a replica that missed a poll counts with its previous answer. */
    static List<Totals> totals(RunData d) {
        List<Totals> out = new ArrayList<>();
        Sample.ReplicaSample[] last = new Sample.ReplicaSample[d.replicaIds().size()];
        for (Sample s : samples(d)) {
            long served = 0;
            long misses = 0;
            long queries = 0;
            for (int r = 0; r < last.length; r++) {
                if (s.replicas().get(r) != null) {
                    last[r] = s.replicas().get(r);
                }
                if (last[r] != null) {
                    served += last[r].served();
                    misses += last[r].misses();
                    queries += last[r].dbQueries();
                }
            }
            out.add(new Totals(d.timeline().t(s.epochMs()), served, misses, queries, s.dbReads()));
        }
        return out;
    }

    private static List<Sample.ReplicaSample> lastOfEachReplica(RunData d) {
        List<Sample.ReplicaSample> out = new ArrayList<>();
        for (int r = 0; r < d.replicaIds().size(); r++) {
            for (int i = d.samples().size() - 1; i >= 0; i--) {
                if (d.samples().get(i).replicas().get(r) != null) {
                    out.add(d.samples().get(i).replicas().get(r));
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Served-from-cache share of the look-ups between the first poll at or after {@code from} and
     * the last at or before {@code to}.
     */
    private static double hitRatio(List<Totals> totals, double from, double to) {
        Totals a = totals.stream().filter(x -> x.t() >= from).findFirst().orElse(null);
        Totals b = totals.stream().filter(x -> x.t() <= to).reduce((x, y) -> y).orElse(null);
        if (a == null || b == null || b.t() <= a.t()) {
            return Double.NaN;
        }
        long served = b.served() - a.served();
        long lookups = served + b.misses() - a.misses();
        return lookups == 0 ? Double.NaN : (double) served / lookups;
    }
}
