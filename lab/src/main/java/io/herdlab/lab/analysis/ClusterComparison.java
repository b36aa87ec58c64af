package io.herdlab.lab.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.herdlab.contract.Preset;
import io.herdlab.contract.UserKey;
import io.herdlab.lab.Experiment;
import io.herdlab.lab.data.RedisProbe;
import io.herdlab.lab.data.RunData;

/**
 * The cluster set as pairs: per preset, the run on one Redis node beside the run on a Redis Cluster,
 * on the figures the comparison asks about, and how the Redis commands fell on the shards.
 */
public record ClusterComparison(Map<Preset, Pair> pairs) {

    /** The hot key whose shard the comparison follows: the hottest Zipf id. */
    public static final long HOT_ID = 1;

    /** One preset on one node ({@code node}) and on a cluster ({@code cluster}); either may be missing (null). */
    public record Pair(Side node, Side cluster) {
    }

    /**
     * One run of the pair.
     *
     * @param hotKeyReadsPerExpiry mean DB reads of Zipf ids 1–10 per expiry
     * @param clusterDuplicates    Σ(queries − 1) over the keys, all replicas
     * @param spikeP99Ms           server P99 during the spike
     * @param lease                the Redis cost: commands sent and served per miss, outcomes
     * @param shards               the commands Redis served per master, largest first; empty where not recorded
     * @param burst                the spike was a burst
     */
    public record Side(double hotKeyReadsPerExpiry, long clusterDuplicates, double spikeP99Ms, LeaseCost lease,
            List<Shard> shards, boolean burst, Duplicates duplicates) {

        /** The hot key's shard ({@link #HOT_ID}), if the shards were recorded. */
        public Optional<Shard> hotShard() {
            return shards.stream().filter(Shard::hot).findFirst();
        }

        /**
         * How unevenly the commands fell: the busiest shard's share over an even share (1 = even, 3 on three
         * shards = all on one); NaN where the shards were not recorded or served nothing.
         */
        public double imbalance() {
            if (shards.isEmpty()) {
                return Double.NaN;
            }
            double max = shards.stream().mapToDouble(Shard::share).max().orElse(Double.NaN);
            return max * shards.size();
        }
    }

    /**
     * One master's part.
     *
     * @param node  {@code host:port}
     * @param calls commands it served between the aligned warm and the end
     * @param share its part of all the masters' commands
     * @param hot   it serves the hot key's slot
     */
    public record Shard(String node, long calls, double share, boolean hot) {
    }

    public static ClusterComparison of(List<ExperimentResult> results) {
        Map<Preset, Pair> pairs = new LinkedHashMap<>();
        for (Preset preset : Experiment.CLUSTER_PRESETS) {
            Side node = side(results, preset, false);
            Side cluster = side(results, preset, true);
            if (node != null || cluster != null) {
                pairs.put(preset, new Pair(node, cluster));
            }
        }
        return new ClusterComparison(pairs);
    }

    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    private static Side side(List<ExperimentResult> results, Preset preset, boolean cluster) {
        return results.stream()
                .filter(r -> r.ok() && r.experiment().clusterSet() && r.experiment().preset() == preset
                        && r.experiment().redisCluster() == cluster)
                .findFirst()
                .map(r -> new Side(r.keys().hotKeyReadsPerExpiry(), r.keys().clusterDuplicates(), r.latency().spikeP99(),
                        r.lease(), shards(r.data()), r.burst().isBurst(), r.duplicates()))
                .orElse(null);
    }

    /** The recorded shards with their shares, busiest first; the hot key's shard marked. */
    static List<Shard> shards(RunData d) {
        if (d.redisShards() == null) {
            return List.of();
        }
        int hotSlot = RedisProbe.slot(UserKey.value("", HOT_ID));
        long total = d.redisShards().stream().mapToLong(RunData.Shard::total).sum();
        List<Shard> out = new ArrayList<>();
        for (RunData.Shard s : d.redisShards()) {
            out.add(new Shard(s.node(), s.total(), total == 0 ? Double.NaN : (double) s.total() / total,
                    s.serves(hotSlot)));
        }
        out.sort((a, b) -> Long.compare(b.calls(), a.calls()));
        return out;
    }
}
