package io.herdlab.lab.data;

import java.util.List;
import java.util.Map;

/**
 * What the lab saw in one tick of its once-a-second poll.
 *
 * @param epochMs    when the poll started
 * @param replicas   one entry per replica, in replica order; null where the snapshot did not answer in time
 * @param pgActivity pg_stat_activity of the lab database: application_name → state → connections
 * @param dbReads    user look-ups PostgreSQL executed so far (index scans of users; -1 where unknown), unlike
 *                   the replicas' query counters, which count a load when it is queued for a connection
 * @param loadAverage the machine's 1-minute load average (/proc/loadavg), NaN where unknown
 */
public record Sample(long epochMs, List<ReplicaSample> replicas, Map<String, Map<String, Integer>> pgActivity, long dbReads,
        double loadAverage) {

    /**
     * One replica's counters (cumulative since the experiment's reset) and pool gauges.
     */
    public record ReplicaSample(String replica, long hits, long misses, long stale, long negative, long cacheErrors,
            long dbQueries, long duplicateQueries, int poolAcquired, int poolPending, int poolPeakAcquired,
            int poolPeakPending, int poolMaxSize, long leaders, long followers, long coalesceTimeouts) {

        /** Look-ups answered from Redis, fresh or stale. */
        public long served() {
            return hits + stale + negative;
        }
    }

    /** Connections of one replica (its application_name) in {@code state}, 0 if none. */
    public int pg(String applicationName, String state) {
        Map<String, Integer> states = pgActivity.get(applicationName);
        return states == null ? 0 : states.getOrDefault(state, 0);
    }
}
