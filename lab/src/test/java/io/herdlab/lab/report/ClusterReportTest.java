package io.herdlab.lab.report;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.herdlab.contract.Preset;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.analysis.ClusterComparison;
import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.data.RecordedRun;
import io.herdlab.lab.data.RedisProbe;
import io.herdlab.lab.data.RunData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster set's comparison, table and paragraph, from a real run kept under
 * src/test/resources/lab/recorded/: {@code cluster-local-node} and {@code cluster-local-cluster}, the
 * first pair of {@code lab --profile=default --experiments=cluster --redis=redis://127.0.0.1:36379}
 * on 2026-12-02 (a redis-server 7.0.15 of the lab's own on that port; 3 replicas, 5,000-request
 * spike, local single-flight on that one node and on a 3-master cluster of the same binary, the
 * machine loaded by other builds; replica logs and the tables left out, artillery.json cut to its counters,
 * client.csv and spike.csv to their first three columns). The cluster run still carries the
 * replication (REPLCONF) the probe recorded then; reading leaves it out.
 */
class ClusterReportTest {

    private static RunData recorded(String id) throws IOException, URISyntaxException {
        return RecordedRun.read(Path.of(ClusterReportTest.class.getResource("/lab/recorded/" + id).toURI()));
    }

    private static List<ExperimentResult> pair() throws Exception {
        return List.of(ExperimentResult.of(recorded("cluster-local-node")),
                ExperimentResult.of(recorded("cluster-local-cluster")));
    }

    @Test
    void theCommandsPerShardAddUpToTheCommandsAndTheSlotsCoverTheCluster() throws Exception {
        RunData node = recorded("cluster-local-node");
        RunData cluster = recorded("cluster-local-cluster");
        assertThat(node.experiment().redisCluster()).isFalse();
        assertThat(cluster.experiment().redisCluster()).isTrue();
        assertThat(node.redisShards()).singleElement().satisfies(s -> assertThat(s.slots()).containsExactly("0-16383"));
        assertThat(cluster.redisShards()).hasSize(3);
        for (int slot : new int[] {0, 5460, 5461, 10922, 10923, 16383}) {
            assertThat(cluster.redisShards().stream().filter(s -> s.serves(slot))).hasSize(1);
        }
        for (RunData d : List.of(node, cluster)) {
            long perShard = d.redisShards().stream().mapToLong(RunData.Shard::total).sum();
            assertThat(perShard).isEqualTo(d.redisCalls().values().stream().mapToLong(Long::longValue).sum())
                    .isPositive();
            assertThat(d.redisCalls()).doesNotContainKey("replconf");
        }
        // a run recorded before the shards were kept reads as before, without them
        assertThat(recorded("scaling-lua-2r").redisShards()).isNull();
    }

    @Test
    void theComparisonPairsThePresetAndFindsTheHotKeysShard() throws Exception {
        ClusterComparison c = ClusterComparison.of(pair());
        assertThat(c.pairs()).containsOnlyKeys(Preset.LOCAL);
        ClusterComparison.Side node = c.pairs().get(Preset.LOCAL).node();
        ClusterComparison.Side cluster = c.pairs().get(Preset.LOCAL).cluster();
        assertThat(node.shards()).singleElement().satisfies(s -> {
            assertThat(s.share()).isEqualTo(1.0);
            assertThat(s.hot()).isTrue();
        });
        assertThat(node.imbalance()).isEqualTo(1.0);
        assertThat(cluster.shards()).hasSize(3).extracting(ClusterComparison.Shard::share)
                .allSatisfy(share -> assertThat(share).isBetween(0.2, 0.5));
        assertThat(cluster.shards().stream().mapToDouble(ClusterComparison.Shard::share).sum()).isCloseTo(1.0,
                org.assertj.core.api.Assertions.within(1e-9));
        // the hot shard is the master whose slots hold Zipf id 1's
        int hotSlot = RedisProbe.slot("herdlab-lab:{user:1}");
        String hotNode = recorded("cluster-local-cluster").redisShards().stream().filter(s -> s.serves(hotSlot))
                .findFirst().orElseThrow().node();
        assertThat(cluster.hotShard()).get().extracting(ClusterComparison.Shard::node).isEqualTo(hotNode);
        assertThat(cluster.imbalance()).isGreaterThan(1.0).isLessThan(3.0);
        // local single-flight loads a hot key once per replica at most, on either Redis
        assertThat(node.hotKeyReadsPerExpiry()).isEqualTo(1.6);
        assertThat(cluster.hotKeyReadsPerExpiry()).isEqualTo(2.4);
    }

    @Test
    void theTableAndTheParagraphSayWhatTheFiguresShow() throws Exception {
        ClusterComparison c = ClusterComparison.of(pair());
        ClusterComparison.Side cluster = c.pairs().get(Preset.LOCAL).cluster();
        String table = Table.cluster(c);
        assertThat(table).contains("| local | one node | 1.60 | ").contains("| local | cluster, 3 masters | 2.40 | ")
                .contains("(100.0%)").contains(", hot)");
        assertThat(table.lines().filter(l -> l.startsWith("| local"))).hasSize(2);

        String p = ClusterAnswer.paragraph(c);
        assertThat(p).contains("local 2.40 (one node 1.60) times per expiry")
                .contains("more often than on one node under local")
                .contains(String.format(Locale.ROOT, "served %.1f%% of the cluster's Redis commands",
                        100 * cluster.hotShard().orElseThrow().share()))
                .contains("an even share of 3 masters is 33.3%")
                .contains(String.format(Locale.ROOT, "spike P99 %s against %s", Fmt.ms(cluster.spikeP99Ms()),
                        Fmt.ms(c.pairs().get(Preset.LOCAL).node().spikeP99Ms())));
        // the commands that grew per miss on the cluster are named, each by at least GREW_BY
        ClusterComparison.Side node = c.pairs().get(Preset.LOCAL).node();
        String growth = ClusterAnswer.growth(node, cluster);
        assertThat(p).contains("local " + Fmt.sentPerMiss(cluster.lease()) + " against " + Fmt.sentPerMiss(node.lease())
                + growth + ", spike P99");
        cluster.lease().sentPerCommandPerMiss().forEach((command, perMiss) -> {
            boolean grew = perMiss - node.lease().sentPerCommandPerMiss().getOrDefault(command, 0.0)
                    >= ClusterAnswer.GREW_BY;
            if (!grew) {
                assertThat(growth).doesNotContain(command + " +");
            }
        });
        assertThat(growth).startsWith(" (").contains("CLUSTER +");
        // without a preset on both, no comparison
        assertThat(ClusterAnswer.paragraph(ClusterComparison.of(pair().subList(0, 1)))).contains("needs a preset");
    }

    @Test
    void theReportHasTheSectionAndTheMatrixLeavesTheClusterSetOut(@TempDir Path dir) throws Exception {
        Report.write(dir, LabOptions.parse("--experiments=cluster"), pair());
        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("## One Redis node or a Redis Cluster").contains("--experiments=cluster")
                .doesNotContain("compare-zipf");
    }
}
