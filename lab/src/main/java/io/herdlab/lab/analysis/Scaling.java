package io.herdlab.lab.analysis;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.herdlab.contract.Preset;
import io.herdlab.lab.Experiment;

/** The scaling set as curves: per coalescer, one point per replica count. */
public record Scaling(Map<Preset, List<Point>> curves) {

    /**
     * One scaling experiment's figures.
     *
     * @param sentPerMiss        Redis commands the replicas sent per miss (NaN where they did not count them)
     * @param redisServedPerMiss Redis's own count per miss, commands inside scripts included
     * @param lease              its full lease cost (outcomes, backstops, per-command breakdowns)
     * @param duplicates         its cluster-wide duplicates, explained
     */
    public record Point(int replicas, double hotKeyReadsPerExpiry, long clusterDuplicates, double spikeP99Ms,
            double sentPerMiss, double redisServedPerMiss, double wakeUpP50Ms, double wakeUpP99Ms, boolean burst,
            LeaseCost lease, Duplicates duplicates) {
    }

    public static Scaling of(List<ExperimentResult> results) {
        Map<Preset, List<Point>> curves = new LinkedHashMap<>();
        for (Preset preset : Experiment.SCALING_PRESETS) {
            List<Point> points = results.stream()
                    .filter(r -> r.ok() && r.experiment().scaling() && r.experiment().preset() == preset)
                    .sorted(Comparator.comparingInt(r -> r.experiment().replicas()))
                    .map(r -> new Point(r.experiment().replicas(), r.keys().hotKeyReadsPerExpiry(),
                            r.keys().clusterDuplicates(), r.latency().spikeP99(), r.lease().sentPerMiss(),
                            r.lease().redisServedPerMiss(), r.lease().wakeUpP50Ms(), r.lease().wakeUpP99Ms(),
                            r.burst().isBurst(), r.lease(), r.duplicates()))
                    .toList();
            if (!points.isEmpty()) {
                curves.put(preset, points);
            }
        }
        return new Scaling(curves);
    }

    public boolean isEmpty() {
        return curves.isEmpty();
    }

    /** The point of {@code preset} at {@code replicas}, if it ran. */
    public Optional<Point> at(Preset preset, int replicas) {
        return curves.getOrDefault(preset, List.of()).stream().filter(p -> p.replicas() == replicas).findFirst();
    }
}
