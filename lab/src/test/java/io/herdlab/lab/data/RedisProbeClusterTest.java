package io.herdlab.lab.data;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.herdlab.LocalRedisCluster;
import io.herdlab.contract.UserKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RedisProbe} on a real Redis Cluster of 3 masters and 3 replicas, started by the class the
 * service's cluster suites and the lab's cluster experiments start ({@link LocalRedisCluster}):
 * command counts read from every master, in total and per shard; the cached keys a SCAN of every
 * master; a key's write on its slot's master, the slot computed as Redis computes it.
 */
class RedisProbeClusterTest {

    private static final String PREFIX = "probe-test:";
    static LocalRedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalRedisCluster.start(RedisProbeClusterTest.class);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theSlotIsRedisClusterKeyslotHashTagsHonoured() {
        for (String key : List.of("foo", "user:1", PREFIX + "{user:42}", PREFIX + "{user:42}:lease", "{}x", "a{}{b}",
                "{user:1", "héllo")) {
            assertThat(RedisProbe.slot(key)).as(key).isEqualTo(cluster.slot(key));
        }
        assertThat(RedisProbe.slot(UserKey.value(PREFIX, 7))).isEqualTo(RedisProbe.slot(UserKey.value("other:", 7)));
    }

    @Test
    void setAndDeleteGoToTheKeysMasterAndTheCachedIdsAreAScanOfEveryMaster() throws Exception {
        try (RedisProbe probe = RedisProbe.cluster(cluster.nodes())) {
            assertThat(probe.slotsByShard()).hasSize(3);
            for (long id = 1; id <= 30; id++) {
                String key = UserKey.value(PREFIX, id);
                probe.set(key, "{\"id\":" + id + "}", 60);
                assertThat(probe.nodeOf(key)).isEqualTo("127.0.0.1:" + cluster.masterOf(key));
                // on the master of its slot, so a plain (non-cluster) read there finds it
                assertThat(cluster.cli("-p", Integer.toString(cluster.masterOf(key)), "GET", key).trim())
                        .isEqualTo("{\"id\":" + id + "}");
            }
            // a lease and an outcome key beside a value: not a cached user
            probe.set(UserKey.value(PREFIX, 3) + ":lease", "token", 60);
            probe.set(UserKey.value("other-prefix:", 4), "{}", 60);
            probe.delete(UserKey.value(PREFIX, 5));
            List<Long> expected = IntStream.rangeClosed(1, 30).filter(i -> i != 5).mapToObj(i -> (long) i).toList();
            assertThat(probe.cachedIds(PREFIX, 30)).containsExactlyElementsOf(expected);
            assertThat(probe.cachedIds(PREFIX, 10)).hasSize(9);
            // the keys do land on all three masters
            assertThat(expected.stream().map(id -> probe.nodeOf(UserKey.value(PREFIX, id))).distinct()).hasSize(3);
        }
    }

    @Test
    void commandCountsAreReadFromEveryMasterInTotalAndPerShard() throws Exception {
        try (RedisProbe probe = RedisProbe.cluster(cluster.nodes())) {
            Map<String, Map<String, Long>> before = probe.commandCallsByShard();
            assertThat(before.keySet()).containsExactlyInAnyOrderElementsOf(probe.slotsByShard().keySet());
            String hot = UserKey.value(PREFIX + "counts:", 1);
            int hotPort = cluster.masterOf(hot);
            for (int i = 0; i < 25; i++) {
                cluster.cli("-p", Integer.toString(hotPort), "GET", hot);
            }
            String other = IntStream.rangeClosed(2, 100).mapToObj(id -> UserKey.value(PREFIX + "counts:", id))
                    .filter(k -> cluster.masterOf(k) != hotPort).findFirst().orElseThrow();
            int otherPort = cluster.masterOf(other);
            for (int i = 0; i < 7; i++) {
                cluster.cli("-p", Integer.toString(otherPort), "GET", other);
            }
            Map<String, Map<String, Long>> delta = RedisProbe.deltaByShard(before, probe.commandCallsByShard());
            assertThat(delta.get("127.0.0.1:" + hotPort)).containsEntry("get", 25L);
            assertThat(delta.get("127.0.0.1:" + otherPort)).containsEntry("get", 7L);
            assertThat(RedisProbe.sum(delta)).containsEntry("get", 32L);
            // the probe's own INFO reads are left out
            assertThat(RedisProbe.sum(delta)).doesNotContainKey("info");
        }
    }

    @Test
    void onOneNodeTheSameQuestionsGoToItAlone() throws Exception {
        try (LocalRedisCluster node = LocalRedisCluster.standalone(RedisProbeClusterTest.class);
                RedisProbe probe = new RedisProbe("redis://" + node.nodes())) {
            assertThat(probe.slotsByShard()).containsExactly(Map.entry(node.nodes(), List.of("0-16383")));
            for (long id = 1; id <= 5; id++) {
                probe.set(UserKey.value(PREFIX, id), "{}", 60);
            }
            probe.delete(UserKey.value(PREFIX, 2));
            assertThat(probe.cachedIds(PREFIX, 5)).containsExactly(1L, 3L, 4L, 5L);
            assertThat(probe.commandCallsByShard()).containsOnlyKeys(node.nodes());
            assertThat(probe.commandCalls()).containsEntry("set", 5L).containsEntry("unlink", 1L);
        }
    }

    @Test
    void aWriteToASlotThatMovedFollowsTheMovedReply() throws Exception {
        String key = "moved-test:{moved}";
        try (RedisProbe probe = RedisProbe.cluster(cluster.nodes())) {
            int from = cluster.masterOf(key);
            int to = cluster.otherMaster(from);
            assertThat(probe.nodeOf(key)).isEqualTo("127.0.0.1:" + from);
            cluster.migrate(RedisProbe.slot(key), from, to);
            // the probe still sends it to the old master, which answers MOVED: the slots are read again
            probe.set(key, "moved", 60);
            assertThat(probe.nodeOf(key)).isEqualTo("127.0.0.1:" + to);
            assertThat(cluster.cli("-p", Integer.toString(to), "GET", key).trim()).isEqualTo("moved");
            probe.delete(key);
            assertThat(cluster.cli("-p", Integer.toString(to), "EXISTS", key).trim()).isEqualTo("0");
        }
    }
}
