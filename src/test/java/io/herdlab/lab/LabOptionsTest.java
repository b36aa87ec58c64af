package io.herdlab.lab;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabOptionsTest {

    @Test
    void defaultProfileRunsEveryPresetUnderBothDistributionsOnThreeReplicas() {
        LabOptions o = LabOptions.parse();
        assertThat(o.replicas()).isEqualTo(3);
        assertThat(o.experiments()).hasSize(12).first().isEqualTo(new Experiment("baseline", "uniform"));
        assertThat(o.postgresJdbc()).isNull();
        assertThat(o.redisUrl()).isNull();
    }

    @Test
    void emptyValuesMeanTheProfilesDefaultSoMakeCanPassItsVariablesThrough() {
        LabOptions o = LabOptions.parse("--profile=quick", "--experiments=", "--dist=", "--replicas=");
        assertThat(o.replicas()).isEqualTo(2);
        assertThat(o.experiments()).extracting(Experiment::id)
                .containsExactly("baseline-uniform", "jitter-uniform", "full-uniform");
    }

    @Test
    void selectsExperimentsDistributionsAndReplicas() {
        LabOptions o = LabOptions.parse("--experiments=baseline,LUA", "--dist=zipf", "--replicas=4");
        assertThat(o.experiments()).extracting(Experiment::id).containsExactly("baseline-zipf", "lua-zipf");
        assertThat(o.replicas()).isEqualTo(4);
    }

    @Test
    void rejectsUnknownPresetsAndOptions() {
        assertThatThrownBy(() -> LabOptions.parse("--experiments=magic")).hasMessageContaining("magic");
        assertThatThrownBy(() -> LabOptions.parse("--colour=red")).hasMessageContaining("colour");
        assertThatThrownBy(() -> LabOptions.parse("quick")).isInstanceOf(LabOptions.UsageException.class);
    }
}
