package io.herdlab.lab;

import io.herdlab.contract.Preset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabOptionsTest {

    @Test
    void defaultProfileRunsEveryPresetUnderBothDistributionsAndTheScalingSet() {
        LabOptions o = LabOptions.parse();
        assertThat(o.replicas()).isEqualTo(3);
        assertThat(o.spikeRequests()).isEqualTo(5000);
        assertThat(o.experiments()).hasSize(14 + 20).first()
                .isEqualTo(new Experiment(Preset.BASELINE, "uniform", 3, false));
        assertThat(o.experiments().stream().filter(Experiment::scaling).map(Experiment::id))
                .startsWith("scaling-local-1r", "scaling-local-2r", "scaling-local-3r", "scaling-local-5r")
                .contains("scaling-redisson-5r", "scaling-lua-1r", "scaling-tiered-3r", "scaling-owner-5r");
        assertThat(o.experiments()).extracting(Experiment::id).contains("owner-uniform", "owner-zipf");
        assertThat(o.postgresJdbc()).isNull();
        assertThat(o.redisUrl()).isNull();
    }

    @Test
    void emptyValuesMeanTheProfilesDefaultSoMakeCanPassItsVariablesThrough() {
        LabOptions o = LabOptions.parse("--profile=quick", "--experiments=", "--dist=", "--replicas=", "--spike=");
        assertThat(o.replicas()).isEqualTo(2);
        assertThat(o.spikeRequests()).isEqualTo(1000);
        assertThat(o.experiments()).extracting(Experiment::id)
                .containsExactly("baseline-uniform", "jitter-uniform", "full-uniform");
    }

    @Test
    void selectsExperimentsDistributionsAndReplicas() {
        LabOptions o = LabOptions.parse("--experiments=baseline,LUA,tiered", "--dist=zipf", "--replicas=4");
        assertThat(o.experiments()).extracting(Experiment::id).containsExactly("baseline-zipf", "lua-zipf",
                "tiered-zipf");
        assertThat(o.experiments()).allMatch(e -> e.replicas() == 4);
    }

    @Test
    void theScalingSetRunsTheCoalescersWithoutJitterOnZipfIdsAtEachReplicaCount() {
        LabOptions o = LabOptions.parse("--experiments=scaling", "--scaling-replicas=1,2");
        assertThat(o.experiments()).extracting(Experiment::id).containsExactly("scaling-local-1r", "scaling-local-2r",
                "scaling-lua-1r", "scaling-lua-2r", "scaling-tiered-1r", "scaling-tiered-2r", "scaling-redisson-1r",
                "scaling-redisson-2r", "scaling-owner-1r", "scaling-owner-2r");
        assertThat(o.experiments()).allSatisfy(e -> {
            assertThat(e.distribution()).isEqualTo("zipf");
            assertThat(e.replicaArgs()).containsExactly("--herd.mitigation.jitter-max=0s");
            assertThat(e.jittered()).isFalse();
        });
    }

    @Test
    void theClusterSetRunsLocalAndBothLeasesOnOneNodeThenOnAClusterTheLabStarts() {
        LabOptions o = LabOptions.parse("--experiments=cluster");
        assertThat(o.experiments()).extracting(Experiment::id).containsExactly("cluster-local-node",
                "cluster-local-cluster", "cluster-lua-node", "cluster-lua-cluster", "cluster-redisson-node",
                "cluster-redisson-cluster");
        assertThat(o.experiments()).allSatisfy(e -> {
            assertThat(e.replicas()).isEqualTo(3);
            assertThat(e.distribution()).isEqualTo("zipf");
            assertThat(e.replicaArgs()).containsExactly("--herd.mitigation.jitter-max=0s");
            assertThat(e.inMatrix()).isFalse();
        });
        assertThat(o.experiments()).filteredOn(Experiment::redisCluster).hasSize(3);
        assertThat(o.redisCluster()).isEqualTo(LabOptions.LOCAL_CLUSTER);
        // nothing on a cluster: no cluster to start
        assertThat(LabOptions.parse("--experiments=lua").redisCluster()).isNull();
    }

    @Test
    void redisClusterPutsTheMatrixOnAClusterAndTheClusterSetKeepsItsOneNodeHalf() {
        LabOptions o = LabOptions.parse("--experiments=lua,cluster", "--dist=uniform",
                "--redis-cluster=127.0.0.1:7001,127.0.0.1:7002");
        assertThat(o.redisCluster()).isEqualTo("127.0.0.1:7001,127.0.0.1:7002");
        assertThat(o.experiments()).extracting(Experiment::id).startsWith("lua-uniform-rc", "cluster-local-node",
                "cluster-local-cluster");
        assertThat(o.experiments().get(0).redisCluster()).isTrue();
        assertThat(LabOptions.parse("--experiments=lua", "--redis-cluster=local").redisCluster()).isEqualTo("local");
    }

    @Test
    void rejectsUnknownPresetsAndOptions() {
        assertThatThrownBy(() -> LabOptions.parse("--experiments=magic")).hasMessageContaining("magic");
        assertThatThrownBy(() -> LabOptions.parse("--colour=red")).hasMessageContaining("colour");
        assertThatThrownBy(() -> LabOptions.parse("--scaling-replicas=0")).hasMessageContaining("between 1 and 16");
        assertThatThrownBy(() -> LabOptions.parse("quick")).isInstanceOf(LabOptions.UsageException.class);
    }
}
