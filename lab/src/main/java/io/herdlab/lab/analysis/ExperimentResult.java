package io.herdlab.lab.analysis;

import io.herdlab.lab.Experiment;
import io.herdlab.lab.data.RunData;

/**
 * The figures of one experiment, each part computed by a small pure function from the
 * {@link RunData} (kept with it for the charts and the raw files); or why it did not run.
 */
public record ExperimentResult(Experiment experiment, String failure, RunData data, Traffic traffic, BurstCheck burst,
        Latencies latency, ServerLoad server, KeyLoad keys, Deferral deferral, LeaseCost lease, Duplicates duplicates,
        Timeseries series) {

    public static ExperimentResult of(RunData d) {
        BurstCheck burst = BurstCheck.of(d.spike(), d.timeline().spikeAtMs());
        ServerLoad server = ServerLoad.of(d);
        return new ExperimentResult(d.experiment(), null, d, Traffic.of(d), burst, Latencies.of(d, burst), server,
                KeyLoad.of(d), Deferral.of(d), LeaseCost.of(d, server), Duplicates.of(d), Timeseries.of(d));
    }

    public static ExperimentResult failed(Experiment experiment, String why) {
        return new ExperimentResult(experiment, why, null, null, null, null, null, null, null, null, null, null);
    }

    public boolean ok() {
        return failure == null;
    }
}
