package io.herdlab.lab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.herdlab.contract.Preset;
import io.herdlab.lab.analysis.ClusterComparison;
import io.herdlab.lab.analysis.ClusterComparison.Pair;
import io.herdlab.lab.analysis.ClusterComparison.Side;

/**
 * What the cluster set shows, in one paragraph computed from its figures: whether each preset read
 * a hot key as often on the Redis Cluster as on one node (a lease's promise is one read per key per
 * expiry), what the cluster did to the Redis commands per miss and to the spike's P99, and how the
 * herd's commands fell on the shards (the hot key's shard's share against an even one).
 */
final class ClusterAnswer {

    /** Reads per hot key per expiry within which the cluster counts as reading as often as one node. */
    static final double SAME_READS = 0.05;
    /** How far above an even share the hot key's shard may be and still count as an even spread. */
    static final double EVEN_BY = 0.05;
    /** Commands sent per miss a command must grow by on the cluster to be named. */
    static final double GREW_BY = 0.05;

    private ClusterAnswer() {
    }

    static String paragraph(ClusterComparison c) {
        List<Map.Entry<Preset, Pair>> both = c.pairs().entrySet().stream()
                .filter(e -> e.getValue().node() != null && e.getValue().cluster() != null).toList();
        if (both.isEmpty()) {
            return "The cluster set needs a preset run both on one Redis node and on the cluster to compare them.";
        }
        StringBuilder p = new StringBuilder();
        if (both.stream().anyMatch(e -> !e.getValue().node().burst() || !e.getValue().cluster().burst())) {
            p.append("**Some spikes were not bursts** (marked in the table): those runs understate the herd. ");
        }
        List<String> reads = new ArrayList<>();
        List<String> worse = new ArrayList<>();
        for (Map.Entry<Preset, Pair> e : both) {
            Side node = e.getValue().node();
            Side cluster = e.getValue().cluster();
            reads.add(String.format(Locale.ROOT, "%s %.2f (one node %.2f)", e.getKey().id(),
                    cluster.hotKeyReadsPerExpiry(), node.hotKeyReadsPerExpiry()));
            if (cluster.hotKeyReadsPerExpiry() > node.hotKeyReadsPerExpiry() + SAME_READS) {
                worse.add(e.getKey().id());
            }
        }
        p.append("On the Redis Cluster the presets read each hot key ").append(String.join(", ", reads))
                .append(" times per expiry: ").append(worse.isEmpty()
                        ? "as often as on one node, so sharding the keys cost no extra PostgreSQL read"
                        : "more often than on one node under " + String.join(", ", worse))
                .append(". ");
        List<String> cost = new ArrayList<>();
        for (Map.Entry<Preset, Pair> e : both) {
            Side node = e.getValue().node();
            Side cluster = e.getValue().cluster();
            cost.add(String.format(Locale.ROOT, "%s %s against %s%s, spike P99 %s against %s (%s)", e.getKey().id(),
                    Fmt.sentPerMiss(cluster.lease()), Fmt.sentPerMiss(node.lease()), growth(node, cluster),
                    Fmt.ms(cluster.spikeP99Ms()), Fmt.ms(node.spikeP99Ms()),
                    ratio(cluster.spikeP99Ms(), node.spikeP99Ms())));
        }
        p.append("Redis commands sent per miss on the cluster against one node (the commands that grew, per miss), "
                + "and the spike's P99: ")
                .append(String.join("; ", cost)).append(". ");
        List<Side> clusters = both.stream().map(e -> e.getValue().cluster())
                .filter(s -> s.hotShard().isPresent() && s.shards().size() > 1).toList();
        if (!clusters.isEmpty()) {
            int n = clusters.get(0).shards().size();
            double even = 1.0 / n;
            double low = clusters.stream().mapToDouble(s -> s.hotShard().orElseThrow().share()).min().orElseThrow();
            double high = clusters.stream().mapToDouble(s -> s.hotShard().orElseThrow().share()).max().orElseThrow();
            boolean evenly = high <= even + EVEN_BY;
            p.append(String.format(Locale.ROOT, "The hot key's shard (the slot of Zipf id %d, the hottest) served %s of "
                    + "the cluster's Redis commands (an even share of %d masters is %s), the busiest shard %s times "
                    + "an even share: %s.", ClusterComparison.HOT_ID, range(Fmt.percent(low), Fmt.percent(high)), n,
                    Fmt.percent(even),
                    range(Fmt.ratio(clusters.stream().mapToDouble(Side::imbalance).min().orElseThrow()),
                            Fmt.ratio(clusters.stream().mapToDouble(Side::imbalance).max().orElseThrow())),
                    evenly ? "the herd's commands spread about evenly over the masters"
                            : "the herd's commands did not spread evenly (a key's value, lease and notices share one "
                                    + "slot, so each hot key's herd falls on one shard)"));
        }
        else {
            p.append("The runs recorded no commands per shard.");
        }
        return p.toString().trim();
    }

    /**
     * {@code  (EVALSHA +0.77, CLUSTER +0.06)}: the commands whose count sent per miss grew on the cluster by at least
     * {@link #GREW_BY}, most first, at most three; empty where none did or the replicas did not count them.
     */
    static String growth(Side node, Side cluster) {
        Map<String, Double> a = node.lease().sentPerCommandPerMiss();
        Map<String, Double> b = cluster.lease().sentPerCommandPerMiss();
        if (a == null || b == null) {
            return "";
        }
        List<String> grew = b.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - a.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() >= GREW_BY)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(3)
                .map(e -> String.format(Locale.ROOT, "%s +%.2f", e.getKey(), e.getValue()))
                .toList();
        return grew.isEmpty() ? "" : " (" + String.join(", ", grew) + ")";
    }

    /** {@code low–high}, or one figure where they are the same. */
    private static String range(String low, String high) {
        return low.equals(high) ? low : low + "–" + high;
    }

    /** {@code ×1.23 of one node's}. */
    private static String ratio(double cluster, double node) {
        return node > 0 && !Double.isNaN(cluster) ? String.format(Locale.ROOT, "×%.2f", cluster / node) : "–";
    }
}
